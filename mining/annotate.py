"""Tag documents given as a corpus file or as raw text: the library side of ``biomine annotate``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from mining.corpus.records import INDIVIDUAL_MENTIONS
from mining.types import Document

TEXT_ID = "text:1"  # id of a document given as raw text


def input_documents(text_or_path: str) -> Iterator[Document]:
    """Every document of an existing file (any format ``read_any`` reads); otherwise the
    argument itself as one document ``text:1`` whose ``text`` is exactly the argument."""
    path = Path(text_or_path).expanduser()
    if path.is_file():
        from mining.corpus.detect import read_any

        yield from (d for d in read_any(path) if isinstance(d, Document))
    else:
        yield Document(TEXT_ID, text_or_path)


def annotate(
    docs: Iterable[Document], tagger, batch_size: int = 32, normaliser=None
) -> Iterator[Document]:
    """Copies of ``docs`` whose entities are the tagger's (gold entities are dropped), with
    concept IDs from ``normaliser`` (a ``ConceptNormaliser``) when one is given."""
    docs = iter(docs)
    pending: list[Document] = []

    def stream() -> Iterator[Document]:
        for doc in docs:
            pending.append(doc)
            yield doc

    for entities in tagger.predict_entities(stream(), batch_size=batch_size):
        doc = pending.pop(0)
        meta = {k: v for k, v in doc.meta.items() if k != INDIVIDUAL_MENTIONS}  # gold's
        if normaliser is not None:
            entities = normaliser.normalise(doc.text, entities)
        yield replace(doc, meta=meta, entities=entities, relations=[])


def as_json(doc: Document) -> dict[str, Any]:
    """One document as a plain JSON object: id, text and its entities."""
    return {
        "id": doc.id,
        "text": doc.text,
        "entities": [
            {
                "start": e.start,
                "end": e.end,
                "text": e.text,
                "label": e.label,
                "concept_id": e.concept_id,
                "score": e.score,
            }
            for e in doc.entities
        ],
    }
