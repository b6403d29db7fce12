"""Several NER taggers run as one: the shipped defaults (Chemical + Disease, Gene) or any list.

Each tagger is trained on its own corpus (BC5CDR, BC2GM), so each tags every document and
their entities are merged: a span found twice with one type is kept once (the higher score);
the same span with two types is kept twice, since a name can be both (PubTator does the same
for "insulin", chemical and gene), and overlapping spans of different taggers both stay.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from mining.nlp.batching import chunks
from mining.nlp.ner import NerTagger
from mining.types import Document, Entity

MODELS_DIR = Path(__file__).resolve().parents[2] / "models"
# The shipped default taggers, in the order their entities are listed.
DEFAULT_NER_MODELS = (MODELS_DIR / "ner-chem-disease", MODELS_DIR / "ner-gene")


class TaggerSet:
    """Taggers with one ``pipe``; ``types`` are the entity types they can give."""

    def __init__(self, taggers: Sequence[NerTagger]):
        if not taggers:
            raise ValueError("a TaggerSet needs at least one tagger")
        self.taggers = list(taggers)

    @classmethod
    def from_pretrained(
        cls, models: Iterable[str | Path] = DEFAULT_NER_MODELS, device=None, **options
    ) -> TaggerSet:
        return cls([NerTagger.from_pretrained(m, device=device, **options) for m in models])

    @property
    def types(self) -> set[str]:
        return {t for tagger in self.taggers for t in tagger.types}

    @property
    def source(self) -> str:
        return "+".join(tagger.source for tagger in self.taggers)

    def __call__(self, doc: Document) -> list[Entity]:
        return next(self.pipe([doc]))

    def pipe(
        self, docs: Iterable[Document], batch_size: int = 32, docs_per_chunk: int = 64
    ) -> Iterator[list[Entity]]:
        """One merged list of entities per document, in input order, sorted by position."""
        if len(self.taggers) == 1:
            yield from self.taggers[0].pipe(docs, batch_size, docs_per_chunk)
            return
        for chunk in chunks(docs, docs_per_chunk):
            yield from self._tag_chunk(chunk, batch_size)

    def _tag_chunk(self, docs: list[Document], batch_size: int) -> Iterator[list[Entity]]:
        per_tagger = [list(t.pipe(docs, batch_size, len(docs))) for t in self.taggers]
        for found in zip(*per_tagger, strict=True):
            yield merge_entities([e for entities in found for e in entities])


def merge_entities(entities: Iterable[Entity]) -> list[Entity]:
    """One entity per (span, type), the highest-scoring; sorted by start, end, type."""
    best: dict[tuple[int, int, str], Entity] = {}
    for e in entities:
        key = (e.start, e.end, e.label)
        if key not in best or e.score > best[key].score:
            best[key] = e
    return [best[k] for k in sorted(best)]
