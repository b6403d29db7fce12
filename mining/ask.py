"""Answer a PubMedQA-style question from the store: retrieve, read, aggregate, record.

1. **Retrieve** the ``k`` best abstracts (``mining.retrieval``: ``hybrid`` fuses BM25 with the
   dense ranking of the embedder's stored vectors; with no vectors stored it is BM25 alone,
   and ``AskResult.retrieval`` says so).
2. **Read** each with the reader (``mining.nlp.qa``): yes / no / maybe probabilities and the
   sentence that weighs most.
3. **Aggregate**: the answer's probabilities are the mean of the abstracts' probabilities
   weighted by ``1 / rank`` (the first hit counts as much as the next two together: the
   ranking, not the reader, knows which abstract is about the question); the answer is the
   most probable label.
4. **Record** the question, the answer and every abstract's answer in the store (``questions``
   and ``answers``), under a ``qa`` run that names the reader, the retrieval and ``k``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine

from mining.nlp.qa.answers import LABELS
from mining.retrieval import Hit, bm25, hybrid
from mining.store.embeddings import embedding_sources
from mining.store.read_documents import documents_by_id
from mining.types import Answer, Document

HYBRID, BM25 = "hybrid", "bm25"
READER_ENV = "BIOMINE_READER"  # the reader `biomine ui --reader` hands to the web app


@dataclass(frozen=True)
class ReadAbstract:
    rank: int
    hit: Hit
    document: Document
    answer: Answer

    @property
    def evidence_text(self) -> str | None:
        span = self.answer.evidence
        return self.document.text[span[0] : span[1]] if span else None


@dataclass(frozen=True)
class AskResult:
    question: str
    label: str | None  # None when nothing was retrieved
    probs: dict[str, float]
    abstracts: list[ReadAbstract]
    retrieval: str  # what ranked the abstracts: hybrid, or bm25 when no vectors are stored
    question_id: int | None = None  # its row in the store, once recorded


def aggregate(answers: list[Answer]) -> tuple[str, dict[str, float]]:
    """The ``1 / rank`` weighted mean of the answers' probabilities (answers in rank order)
    and its most probable label."""
    weights = np.array([1.0 / rank for rank in range(1, len(answers) + 1)])
    probs = np.array([[a.probs[x] for x in LABELS] for a in answers])
    mean = (weights[:, None] * probs).sum(axis=0) / weights.sum()
    probabilities = {x: round(float(p), 4) for x, p in zip(LABELS, mean, strict=True)}
    return LABELS[int(mean.argmax())], probabilities


def retrieve(engine: Engine, question: str, k: int, embedder=None) -> tuple[list[Hit], str]:
    """The ``k`` best hits and the method that ranked them."""
    if embedder is not None and embedding_sources(engine).get(embedder.source):
        return hybrid(engine, embedder, question, k), HYBRID
    return bm25(engine, question, k), BM25


def ask(engine: Engine, question: str, reader, *, k: int = 10, embedder=None) -> AskResult:
    """Retrieve, read and aggregate (steps 1-3); nothing is written."""
    question = " ".join(question.split())
    if not question:
        raise ValueError("the question is empty")
    hits, method = retrieve(engine, question, k, embedder)
    docs = documents_by_id(engine, [h.doc_id for h in hits])
    hits = [h for h in hits if h.doc_id in docs]  # a hit deleted meanwhile is skipped
    if not hits:
        return AskResult(question, None, {}, [], method)
    answers = reader.answers(question, [docs[h.doc_id] for h in hits])
    label, probs = aggregate(answers)
    abstracts = [
        ReadAbstract(rank, hit, docs[hit.doc_id], answer)
        for rank, (hit, answer) in enumerate(zip(hits, answers, strict=True), start=1)
    ]
    return AskResult(question, label, probs, abstracts, method)


def record(engine: Engine, result: AskResult, *, k: int, source: str) -> AskResult:
    """Store a result (step 4) under a finished ``qa`` run; the result with its question id."""
    from dataclasses import replace

    from mining.store.questions import write_question
    from mining.store.runs import finish_run, start_run

    config = {"question": result.question, "k": k, "retrieval": result.retrieval}
    run_id = start_run(engine, "qa", source, config)
    try:
        question_id = write_question(
            engine,
            result.question,
            result.label,
            result.probs,
            [(a.answer, a.hit.score) for a in result.abstracts],
            k=k,
            retrieval=result.retrieval,
            source=source,
            run_id=run_id,
        )
    except BaseException:
        finish_run(engine, run_id, {}, status="failed")
        raise
    finish_run(engine, run_id, {"answers": len(result.abstracts)})
    return replace(result, question_id=question_id)
