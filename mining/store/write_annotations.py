"""Bulk writes of entities, their concepts and relations for a set of documents."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from mining.store.concept_mentions import count_added, delete_entities
from mining.store.pair_summary import concepts_added, lock_summary
from mining.store.schema import answers, concepts, entities, relations
from mining.types import Document, Entity, Relation


def insert_annotations(connection: Connection, docs: Sequence[Document]) -> tuple[int, int]:
    """Store the gold annotations that came with freshly written documents."""
    return write_annotations(
        connection,
        [e for doc in docs for e in doc.entities],
        [r for doc in docs for r in doc.relations],
    )


def replace_annotations(
    connection: Connection,
    doc_ids: Sequence[str],
    source: str,
    new_entities: Sequence[Entity],
    new_relations: Sequence[Relation],
    run_id: int | None = None,
) -> tuple[int, int]:
    """Swap one model's rows for these documents: re-running a model never duplicates.
    The answers of asked questions (``questions``) are a record of what was asked and stay;
    they go only with their question or a newer version of their document. Run it inside
    ``pair_summary.relations_changing`` over ``doc_ids``: deleting mentions deletes the
    relations (of any model) read from them."""
    for table in (relations, answers):
        statement = delete(table).where(table.c.doc_id.in_(doc_ids), table.c.source == source)
        if table is answers:
            statement = statement.where(answers.c.question_id.is_(None))
        connection.execute(statement)
    delete_entities(connection, entities.c.doc_id.in_(doc_ids), entities.c.source == source)
    return write_annotations(connection, new_entities, new_relations, run_id)


def write_annotations(
    connection: Connection,
    new_entities: Sequence[Entity],
    new_relations: Sequence[Relation],
    run_id: int | None = None,
) -> tuple[int, int]:
    """Insert entities (and their concepts) and relations. Relations must be written inside
    ``pair_summary.relations_changing`` over their documents, which keeps the summary."""
    if new_entities or new_relations:
        lock_summary(connection)  # before any row lock this write takes (PostgreSQL)
    if new_entities:
        connection.execute(entities.insert(), [_entity_row(e, run_id) for e in new_entities])
        _add_concepts(connection, new_entities)
        count_added(connection, new_entities)
    if new_relations:
        ids = _mention_ids(connection, new_relations)
        rows = [_relation_row(r, ids, run_id) for r in new_relations]
        connection.execute(relations.insert(), rows)
    return len(new_entities), len(new_relations)


def _entity_row(e: Entity, run_id: int | None) -> dict:
    return {
        "doc_id": e.doc_id,
        "start": e.start,
        "end": e.end,
        "text": e.text,
        "label": e.label,
        "concept_id": e.concept_id,
        "score": e.score,
        "source": e.source,
        "run_id": run_id,
    }


def _mention_key(e: Entity) -> tuple:
    return (e.doc_id, e.start, e.end, e.label, e.source)


def _mention_ids(connection: Connection, rels: Iterable[Relation]) -> dict[tuple, int]:
    """Row ids of the mentions relations point at (written just before, or earlier)."""
    mentions = [m for r in rels for m in (r.head_mention, r.tail_mention) if m is not None]
    if not mentions:
        return {}
    query = select(
        entities.c.id,
        entities.c.doc_id,
        entities.c.start,
        entities.c.end,
        entities.c.label,
        entities.c.source,
    ).where(
        entities.c.doc_id.in_({m.doc_id for m in mentions}),
        entities.c.source.in_({m.source for m in mentions}),
    )
    return {tuple(row[1:]): row[0] for row in connection.execute(query)}


def _relation_row(r: Relation, mention_ids: dict[tuple, int], run_id: int | None) -> dict:
    def entity_id(mention: Entity | None) -> int | None:
        return mention_ids.get(_mention_key(mention)) if mention else None

    start, end = r.evidence if r.evidence else (None, None)
    return {
        "doc_id": r.doc_id,
        "head": r.head,
        "tail": r.tail,
        "label": r.label,
        "score": r.score,
        "head_entity_id": entity_id(r.head_mention),
        "tail_entity_id": entity_id(r.tail_mention),
        "evidence_start": start,
        "evidence_end": end,
        "source": r.source,
        "run_id": run_id,
    }


def _add_concepts(connection: Connection, mentions: Iterable[Entity]) -> None:
    """Concepts rows for the concept ids not seen before (the first mention names them); the
    relation pairs already stored on such a key take its name and type."""
    rows: dict[str, dict] = {}
    for e in mentions:
        if e.concept_id and e.concept_id not in rows:
            rows[e.concept_id] = {"id": e.concept_id, "label": e.label, "name": e.text}
    if not rows:
        return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(concepts)
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(concepts.c.id)
    )
    added = connection.execute(statement, list(rows.values())).scalars().all()
    if added:
        concepts_added(connection, {i: (rows[i]["name"], rows[i]["label"]) for i in added})
