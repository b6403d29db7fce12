"""Several NER taggers run as one, for callers that want entity lists (``biomine annotate``,
evaluation, the spaCy component): the shipped defaults (Chemical + Disease, Gene) or any list.
Entities are merged as ``mining.nlp.entity_merge`` says. In ``biomine run`` the taggers are
separate pipeline components instead, each with its own processed marks.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from mining.nlp.batching import chunks
from mining.nlp.entity_merge import merge_entities
from mining.nlp.ner import NerTagger
from mining.types import Document, Entity


class TaggerSet:
    """Taggers with one ``predict_entities``; ``types`` are the entity types they can give."""

    def __init__(self, taggers: Sequence[NerTagger]):
        if not taggers:
            raise ValueError("a TaggerSet needs at least one tagger")
        self.taggers = list(taggers)

    @classmethod
    def from_pretrained(
        cls, models: Iterable[str | Path] | None = None, device=None, **options
    ) -> TaggerSet:
        """The given taggers, or the shipped defaults (``mining.shipped_models``)."""
        if models is None:
            from mining.shipped_models import default_ner_models

            models = default_ner_models()
        return cls([NerTagger.from_pretrained(m, device=device, **options) for m in models])

    @property
    def types(self) -> set[str]:
        return {t for tagger in self.taggers for t in tagger.types}

    @property
    def source(self) -> str:
        return "+".join(tagger.source for tagger in self.taggers)

    def tag(self, doc: Document) -> list[Entity]:
        return next(self.predict_entities([doc]))

    def predict_entities(
        self, docs: Iterable[Document], batch_size: int = 32, docs_per_chunk: int = 64
    ) -> Iterator[list[Entity]]:
        """One merged list of entities per document, in input order, sorted by position."""
        if len(self.taggers) == 1:
            yield from self.taggers[0].predict_entities(docs, batch_size, docs_per_chunk)
            return
        for chunk in chunks(docs, docs_per_chunk):
            per_tagger = [
                list(t.predict_entities(chunk, batch_size, len(chunk))) for t in self.taggers
            ]
            for found in zip(*per_tagger, strict=True):
                yield merge_entities([e for entities in found for e in entities])
