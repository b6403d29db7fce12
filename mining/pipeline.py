"""The mining pipeline over stored documents: an ordered list of components.

    pipeline = Pipeline.from_pretrained()    # sentences, taggers, concepts, relations, embedder
    counts = run_pipeline(engine, pipeline)  # what these models have not seen yet

Data flows one way: documents are read from the store in batches, each component in turn
predicts on the whole batch and writes its results onto working copies of the documents, and
the batch's rows are written in one transaction with the marks that say which component
processed which document (``mining.store.processed``). A run killed at any point resumes
with the next unprocessed batch; a re-run with the same models finds nothing to do; a new
model version (another ``source``) processes everything again beside the old rows.

A document that makes a component fail (too long, bad characters, a model error) is recorded
with the component and the error, skipped, and reported; the rest of the batch goes on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import Engine

from mining.nlp.batching import DEFAULT_BATCH_TOKENS
from mining.nlp.component import EMBEDDINGS, Component, PipelineError, check_order
from mining.nlp.embeddings import META_KEY as EMBEDDINGS_KEY
from mining.pipeline_plan import ComponentSpec, plan
from mining.store.processed import count_pending, pending_documents, write_results
from mining.store.runs import finish_run, start_run
from mining.types import Document, Entity, Relation

log = logging.getLogger(__name__)

# A PubMed abstract is under 10,000 characters and a full-text article under 200,000; longer
# "documents" are usually broken records, and would hold their whole batch back.
DEFAULT_MAX_CHARS = 200_000
INPUT = "input"  # the component named in a failure of the document itself (its size)


@dataclass(frozen=True, slots=True)
class Failure:
    doc_id: str
    component: str  # the source of the component that failed, or INPUT
    error: str


@dataclass
class RunCounts:
    documents: int = 0
    entities: int = 0
    relations: int = 0
    embeddings: int = 0
    seconds: float = 0.0
    failures: list[Failure] = field(default_factory=list)

    @property
    def docs_per_s(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        return {
            "documents": self.documents,
            "entities": self.entities,
            "relations": self.relations,
            "embeddings": self.embeddings,
            "failures": len(self.failures),
            "seconds": round(self.seconds, 3),
        }


@dataclass
class BatchResult:
    doc_ids: list[str]  # the documents processed (failed ones are not among them)
    entities: dict[str, list[Entity]] = field(default_factory=dict)  # by source
    relations: dict[str, list[Relation]] = field(default_factory=dict)
    embeddings: dict[str, dict[str, object]] = field(default_factory=dict)  # {doc id: vector}
    failures: list[Failure] = field(default_factory=list)


class Pipeline:
    """Components applied in order to batches of documents; checked at construction."""

    def __init__(self, components: Sequence[Component], max_chars: int = DEFAULT_MAX_CHARS):
        check_order(components)
        self.components = list(components)
        self.max_chars = max_chars

    @classmethod
    def from_pretrained(
        cls,
        ner_models: Sequence[str | Path] | None = None,
        re_models: Sequence[str | Path] | None = None,
        concepts: str | Path | None = None,
        *,
        embed_model: str | Path | None = None,
        embeddings: bool = False,
        device: str | None = None,
        dtype: str | None = None,
        max_chars: int = DEFAULT_MAX_CHARS,
        batch_tokens: int | None = DEFAULT_BATCH_TOKENS,
    ) -> Pipeline:
        """The given models, or the shipped ones (and the embedder last with ``embeddings``);
        every model is checked before any loads."""
        specs = plan(ner_models, re_models, concepts, embed_model, embeddings=embeddings)
        return cls.load(specs, device, dtype, max_chars, batch_tokens)

    @classmethod
    def load(
        cls,
        specs: Sequence[ComponentSpec],
        device: str | None = None,
        dtype: str | None = None,
        max_chars: int = DEFAULT_MAX_CHARS,
        batch_tokens: int | None = DEFAULT_BATCH_TOKENS,
    ) -> Pipeline:
        check_order(specs)
        components = [s.load(device=device, dtype=dtype) for s in specs]
        for component in components:
            component.batch_tokens = batch_tokens
        return cls(components, max_chars)

    @property
    def sources(self) -> list[str]:
        """What the store's processed marks name: every component that writes rows or
        changes them (the concept table, whose ids are stored on the entity rows)."""
        return [c.source for c in self.components if c.marks]

    def process(self, docs: Sequence[Document], batch_size: int = 32) -> BatchResult:
        """Run every component over working copies of ``docs`` (what they carry from the
        store is not touched); a document that fails is reported in ``failures``."""
        failures = [
            Failure(d.id, INPUT, f"{len(d.text):,} characters, over the limit of "
                    f"{self.max_chars:,} (--max-chars)")
            for d in docs
            if len(d.text) > self.max_chars
        ]  # fmt: skip
        too_long = {f.doc_id for f in failures}
        work = [
            replace(d, entities=[], relations=[], meta=dict(d.meta))
            for d in docs
            if d.id not in too_long
        ]
        for component in self.components:
            work, failed = apply_isolated(component, work, batch_size)
            failures += failed
        result = empty_result([d.id for d in work], self.components, failures)
        for source, vectors in result.embeddings.items():
            vectors.update(
                (d.id, d.meta[EMBEDDINGS_KEY][source])
                for d in work
                if source in d.meta.get(EMBEDDINGS_KEY, {})
            )
        for doc in work:
            for e in doc.entities:
                result.entities.setdefault(e.source, []).append(e)
            for r in doc.relations:
                result.relations.setdefault(r.source, []).append(r)
        return result


def empty_result(
    doc_ids: list[str],
    parts: Sequence[Component] | Sequence[ComponentSpec],
    failures: list[Failure] | None = None,
) -> BatchResult:
    """A result with an empty entry for every source that ``parts`` write, so that
    ``write_results`` replaces each one's rows even for documents where it found nothing."""
    result = BatchResult(doc_ids, failures=failures or [])
    for part in parts:
        if "entities" in part.assigns:
            result.entities[part.source] = []
        if "relations" in part.assigns:
            result.relations[part.source] = []
        if EMBEDDINGS in part.assigns:
            result.embeddings[part.source] = {}
    return result


def apply_isolated(
    component: Component, docs: list[Document], batch_size: int
) -> tuple[list[Document], list[Failure]]:
    """``component`` over the batch; when it fails, over each document alone, so one bad
    document costs only itself. A component that fails on every document of a batch of
    several is broken, not the documents: that ends the run (``PipelineError``)."""
    if not docs:
        return docs, []
    saved = [(d.entities, d.relations, dict(d.meta)) for d in docs]
    try:
        return list(component.pipe(docs, batch_size)), []
    except Exception as error:  # noqa: BLE001 - any model error is one document's problem
        if len(docs) == 1:
            return [], [failure(docs[0], component, error)]
        log.debug("%r failed on a batch (%s); retrying one document at a time", component, error)
    kept, failures = [], []
    for doc, (entities, relations, meta) in zip(docs, saved, strict=True):
        doc.entities, doc.relations, doc.meta = entities, relations, meta
        try:
            kept += list(component.pipe([doc], batch_size))
        except Exception as error:  # noqa: BLE001
            failures.append(failure(doc, component, error))
    if not kept:
        raise PipelineError(f"{component!r} failed on every document of a batch: "
                            f"{failures[0].error}")  # fmt: skip
    return kept, failures


def failure(doc: Document, component: Component, error: BaseException) -> Failure:
    message = str(error).strip().splitlines()[0][:500] if str(error).strip() else ""
    log.warning("%s: %r failed: %s", doc.id, component, message or type(error).__name__)
    return Failure(doc.id, component.source, f"{type(error).__name__}: {message}".rstrip(": "))


def run_pipeline(
    engine: Engine,
    pipeline: Pipeline,
    *,
    batch_size: int = 64,
    on_batch: Callable[[RunCounts, int], None] | None = None,
) -> RunCounts:
    """Process every stored document the pipeline's components have not processed yet;
    returns the totals (with the failures). ``on_batch(totals, batch_docs)`` is called after
    each written batch. Nothing pending: no run is recorded."""
    sources = pipeline.sources
    counts = RunCounts()
    if count_pending(engine, sources) == 0:
        return counts
    run_id = start_run(engine, "pipeline", " + ".join(sources)[:2000], {"batch_size": batch_size})
    t0 = time.perf_counter()
    status = "failed"
    try:
        for docs in pending_documents(engine, sources, batch_size):
            store_result(engine, pipeline.process(docs), sources, run_id, counts, len(docs))
            counts.seconds = time.perf_counter() - t0
            if on_batch:
                on_batch(counts, len(docs))
        status = "done"
    finally:
        counts.seconds = time.perf_counter() - t0
        finish_run(engine, run_id, counts.as_dict(), status=status)
    return counts


def store_result(
    engine: Engine,
    result: BatchResult,
    sources: Sequence[str],
    run_id: int | None,
    counts: RunCounts,
    documents: int,
) -> None:
    """Write one batch's rows with the processed marks of ``sources`` (one transaction) and
    add the batch (``documents`` read, failed ones included) to ``counts``."""
    n_entities, n_relations = write_results(
        engine,
        result.doc_ids,
        result.entities,
        result.relations,
        run_id,
        sources=sources,
        failures=[(f.doc_id, f"{f.component}: {f.error}") for f in result.failures],
        embeddings=result.embeddings,
    )
    counts.documents += documents
    counts.entities += n_entities
    counts.relations += n_relations
    counts.embeddings += sum(len(v) for v in result.embeddings.values())
    counts.failures += result.failures


def pending(engine: Engine, pipeline: Pipeline | Sequence[ComponentSpec]) -> int:
    sources = (
        pipeline.sources
        if isinstance(pipeline, Pipeline)
        else [s.source for s in pipeline if s.marks]
    )
    return count_pending(engine, sources)
