"""The mining pipeline over stored documents: sentences -> NER -> normalisation -> relations.

    pipeline = Pipeline.from_pretrained()          # the shipped models
    counts = run_pipeline(engine, pipeline)        # what the current models have not seen yet

Data flows one way: documents are read from the store in batches, every component predicts
on the whole batch, and the batch's results are written in one transaction with the marks
that say which models processed which documents (``mining.store.processed``). A run killed
at any point resumes with the next unprocessed batch; a re-run with the same models finds
nothing to do; a new model version (another ``source``) processes everything again beside
the old rows, so the two can be compared.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from mining.nlp.normalise import ConceptNormaliser
from mining.nlp.relations.candidates import sentence_spans
from mining.nlp.relations.classifier import DEFAULT_RE_MODELS, RelationClassifier
from mining.nlp.tagger_set import DEFAULT_NER_MODELS, TaggerSet
from mining.store.processed import count_pending, pending_documents, write_results
from mining.store.runs import finish_run, start_run
from mining.types import Document, Entity, Relation


@dataclass
class RunCounts:
    documents: int = 0
    entities: int = 0
    relations: int = 0
    seconds: float = 0.0

    @property
    def docs_per_s(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0


@dataclass
class BatchResult:
    doc_ids: list[str]
    entities: dict[str, list[Entity]] = field(default_factory=dict)  # by source
    relations: dict[str, list[Relation]] = field(default_factory=dict)


class Pipeline:
    """Taggers, a concept normaliser and relation classifiers, applied to batches."""

    def __init__(
        self,
        tagger: TaggerSet,
        normaliser: ConceptNormaliser | None,
        classifiers: Sequence[RelationClassifier],
    ):
        self.tagger, self.normaliser, self.classifiers = tagger, normaliser, list(classifiers)

    @classmethod
    def from_pretrained(
        cls,
        ner_models: Sequence[str | Path] | None = None,
        re_models: Sequence[str | Path] | None = None,
        device=None,
    ) -> Pipeline:
        """The given models, or the shipped ones (relation classifiers not shipped in this
        checkout are left out, so ``biomine run`` works as models are added)."""
        tagger = TaggerSet.from_pretrained(ner_models or DEFAULT_NER_MODELS, device=device)
        if re_models is None:
            re_models = [m for m in DEFAULT_RE_MODELS.values() if (m / "config.json").is_file()]
        classifiers = [RelationClassifier.from_pretrained(m, device=device) for m in re_models]
        return cls(tagger, ConceptNormaliser.load(), classifiers)

    @property
    def sources(self) -> list[str]:
        """What the store's processed marks name; the concept table counts, as its ids
        are stored on the entity rows."""
        tables = [self.normaliser.source] if self.normaliser is not None else []
        return (
            [t.source for t in self.tagger.taggers] + tables + [c.source for c in self.classifiers]
        )

    def process(self, docs: list[Document], batch_size: int = 32) -> BatchResult:
        result = BatchResult([d.id for d in docs])
        result.entities = {t.source: [] for t in self.tagger.taggers}
        if self.normaliser is not None:  # marks the documents done; it writes no rows itself
            result.entities[self.normaliser.source] = []
        result.relations = {c.source: [] for c in self.classifiers}
        for doc, found in zip(docs, self.tagger.pipe(docs, batch_size, len(docs)), strict=True):
            if self.normaliser is not None:
                found = self.normaliser.normalise(doc.text, found)
            for e in found:
                result.entities[e.source].append(e)
            sentences = sentence_spans(doc) if self.classifiers else None  # once per document
            for classifier in self.classifiers:
                result.relations[classifier.source] += classifier.relations(
                    doc, found, batch_size, sentences
                )
        return result


def run_pipeline(
    engine: Engine,
    pipeline: Pipeline,
    *,
    batch_size: int = 64,
    on_batch: Callable[[RunCounts, int], None] | None = None,
) -> RunCounts:
    """Process every stored document the pipeline's models have not processed yet; returns
    the totals. ``on_batch(totals, batch_docs)`` is called after each written batch."""
    sources = pipeline.sources
    run_id = start_run(engine, "pipeline", " + ".join(sources)[:2000], {"batch_size": batch_size})
    counts = RunCounts()
    t0 = time.perf_counter()
    status = "failed"
    try:
        for docs in pending_documents(engine, sources, batch_size):
            result = pipeline.process(docs)
            n_ent, n_rel = write_results(
                engine, result.doc_ids, result.entities, result.relations, run_id
            )
            counts.documents += len(docs)
            counts.entities += n_ent
            counts.relations += n_rel
            counts.seconds = time.perf_counter() - t0
            if on_batch:
                on_batch(counts, len(docs))
        status = "done"
    finally:
        counts.seconds = time.perf_counter() - t0
        finish_run(engine, run_id, {**counts.__dict__}, status=status)
    return counts


def pending(engine: Engine, pipeline: Pipeline) -> int:
    return count_pending(engine, pipeline.sources)
