"""Tag documents given as a corpus file or as raw text: the library side of ``biomine annotate``."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from mining.corpus.detect import CORPUS_SUFFIXES
from mining.corpus.records import INDIVIDUAL_MENTIONS
from mining.errors import InputError
from mining.types import Document

TEXT_ID = "text:1"  # id of a document given as raw text
_SEPARATORS = {"/", os.sep} | ({os.altsep} if os.altsep else set())


def input_file(text_or_path: str, force_text: bool = False) -> Path | None:
    """The corpus file the argument names, or None when it is the text to tag.

    An existing file is a file; ``force_text`` makes anything a text. An existing folder is
    an error (annotate tags one file; ``biomine ingest`` takes folders), and so is an
    argument that looks like a path (a path separator or a corpus suffix, no whitespace) but
    names nothing: tagging the string ``abstracts/dump.xml`` is never what a user meant.
    """
    if force_text:
        return None
    path = Path(text_or_path).expanduser()
    if path.is_dir():
        raise InputError(text_or_path, "is a folder: pass the files in it (one per run)")
    if path.is_file():
        return path
    if looks_like_path(text_or_path):
        raise InputError(
            text_or_path, "no such file; to tag text that looks like a path, pass --text"
        )
    return None


def looks_like_path(text: str) -> bool:
    """No whitespace, and a path separator or a corpus file suffix (``.xml.gz`` too)."""
    if not text or any(c.isspace() for c in text):
        return False
    lower = text.lower()
    return any(sep in text for sep in _SEPARATORS) or any(
        lower.endswith(suffix) for suffix in CORPUS_SUFFIXES | {".gz"}
    )


def input_documents(text_or_path: str, force_text: bool = False) -> Iterator[Document]:
    """Every document of the file the argument names (any format ``read_any`` reads), or the
    argument itself as one document ``text:1`` whose ``text`` is exactly the argument (see
    ``input_file`` for which it is and the errors)."""
    path = input_file(text_or_path, force_text)
    if path is not None:
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
