"""Stored document vectors: writing them, and the nearest ones to a query by cosine.

Why a brute-force scan in numpy and no vector index: at the scale this store is used at
(thousands to a few hundred thousand abstracts) a matrix product over float16 vectors read in
chunks takes milliseconds to a second, needs no new dependency and gives the exact neighbours
on SQLite and PostgreSQL alike. Memory stays bounded: vectors are read ``chunk`` rows at a
time (keyset paging on the (source, doc_id) index) and only the best ``k`` per query are kept
between chunks. At PubMed scale (36M abstracts x 384 dims = 27 GB in float16) a user would
switch to an approximate index: pgvector's HNSW on PostgreSQL, or FAISS/hnswlib files beside
a SQLite store; the read API below (``nearest_documents``) is the seam to put it behind.

Vectors are stored as little-endian float16 (half the bytes of float32; a unit vector's
components round to about 1e-3 relative, which moves cosines by about 1e-4, far below the gaps
that decide a ranking) and searched in float32.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection, Engine, delete, func, select

from mining.store.schema import embeddings

STORED = np.dtype("<f2")
DEFAULT_CHUNK = 8192


@dataclass(frozen=True, slots=True)
class VectorHit:
    doc_id: str
    score: float  # cosine similarity (vectors are unit length)


def encode_vector(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).astype(STORED).tobytes()


def decode_vector(data: bytes, dim: int | None = None) -> np.ndarray:
    vector = np.frombuffer(data, dtype=STORED).astype(np.float32)
    if dim is not None and vector.size != dim:
        raise ValueError(f"stored vector has {vector.size} values, its row says {dim}")
    return vector


def replace_embeddings(
    connection: Connection,
    doc_ids: Sequence[str],
    source: str,
    vectors: Mapping[str, np.ndarray],
    run_id: int | None = None,
) -> int:
    """Swap one model's vectors for ``doc_ids`` (inside the caller's transaction); returns
    how many were written."""
    if doc_ids:
        connection.execute(
            delete(embeddings).where(
                embeddings.c.doc_id.in_(list(doc_ids)), embeddings.c.source == source
            )
        )
    rows = [
        {
            "doc_id": doc_id,
            "source": source,
            "dim": int(np.asarray(vector).size),
            "vector": encode_vector(vector),
            "run_id": run_id,
        }
        for doc_id, vector in vectors.items()
    ]
    if rows:
        connection.execute(embeddings.insert(), rows)
    return len(rows)


def embedding_sources(engine: Engine) -> dict[str, int]:
    """The embedding models in the store, with how many documents each has embedded."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(embeddings.c.source, func.count())
            .group_by(embeddings.c.source)
            .order_by(embeddings.c.source)
        ).all()
    return {source: n for source, n in rows}


def iter_embeddings(
    engine: Engine, source: str, chunk: int = DEFAULT_CHUNK
) -> Iterator[tuple[list[str], np.ndarray]]:
    """``(doc ids, float32 matrix)`` of one model's vectors, ``chunk`` rows at a time, in
    doc-id order."""
    last = None
    while True:
        query = select(embeddings.c.doc_id, embeddings.c.dim, embeddings.c.vector).where(
            embeddings.c.source == source
        )
        if last is not None:
            query = query.where(embeddings.c.doc_id > last)
        with engine.connect() as connection:
            rows = connection.execute(query.order_by(embeddings.c.doc_id).limit(chunk)).all()
        if not rows:
            return
        dims = {r.dim for r in rows}
        if len(dims) != 1:
            raise ValueError(f"vectors of {source} have several sizes: {sorted(dims)}")
        matrix = np.frombuffer(b"".join(r.vector for r in rows), dtype=STORED)
        yield [r.doc_id for r in rows], matrix.reshape(len(rows), dims.pop()).astype(np.float32)
        last = rows[-1].doc_id


def nearest_documents(
    engine: Engine,
    source: str,
    queries: np.ndarray,
    k: int = 10,
    *,
    chunk: int = DEFAULT_CHUNK,
) -> list[list[VectorHit]]:
    """For each row of ``queries`` (unit vectors, ``n x dim``), the ``k`` stored documents of
    ``source`` with the highest cosine, best first (ties by doc id); one pass over the store
    for all queries."""
    queries = np.atleast_2d(np.asarray(queries, dtype=np.float32))
    n = queries.shape[0]
    best_scores = np.full((n, 0), -np.inf, dtype=np.float32)
    best_ids = np.empty((n, 0), dtype=object)
    for ids, matrix in iter_embeddings(engine, source, chunk):
        if matrix.shape[1] != queries.shape[1]:
            raise ValueError(
                f"query vectors have {queries.shape[1]} values, those of {source} "
                f"{matrix.shape[1]}: embed the query with the same model"
            )
        scores = np.concatenate([best_scores, queries @ matrix.T], axis=1)
        chunk_ids = np.broadcast_to(np.array(ids, dtype=object), (n, len(ids)))
        names = np.concatenate([best_ids, chunk_ids], axis=1)
        if scores.shape[1] > k:
            keep = np.argpartition(-scores, k - 1, axis=1)[:, :k]
            scores = np.take_along_axis(scores, keep, axis=1)
            names = np.take_along_axis(names, keep, axis=1)
        best_scores, best_ids = scores, names
    results = []
    for row_scores, row_ids in zip(best_scores, best_ids, strict=True):
        pairs = zip(row_scores.tolist(), row_ids.tolist(), strict=True)
        pairs = sorted(pairs, key=lambda p: (-p[0], p[1]))
        results.append([VectorHit(doc_id, float(score)) for score, doc_id in pairs])
    return results
