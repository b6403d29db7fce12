"""Documents and pipeline results as Arrow rows: what the Ray engine's Parquet shards hold.

Two row types, one row per document each:

- a **document row** (``DOCUMENT_SCHEMA``): id, title, abstract, meta (JSON) and the stored
  content hash, so results are only ever written onto the text they were computed from;
- a **result row** (``RESULT_SCHEMA``): what the pipeline made of one document, every
  model's entities, relations (with the mentions they were read from) and vectors, or the
  component and error that made it fail.

A result row carries the whole of one document's results, so any set of rows can be written
to the store on its own (``mining.engines.shards``): a shard split or loaded twice never
leaves half a document behind.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict

import numpy as np
import pyarrow as pa

from mining.corpus.parquet_writer import entity_type, relation_fields, relation_type
from mining.nlp.component import Component
from mining.pipeline import BatchResult, Failure, empty_result
from mining.pipeline_plan import ComponentSpec
from mining.types import Document, Entity, Relation

DOCUMENT_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("title", pa.string()),
        ("abstract", pa.string()),
        ("meta", pa.string()),
        ("content_hash", pa.string()),
    ]
)

_MENTION = pa.struct(
    [("start", pa.int32()), ("end", pa.int32()), ("label", pa.string()), ("source", pa.string())]
)
# Scores in full precision: the store holds float64, and both engines must store the same.
_ENTITY = entity_type(score=pa.float64())
_RELATION = relation_type(
    score=pa.float64(), extra=(("head_mention", _MENTION), ("tail_mention", _MENTION))
)
_VECTOR = pa.struct([("source", pa.string()), ("vector", pa.list_(pa.float32()))])
RESULT_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("content_hash", pa.string()),
        ("failed_component", pa.string()),  # null unless the document failed
        ("error", pa.string()),
        ("entities", pa.list_(_ENTITY)),
        ("relations", pa.list_(_RELATION)),
        ("embeddings", pa.list_(_VECTOR)),
    ]
)


def document_table(docs: Sequence[Document], hashes: dict[str, str]) -> pa.Table:
    rows = [
        {
            "id": d.id,
            "title": d.title,
            "abstract": d.abstract,
            "meta": json.dumps(d.meta, ensure_ascii=False),
            "content_hash": hashes[d.id],
        }
        for d in docs
    ]
    return pa.Table.from_pylist(rows, schema=DOCUMENT_SCHEMA)


def documents_from_table(table: pa.Table) -> tuple[list[Document], dict[str, str]]:
    """The documents of a table of document rows, and their content hashes by id."""
    rows = table.to_pylist()
    docs = [Document(r["id"], r["title"], r["abstract"], json.loads(r["meta"])) for r in rows]
    return docs, {r["id"]: r["content_hash"] for r in rows}


def result_table(docs: Sequence[Document], hashes: dict[str, str], result: BatchResult) -> pa.Table:
    """One result row for each of ``docs`` from what ``Pipeline.process`` returned."""
    entities, relations, vectors = defaultdict(list), defaultdict(list), defaultdict(list)
    for rows in result.entities.values():
        for e in rows:
            entities[e.doc_id].append(asdict(e))  # the struct leaves doc_id out
    for rows in result.relations.values():
        for r in rows:
            relations[r.doc_id].append(_relation_row(r))
    for source, by_doc in result.embeddings.items():
        for doc_id, vector in by_doc.items():
            vectors[doc_id].append(
                {"source": source, "vector": np.asarray(vector, dtype=np.float32).tolist()}
            )
    failed = {f.doc_id: f for f in result.failures}
    rows = [
        {
            "doc_id": d.id,
            "content_hash": hashes[d.id],
            "failed_component": failed[d.id].component if d.id in failed else None,
            "error": failed[d.id].error if d.id in failed else None,
            "entities": entities[d.id],
            "relations": relations[d.id],
            "embeddings": vectors[d.id],
        }
        for d in docs
    ]
    return pa.Table.from_pylist(rows, schema=RESULT_SCHEMA)


def result_from_rows(
    rows: Sequence[dict], parts: Sequence[Component] | Sequence[ComponentSpec]
) -> BatchResult:
    """The ``BatchResult`` that result rows were made from, with an (empty) entry for every
    source of the pipeline ``parts``: what ``write_results`` takes."""
    failures = [
        Failure(r["doc_id"], r["failed_component"], r["error"])
        for r in rows
        if r["failed_component"] is not None
    ]
    done = [r for r in rows if r["failed_component"] is None]
    result = empty_result([r["doc_id"] for r in done], parts, failures)
    for row in done:
        doc_id = row["doc_id"]
        mentions = {}
        for e in row["entities"]:
            entity = Entity(doc_id, **e)
            mentions[_mention_key(e)] = entity
            result.entities.setdefault(entity.source, []).append(entity)
        for r in row["relations"]:
            relation = _relation(doc_id, r, mentions)
            result.relations.setdefault(relation.source, []).append(relation)
        for v in row["embeddings"]:
            vector = np.asarray(v["vector"], dtype=np.float32)
            result.embeddings.setdefault(v["source"], {})[doc_id] = vector
    return result


def _relation_row(r: Relation) -> dict:
    return relation_fields(r) | {
        "head_mention": _mention_row(r.head_mention),
        "tail_mention": _mention_row(r.tail_mention),
    }


def _mention_row(e: Entity | None) -> dict | None:
    if e is None:
        return None
    return {"start": e.start, "end": e.end, "label": e.label, "source": e.source}


def _mention_key(m: dict) -> tuple:
    return (m["start"], m["end"], m["label"], m["source"])


def _relation(doc_id: str, r: dict, mentions: dict[tuple, Entity]) -> Relation:
    def mention(m: dict | None) -> Entity | None:
        if m is None:
            return None
        # A mention is one of the document's entities; the store finds its row by this key.
        return mentions.get(_mention_key(m)) or Entity(
            doc_id, m["start"], m["end"], "", m["label"], source=m["source"]
        )

    has_evidence = r["evidence_start"] is not None
    return Relation(
        doc_id,
        r["head"],
        r["tail"],
        r["label"],
        r["score"],
        (r["evidence_start"], r["evidence_end"]) if has_evidence else None,
        r["source"],
        mention(r["head_mention"]),
        mention(r["tail_mention"]),
    )
