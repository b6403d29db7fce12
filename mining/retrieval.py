"""Finding the stored abstracts that answer a question: lexical, dense, and both fused.

    hits = bm25(engine, "Does aspirin prevent stroke?", k=10)       # full-text ranking
    hits = dense(engine, embedder, "Does aspirin prevent stroke?")  # cosine of embeddings
    hits = hybrid(engine, embedder, "Does aspirin prevent stroke?") # both, scores combined

``bm25`` is the store's full-text search (SQLite FTS5 ``bm25``, PostgreSQL ``ts_rank_cd``)
with the question's content words ORed: a question rarely shares every word with its abstract,
and ANDing them finds nothing for most questions (measured on PubMedQA by
``biomine eval retrieval``: see the README). ``dense`` ranks by the cosine between the
question's vector and the stored vectors of the embedder's ``source`` (``biomine embed`` or
``biomine run`` stores them). ``hybrid`` fuses the two by a convex combination of their
scores, each min-max normalised over its ``depth`` hits (Bruch, Gai & Ingber, "An Analysis
of Fusion Functions for Hybrid Retrieval", TOIS 2023, found it better than rank fusion and
robust to its weight; the weight here is an even 0.5, fixed before any measurement): a
document absent from one ranking gets that ranking's lowest normalised score, 0. ``rrf`` is
reciprocal rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009), ``sum 1 / (60 + rank)``,
which ignores the scores' gaps: a dense first hit far ahead of its second counts no more
than a near tie (``biomine eval retrieval`` reports both).

Reads go through ``mining.store.queries``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from mining.store.queries import nearest_documents, search_documents

RRF_K = 60  # the constant of Cormack et al.; ranks count from 1
DENSE_WEIGHT = 0.5  # of the convex combination; the lexical score weighs the rest
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


def min_max(hits: Sequence[Hit]) -> dict[str, float]:
    """Scores mapped onto [0, 1] over the hits (all 1 when they tie)."""
    if not hits:
        return {}
    low, high = min(h.score for h in hits), max(h.score for h in hits)
    span = high - low
    return {h.doc_id: (h.score - low) / span if span > 0 else 1.0 for h in hits}


def convex(
    lexical: Sequence[Hit], semantic: Sequence[Hit], k: int = 10, weight: float = DENSE_WEIGHT
) -> list[Hit]:
    """The ``k`` best by ``weight * dense + (1 - weight) * lexical`` of min-max normalised
    scores (0 where a ranking lacks the document), ties by doc id."""
    a, b = min_max(lexical), min_max(semantic)
    scores = {d: (1 - weight) * a.get(d, 0.0) + weight * b.get(d, 0.0) for d in a.keys() | b}
    best = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:k]
    return [Hit(doc_id, score) for doc_id, score in best]


def hybrid(engine: Engine, embedder, query: str, k: int = 10, *, depth: int = DEPTH) -> list[Hit]:
    """``bm25`` and ``dense`` hits (``depth`` deep each) fused by ``convex``."""
    return convex(bm25(engine, query, depth), dense(engine, embedder, query, depth), k)
