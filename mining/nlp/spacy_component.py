"""The taggers as a spaCy pipeline component, as scispaCy's are:
``spacy.blank("en").add_pipe("biomine_ner")`` fills ``doc.ents`` (concept IDs in ``kb_id_``)
with the shipped Chemical, Disease and Gene taggers; ``config={"model": "path/or/hub-id"}``
(or a list of them) runs other taggers instead.

Registered both by import (``@Language.factory``) and through the ``spacy_factories`` entry
point in pyproject.toml, so ``add_pipe`` works without importing BioMine first.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import filter_spans

from mining.nlp.normalise import ConceptNormaliser
from mining.nlp.tagger_set import TaggerSet
from mining.types import Document, Entity


class BiomineNer:
    """Predicts with a BioMine tagger over whole spaCy docs, then sets ``doc.ents``."""

    def __init__(
        self, tagger: TaggerSet, normaliser: ConceptNormaliser | None = None, batch_size: int = 32
    ):
        self.tagger, self.normaliser, self.batch_size = tagger, normaliser, batch_size

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Doc], batch_size: int | None = None) -> Iterator[Doc]:
        docs = list(docs)
        records = [Document(f"spacy:{i}", doc.text) for i, doc in enumerate(docs)]
        found = self.tagger.predict_entities(records, batch_size=batch_size or self.batch_size)
        for doc, entities in zip(docs, found, strict=True):
            if self.normaliser is not None:
                entities = self.normaliser.normalise(doc.text, entities)
            set_entities(doc, entities)
            yield doc


def set_entities(doc: Doc, entities: list[Entity]) -> None:
    """Entity character spans -> token spans; a span that cuts a token grows to whole tokens."""
    spans = []
    for e in entities:
        span = doc.char_span(
            e.start, e.end, label=e.label, kb_id=e.concept_id or "", alignment_mode="expand"
        )
        if span is not None:
            spans.append(span)
    doc.ents = filter_spans(spans)  # spaCy allows no overlapping entities


@Language.factory(
    "biomine_ner",
    assigns=["doc.ents"],
    default_config={"model": None, "concepts": True, "batch_size": 32},
)
def make_biomine_ner(
    nlp: Language, name: str, model: str | list[str] | None, concepts: bool, batch_size: int
) -> BiomineNer:
    """``model``: a tagger folder or hub id, a list of them, or None for the shipped ones."""
    models = None if model is None else [model] if isinstance(model, str) else model
    normaliser = ConceptNormaliser.load() if concepts else None
    return BiomineNer(TaggerSet.from_pretrained(models), normaliser, batch_size)
