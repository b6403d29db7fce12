"""concepts.mentions: how many stored mentions (entities rows) carry each concept id, kept in
step by the writes that insert and delete entities, in their transaction.

Concept autocomplete ranks by it (``queries.suggest_concepts``); counting the mentions of the
candidates instead would read every mention of a popular concept on each keystroke.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlalchemy import Connection, delete, func, select

from mining.store.bulk_update import update_by_key
from mining.store.schema import concepts, entities
from mining.types import Entity


def count_added(connection: Connection, added: Iterable[Entity]) -> None:
    """Count freshly inserted mentions (their concepts rows exist already)."""
    _shift(connection, Counter(e.concept_id for e in added if e.concept_id), 1)


def delete_entities(connection: Connection, *where) -> None:
    """Delete the entities rows matching ``where``, uncounting their concepts first."""
    with_concept = (*where, entities.c.concept_id.is_not(None))
    query = (
        select(entities.c.concept_id, func.count())
        .where(*with_concept)
        .group_by(entities.c.concept_id)
        .order_by(entities.c.concept_id)  # one lock order for concurrent writers
    )
    _shift(connection, dict(connection.execute(query).all()), -1)
    connection.execute(delete(entities).where(*where))


def _shift(connection: Connection, counts: dict[str, int], sign: int) -> None:
    # Sorted: concurrent writers lock the concepts rows in one order.
    shifts = [{"id": concept, "mentions": sign * n} for concept, n in sorted(counts.items())]
    update_by_key(connection, concepts, ("id",), shifts, add=True)
