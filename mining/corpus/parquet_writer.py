"""Parquet export: one row per document with its entities and relations as nested lists,
written in row groups so a large database streams through in bounded memory."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict
from itertools import islice
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from mining.types import Document, Relation

# Scores in an exported file are float32 (4 bytes each).
EXPORT_SCORE = pa.float32()


def entity_type(score: pa.DataType = EXPORT_SCORE) -> pa.StructType:
    """An entity as an Arrow struct (its document is the row's)."""
    return pa.struct(
        [
            ("start", pa.int32()),
            ("end", pa.int32()),
            ("text", pa.string()),
            ("label", pa.string()),
            ("concept_id", pa.string()),
            ("score", score),
            ("source", pa.string()),
        ]
    )


def relation_type(
    score: pa.DataType = EXPORT_SCORE, extra: tuple[tuple[str, pa.DataType], ...] = ()
) -> pa.StructType:
    """A relation as an Arrow struct (its document is the row's), ``extra`` fields after."""
    return pa.struct(
        [
            ("head", pa.string()),
            ("tail", pa.string()),
            ("label", pa.string()),
            ("score", score),
            ("evidence_start", pa.int32()),
            ("evidence_end", pa.int32()),
            ("source", pa.string()),
            *extra,
        ]
    )


def relation_fields(r: Relation) -> dict:
    """The values of ``relation_type``'s own fields."""
    return {
        "head": r.head,
        "tail": r.tail,
        "label": r.label,
        "score": r.score,
        "evidence_start": r.evidence[0] if r.evidence else None,
        "evidence_end": r.evidence[1] if r.evidence else None,
        "source": r.source,
    }


_ENTITY = entity_type()
_RELATION = relation_type()
SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("title", pa.string()),
        ("abstract", pa.string()),
        ("journal", pa.string()),
        ("year", pa.int32()),
        ("meta_json", pa.string()),  # format-specific fields vary too much for fixed columns
        ("entities", pa.list_(_ENTITY)),
        ("relations", pa.list_(_RELATION)),
    ]
)


def write_parquet(docs: Iterable[Document], path: str | Path, row_group_size: int = 2000) -> int:
    """Write documents to ``path``; returns how many were written."""
    written = 0
    iterator = iter(docs)
    with pq.ParquetWriter(str(path), SCHEMA, compression="zstd") as writer:
        while chunk := list(islice(iterator, row_group_size)):
            writer.write_table(pa.Table.from_pylist([_row(doc) for doc in chunk], SCHEMA))
            written += len(chunk)
    return written


def _row(doc: Document) -> dict:
    return {
        "id": doc.id,
        "title": doc.title,
        "abstract": doc.abstract,
        "journal": doc.meta.get("journal"),
        "year": doc.meta.get("year"),
        "meta_json": json.dumps(doc.meta, ensure_ascii=False, default=str),
        # Extra keys (doc_id) are ignored by the struct type.
        "entities": [asdict(e) for e in doc.entities],
        "relations": [relation_fields(r) for r in doc.relations],
    }
