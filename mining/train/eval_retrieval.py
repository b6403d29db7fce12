"""Retrieval benchmark: can a PubMedQA question find its own abstract among the corpora's?

The store is filled with the abstracts of the shared corpora's training and development sets
(BC5CDR train + dev, NCBI disease train + dev, the PubMed XML sample, ChemProt train + dev,
HoC; a missing one is skipped and named) and, last, one document per PubMedQA PQA-L question:
``pmid:<PMID>`` with an **empty title** and the question's CONTEXTS joined as the abstract.
The question is never put into its document (PubMedQA questions are often the article's
title, which would make the benchmark trivial), nor is the long answer (the abstract's
conclusion). Loaded last, a PubMedQA document replaces a copy of the same PMID read from
another corpus (with its title), so no title leaks in that way either.

Each question is then asked of ``bm25`` (content words ORed), ``dense`` and ``hybrid``
(``mining.retrieval``), and recall@k is the share of questions whose own document is among
the first k hits.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from itertools import islice
from pathlib import Path

from sqlalchemy import Engine

from mining.corpus.detect import read_any
from mining.corpus.pubmedqa import read_pubmedqa
from mining.retrieval import DEPTH, bm25, convex, dense_many, rrf
from mining.store.write_documents import store_documents
from mining.types import Document, pmid_id

DATA_ENV = "BIOMINE_DATA"
CHECKOUT_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
PUBMEDQA = "pubmedqa/pqal_trainval.json"
CORPORA = (
    "bc5cdr/pubtator/CDR_TrainingSet.PubTator.txt",
    "bc5cdr/pubtator/CDR_DevelopmentSet.PubTator.txt",
    "ncbi_disease/original/NCBItrainset_corpus.txt",
    "ncbi_disease/original/NCBIdevelopset_corpus.txt",
    "pubmed_xml/pubmedsample18n0001.xml.gz",
    "pubmed_xml/pubmed-29768149.xml",
    "chemprot/original/chemprot_training",
    "chemprot/original/chemprot_development",
    "hoc/original/text",  # one file a PMID: title line, then the abstract's sentences
)
KS = (1, 10)
METHODS = ("bm25", "dense", "hybrid", "rrf")  # hybrid: the convex combination ask uses


def data_dir(given: str | Path | None = None) -> Path:
    """``given``, else ``$BIOMINE_DATA``, else ``shared/data`` beside the checkout."""
    return Path(given or os.environ.get(DATA_ENV) or CHECKOUT_DATA).expanduser()


def pubmedqa(path: Path, limit: int | None = None) -> tuple[list[Document], dict[str, str]]:
    """PubMedQA's documents (empty title, CONTEXTS as the abstract) and questions by doc id."""
    records = read_pubmedqa(path)[:limit]
    return [r.document() for r in records], {r.doc_id: r.question for r in records}


def corpus_documents(
    folder: Path, limit: int | None = None, on_missing: Callable[[str], None] | None = None
) -> Iterator[Document]:
    """The documents of every corpus of ``CORPORA`` present (``limit`` a corpus), without
    their gold annotations (only the text matters here)."""
    for relative in CORPORA:
        path = folder / relative
        if not path.exists():
            if on_missing:
                on_missing(relative)
            continue
        docs = (d for d in read_any(path, on_error=lambda _e: None) if isinstance(d, Document))
        for doc in islice(docs, limit):
            doc_id = doc.id
            if doc_id.startswith("file:") and doc_id[5:].isdigit():  # HoC: <PMID>.txt
                doc_id = pmid_id(doc_id[5:])
            yield Document(doc_id, doc.title, doc.abstract, {"corpus": relative.split("/")[0]})


def load(
    engine: Engine,
    folder: Path,
    *,
    limit_docs: int | None = None,
    limit_questions: int | None = None,
    on_missing: Callable[[str], None] | None = None,
) -> dict[str, str]:
    """Store the benchmark's documents; returns the questions by the id of their document."""
    qa_docs, questions = pubmedqa(folder / PUBMEDQA, limit_questions)
    store_documents(engine, corpus_documents(folder, limit_docs, on_missing))
    store_documents(engine, qa_docs)
    return questions


def recall(rankings: Sequence[Sequence[str]], gold: Sequence[str], ks=KS) -> dict[str, float]:
    """Share of queries whose gold id is among the first k of its ranking, for each k."""
    n = len(gold)
    return {
        f"recall@{k}": round(sum(g in r[:k] for r, g in zip(rankings, gold, strict=True)) / n, 4)
        if n
        else 0.0
        for k in ks
    }


def evaluate(
    engine: Engine, embedder, questions: dict[str, str], depth: int = DEPTH
) -> dict[str, dict[str, float]]:
    """Recall@1 and @10 of each method over ``questions`` (doc id -> question)."""
    gold = list(questions)
    texts = [questions[d] for d in gold]
    lexical = [bm25(engine, q, depth) for q in texts]
    semantic = dense_many(engine, embedder, texts, depth)
    pairs = list(zip(lexical, semantic, strict=True))
    rankings = (
        lexical,
        semantic,
        [convex(a, b, depth) for a, b in pairs],
        [rrf([ids(a), ids(b)], depth) for a, b in pairs],
    )
    return {
        name: recall([ids(hits) for hits in ranking], gold)
        for name, ranking in zip(METHODS, rankings, strict=True)
    }


def ids(hits: Sequence) -> list[str]:
    return [h.doc_id for h in hits]


def benchmark(
    engine: Engine,
    embedder,
    folder: Path,
    *,
    limit_docs: int | None = None,
    limit_questions: int | None = None,
    batch_size: int = 64,
    on_missing: Callable[[str], None] | None = None,
) -> dict:
    """Load, embed (what is not embedded yet, through the pipeline) and evaluate."""
    from mining.pipeline import Pipeline, run_pipeline
    from mining.store.stats import store_stats

    t0 = time.perf_counter()
    questions = load(
        engine,
        folder,
        limit_docs=limit_docs,
        limit_questions=limit_questions,
        on_missing=on_missing,
    )
    run_pipeline(engine, Pipeline([embedder]), batch_size=batch_size)
    scores = evaluate(engine, embedder, questions)
    return {
        **scores,
        "documents": store_stats(engine).documents,
        "questions": len(questions),
        "model": embedder.source,
        "seconds": round(time.perf_counter() - t0, 1),
    }
