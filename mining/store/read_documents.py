"""Streaming reads of stored documents with their annotations, for export and later stages."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from sqlalchemy import Connection, Engine, select

from mining.store.schema import documents, entities, relations
from mining.types import Document, Entity, Relation


def iter_documents(
    engine: Engine,
    *,
    batch_size: int = 500,
    sources: Sequence[str] | None = None,
    with_annotations: bool = True,
) -> Iterator[Document]:
    """Every stored document in insertion order, ``batch_size`` at a time (keyset paging,
    so memory stays flat and the same code runs on SQLite and PostgreSQL).
    ``sources`` limits the annotations to those models (``"gold"`` for corpus labels)."""
    last_pk = 0
    while True:
        with engine.connect() as connection:
            rows = connection.execute(
                select(documents)
                .where(documents.c.pk > last_pk)
                .order_by(documents.c.pk)
                .limit(batch_size)
            ).all()
            if not rows:
                return
            docs = [document_from_row(row) for row in rows]
            if with_annotations:
                _attach_annotations(connection, docs, sources)
        yield from docs
        last_pk = rows[-1].pk


def document_from_row(row) -> Document:
    meta = dict(row.meta or {})
    meta.setdefault("version", row.version)
    return Document(id=row.id, title=row.title, abstract=row.abstract, meta=meta)


def _attach_annotations(
    connection: Connection, docs: list[Document], sources: Sequence[str] | None
) -> None:
    by_id = {doc.id: doc for doc in docs}
    mentions: dict[int, Entity] = {}
    # In text order (PubTator and BioC readers expect it), then as written.
    query = (
        select(entities)
        .where(entities.c.doc_id.in_(by_id))
        .order_by(entities.c.doc_id, entities.c.start, entities.c.end, entities.c.id)
    )
    if sources is not None:
        query = query.where(entities.c.source.in_(sources))
    for row in connection.execute(query):
        entity = Entity(
            row.doc_id,
            row.start,
            row.end,
            row.text,
            row.label,
            row.concept_id,
            row.score,
            row.source,
        )
        mentions[row.id] = entity
        by_id[row.doc_id].entities.append(entity)
    query = select(relations).where(relations.c.doc_id.in_(by_id)).order_by(relations.c.id)
    if sources is not None:
        query = query.where(relations.c.source.in_(sources))
    grouped: dict[str, list[Relation]] = defaultdict(list)
    for row in connection.execute(query):
        evidence = (
            (row.evidence_start, row.evidence_end) if row.evidence_start is not None else None
        )
        grouped[row.doc_id].append(
            Relation(
                row.doc_id,
                row.head,
                row.tail,
                row.label,
                row.score,
                evidence,
                row.source,
                mentions.get(row.head_entity_id),
                mentions.get(row.tail_entity_id),
            )
        )
    for doc_id, rels in grouped.items():
        by_id[doc_id].relations.extend(rels)


def documents_by_id(engine: Engine, ids: Sequence[str]) -> dict[str, Document]:
    """The stored documents of ``ids`` (without annotations), by id; ids not stored are
    absent."""
    if not ids:
        return {}
    with engine.connect() as connection:
        rows = connection.execute(select(documents).where(documents.c.id.in_(list(ids)))).all()
    return {row.id: document_from_row(row) for row in rows}
