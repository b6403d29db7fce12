"""Bulk, idempotent writes of documents (with their gold annotations) and deletions.

Each batch is one transaction, so a killed ingest leaves whole batches or nothing, and a
re-run skips what is already stored: unchanged records are compared by content hash, a
newer PubMed version replaces the older one and drops the rows derived from it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from itertools import islice

from sqlalchemy import Connection, Engine, bindparam, delete, select, update

from mining.errors import InputError, OnError, report
from mining.store.concept_mentions import delete_entities
from mining.store.data_version import bump_data_version
from mining.store.fulltext import index_documents, unindex_documents
from mining.store.json_values import encode_json
from mining.store.pair_summary import lock_summary, relations_changing
from mining.store.schema import (
    CONCEPT_MAX,
    DERIVED_TABLES,
    DOC_ID_MAX,
    LABEL_MAX,
    SOURCE_MAX,
    documents,
    entities,
)
from mining.store.write_annotations import insert_annotations
from mining.types import Deletion, Document, Entity, Relation


@dataclass
class IngestCounts:
    inserted: int = 0
    replaced: int = 0
    unchanged: int = 0
    duplicates: int = 0  # superseded by a later copy in the same batch
    older: int = 0  # an older version than the stored one: ignored
    deleted: int = 0
    entities: int = 0
    relations: int = 0

    @property
    def records(self) -> int:
        return (
            self.inserted
            + self.replaced
            + self.unchanged
            + self.duplicates
            + self.older
            + self.deleted
        )

    def add(self, other: IngestCounts) -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)


def store_documents(
    engine: Engine,
    items: Iterable[Document | Deletion],
    *,
    batch_size: int = 1000,
    source_file: str | None = None,
    on_batch: Callable[[IngestCounts], None] | None = None,
    on_error: OnError = None,
) -> IngestCounts:
    """Write a stream of documents and deletions; returns what happened to them.

    A document with a value wider than the store holds (``schema.DOC_ID_MAX`` ...) is
    reported to ``on_error`` by name and skipped, the rest of its batch is written; with no
    ``on_error`` it raises InputError before anything of its batch is written."""
    total = IngestCounts()
    checked = _fitting(items, source_file or "<input>", on_error)
    for batch in _batches(checked, batch_size):
        with engine.begin() as connection:
            counts = _store_batch(connection, batch, source_file)
        total.add(counts)
        if on_batch:
            on_batch(counts)
    return total


def _fitting(
    items: Iterable[Document | Deletion], name: str, on_error: OnError
) -> Iterator[Document | Deletion]:
    for item in items:
        problem = _too_wide(item) if isinstance(item, Document) else None
        if problem:
            shown = item.id if len(item.id) <= 60 else item.id[:60] + "…"
            report(InputError(name, f"record {shown!r}: {problem}; record skipped"), on_error)
            continue
        yield item


def _too_wide(doc: Document) -> str | None:
    """What of ``doc`` does not fit the store's columns, or None."""
    values = [("document id", doc.id, DOC_ID_MAX)]
    mentions = [*doc.entities]
    for r in doc.relations:
        values += _relation_values(r)
        mentions += [m for m in (r.head_mention, r.tail_mention) if m is not None]
    for e in mentions:
        values += _entity_values(e)
    for what, value, limit in values:
        size = len(str(value).encode("utf-8", "surrogatepass")) if value is not None else 0
        if size > limit:
            return f"{what} is {size} bytes long, the store holds at most {limit}"
    return None


def _entity_values(e: Entity) -> list[tuple[str, str | None, int]]:
    return [
        ("entity label", e.label, LABEL_MAX),
        ("concept id", e.concept_id, CONCEPT_MAX),
        ("entity source", e.source, SOURCE_MAX),
    ]


def _relation_values(r: Relation) -> list[tuple[str, str | None, int]]:
    return [
        ("relation head", r.head, CONCEPT_MAX),
        ("relation tail", r.tail, CONCEPT_MAX),
        ("relation label", r.label, LABEL_MAX),
        ("relation source", r.source, SOURCE_MAX),
    ]


def _batches(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _latest_per_id(batch: list[Document | Deletion]) -> dict[str, Document | Deletion]:
    """Within a batch the later item wins, except that a lower version never beats a higher."""
    latest: dict[str, Document | Deletion] = {}
    for item in batch:
        earlier = latest.get(item.id)
        if (
            isinstance(earlier, Document)
            and isinstance(item, Document)
            and item.version < earlier.version
        ):
            continue
        latest[item.id] = item
    return latest


def _store_batch(
    connection: Connection, batch: list[Document | Deletion], source_file: str | None
) -> IngestCounts:
    counts = IngestCounts()
    latest = _latest_per_id(batch)
    counts.duplicates = len(batch) - len(latest)
    stored = _stored_versions(connection, list(latest))
    now = datetime.now(UTC)
    new_rows, replaced_rows, written = [], [], []
    deletions = [item.id for item in latest.values() if isinstance(item, Deletion)]
    for item in latest.values():
        if isinstance(item, Deletion):
            continue
        row = _document_row(item, source_file, now)
        previous = stored.get(item.id)
        if previous is None:
            new_rows.append(row)
        elif item.version < previous[0]:
            counts.older += 1
            continue
        elif item.version == previous[0] and row["content_hash"] == previous[1]:
            counts.unchanged += 1
            continue
        else:
            replaced_rows.append(row)
        written.append(item)
    replaced = [row["id"] for row in replaced_rows]
    if deletions or replaced or any(doc.entities or doc.relations for doc in written):
        lock_summary(connection)  # first: before this batch holds any row lock (PostgreSQL)
    # The relations that go (with a deleted or replaced document) or come (gold ones).
    changing = [*deletions, *replaced, *(doc.id for doc in written if doc.relations)]
    with relations_changing(connection, changing):
        if deletions:
            counts.deleted = _delete_documents(connection, deletions)
        if replaced_rows:
            _replace_documents(connection, replaced_rows)
        if new_rows:
            connection.execute(documents.insert(), new_rows)
        index_documents(connection, [row["id"] for row in replaced_rows + new_rows])
        counts.inserted, counts.replaced = len(new_rows), len(replaced_rows)
        counts.entities, counts.relations = insert_annotations(connection, written)
    if counts.deleted or written:
        bump_data_version(connection)
    return counts


def _stored_versions(connection: Connection, ids: list[str]) -> dict[str, tuple[int, str]]:
    if not ids:
        return {}
    query = select(documents.c.id, documents.c.version, documents.c.content_hash).where(
        documents.c.id.in_(ids)
    )
    return {row.id: (row.version, row.content_hash) for row in connection.execute(query)}


def _document_row(doc: Document, source_file: str | None, now: datetime) -> dict:
    meta_json = encode_json(doc.meta)
    gold = [(e.start, e.end, e.label, e.concept_id) for e in doc.entities]
    gold += [(r.head, r.tail, r.label) for r in doc.relations]
    digest = hashlib.blake2b(digest_size=16)
    for part in (doc.title, doc.abstract, meta_json, json.dumps(gold)):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return {
        "id": doc.id,
        "version": doc.version,
        "title": doc.title,
        "abstract": doc.abstract,
        "journal": doc.meta.get("journal"),
        "year": doc.meta.get("year"),
        "meta": meta_json,
        "content_hash": digest.hexdigest(),
        "source_file": source_file,
        "ingested_at": now,
    }


def _drop_derived(connection: Connection, ids: list[str]) -> None:
    for table in DERIVED_TABLES:
        if table is entities:
            delete_entities(connection, entities.c.doc_id.in_(ids))  # keeps concept counts
        else:
            connection.execute(delete(table).where(table.c.doc_id.in_(ids)))


def _delete_documents(connection: Connection, ids: list[str]) -> int:
    _drop_derived(connection, ids)
    unindex_documents(connection, ids)
    return connection.execute(delete(documents).where(documents.c.id.in_(ids))).rowcount


def _replace_documents(connection: Connection, rows: list[dict]) -> None:
    ids = [row["id"] for row in rows]
    _drop_derived(connection, ids)
    unindex_documents(connection, ids)
    columns = [name for name in rows[0] if name != "id"]
    statement = (
        update(documents)
        .where(documents.c.id == bindparam("_id"))
        .values({name: bindparam(name) for name in columns})
    )
    connection.execute(
        statement, [{"_id": row["id"]} | {name: row[name] for name in columns} for row in rows]
    )
