"""What the Relations page's filters offer: the relation types, entity types, models, journals
and publication years the store holds, each list read by walking an index.

A column's distinct values are read one index seek each (a recursive query asks for the
smallest value above the last one) rather than by scanning every row: a handful of seeks for
the relation types of a million relations.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, func, select

from mining.store.schema import documents, relation_pair_rows, relation_pairs


@dataclass(frozen=True, slots=True)
class RelationFilters:
    labels: list[str]  # relation types
    entity_types: list[str]  # of either side of a relation
    sources: list[str]  # models (and ``gold``) that found relations
    journals: list[str]  # of the stored documents
    years: tuple[int | None, int | None]  # first and last publication year


def relation_filters(engine: Engine) -> RelationFilters:
    p, r = relation_pairs, relation_pair_rows
    with engine.connect() as connection:
        types = set(_distinct(connection, p.c.head_type))
        types |= set(_distinct(connection, p.c.tail_type))
        # A pair whose rows mix types shows its largest: its rows have the others.
        for side in ("head", "tail"):
            mixed = select(p.c.id).where(p.c[f"{side}_mixed"].is_(True))
            types |= set(
                connection.execute(
                    select(r.c[f"{side}_type"])
                    .distinct()
                    .where(r.c.pair_id.in_(mixed), r.c[f"{side}_type"].is_not(None))
                ).scalars()
            )
        # Two subqueries: each one index seek (one query with both scans the index).
        first = select(func.min(documents.c.year)).scalar_subquery()
        last = select(func.max(documents.c.year)).scalar_subquery()
        years = connection.execute(select(first, last))
        return RelationFilters(
            labels=_distinct(connection, p.c.label),
            entity_types=sorted(types),
            sources=_distinct(connection, r.c.source),
            journals=sorted(_distinct(connection, documents.c.journal)),
            years=tuple(years.one()),
        )


def _distinct(connection: Connection, column, *where) -> list:
    """The column's distinct non-NULL values (of the rows ``where`` keeps: a prefix of the
    column's index), in the database's order, one index seek each."""
    walk = select(func.min(column).label("value")).where(*where).cte("walk", recursive=True)
    following = select(func.min(column)).where(*where, column > walk.c.value).scalar_subquery()
    walk = walk.union_all(select(following).where(walk.c.value.is_not(None)))
    query = select(walk.c.value).where(walk.c.value.is_not(None))
    return list(connection.execute(query).scalars())
