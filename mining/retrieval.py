"""Finding the stored abstracts that answer a question: lexical, dense, and both fused.

    hits = bm25(engine, "Does aspirin prevent stroke?", k=10)       # full-text ranking
    hits = dense(engine, embedder, "Does aspirin prevent stroke?")  # cosine of embeddings
    hits = hybrid(engine, embedder, "Does aspirin prevent stroke?") # reciprocal rank fusion

``bm25`` is the store's full-text search (SQLite FTS5 ``bm25``, PostgreSQL ``ts_rank_cd``)
with the question's content words ORed: a question rarely shares every word with its abstract,
and ANDing them finds nothing for most questions (measured on PubMedQA by
``biomine eval retrieval``: see the README). ``dense`` ranks by the cosine between the
question's vector and the stored vectors of the embedder's ``source`` (``biomine embed`` or
``biomine run`` stores them). ``hybrid`` fuses the two rankings by reciprocal rank fusion
(Cormack, Clarke & Büttcher, SIGIR 2009): a document scores ``sum 1 / (60 + rank)`` over the
rankings it appears in, which needs no score calibration between BM25 and cosines.

Reads go through ``mining.store.queries``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from mining.store.queries import nearest_documents, search_documents

RRF_K = 60  # the constant of Cormack et al.; ranks count from 1
DEPTH = 100  # how deep each ranking goes into the fusion


@dataclass(frozen=True, slots=True)
class Hit:
    doc_id: str
    score: float  # higher is better; comparable within one ranking only


def bm25(engine: Engine, query: str, k: int = 10, *, match: str = "any") -> list[Hit]:
    """The ``k`` best documents by full-text rank of ``query``'s terms (``match="all"``:
    only documents holding every term, as ``biomine search`` does)."""
    return [Hit(h.doc_id, h.score) for h in search_documents(engine, query, k, match=match)]


def dense(engine: Engine, embedder, query: str, k: int = 10) -> list[Hit]:
    """The ``k`` stored documents nearest ``query`` among those ``embedder`` embedded."""
    return dense_many(engine, embedder, [query], k)[0]


def dense_many(engine: Engine, embedder, queries: Sequence[str], k: int = 10) -> list[list[Hit]]:
    """``dense`` for many queries in one pass over the stored vectors."""
    if not queries:
        return []
    vectors = embedder.encode_queries(list(queries))
    found = nearest_documents(engine, embedder.source, vectors, k)
    return [[Hit(h.doc_id, h.score) for h in hits] for hits in found]


def rrf(rankings: Sequence[Sequence[str]], k: int = 10, constant: int = RRF_K) -> list[Hit]:
    """Reciprocal rank fusion of ranked doc-id lists (best first): the ``k`` best by
    ``sum 1 / (constant + rank)``, ties by doc id."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, doc_id in enumerate(ranking, start=1):
            scores[doc_id] = scores.get(doc_id, 0.0) + 1.0 / (constant + rank)
    best = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:k]
    return [Hit(doc_id, score) for doc_id, score in best]


def hybrid(engine: Engine, embedder, query: str, k: int = 10, *, depth: int = DEPTH) -> list[Hit]:
    """``bm25`` and ``dense`` rankings (``depth`` deep each) fused by ``rrf``."""
    lexical = [h.doc_id for h in bm25(engine, query, depth)]
    semantic = [h.doc_id for h in dense(engine, embedder, query, depth)]
    return rrf([lexical, semantic], k)
