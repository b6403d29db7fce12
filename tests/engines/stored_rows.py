"""What the models wrote into a store, as comparable rows: two engines (or a killed and an
uninterrupted run) agree when these are equal."""

from __future__ import annotations

from sqlalchemy import select

from mining.store.schema import embeddings, entities, processed, relations


def stored_rows(engine) -> dict[str, list[tuple]]:
    """Every entity, relation (with its mentions' starts), processed mark and vector, without
    row ids and run ids (which differ by engine and run)."""
    head, tail = entities.alias(), entities.alias()
    with engine.connect() as c:
        return {
            "entities": ordered(
                c.execute(
                    select(entities.c.doc_id, entities.c.start, entities.c.end, entities.c.text,
                           entities.c.label, entities.c.concept_id, entities.c.score,
                           entities.c.source)
                )
            ),
            "relations": ordered(
                c.execute(
                    select(relations.c.doc_id, relations.c.head, relations.c.tail,
                           relations.c.label, relations.c.score, relations.c.evidence_start,
                           relations.c.evidence_end, relations.c.source, head.c.start,
                           tail.c.start)
                    .select_from(relations)
                    .outerjoin(head, head.c.id == relations.c.head_entity_id)
                    .outerjoin(tail, tail.c.id == relations.c.tail_entity_id)
                )
            ),
            "marks": ordered(
                c.execute(select(processed.c.doc_id, processed.c.source, processed.c.error))
            ),
            "vectors": ordered(
                c.execute(select(embeddings.c.doc_id, embeddings.c.source, embeddings.c.vector))
            ),
        }  # fmt: skip


def ordered(rows) -> list[tuple]:
    """Rows as sorted tuples; None (gold relations have no mentions) sorts first."""
    return sorted((tuple(row) for row in rows), key=lambda r: [(v is not None, v) for v in r])
