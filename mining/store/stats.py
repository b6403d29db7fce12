"""What a database holds: counts per table, per entity type and per model."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine, func, select

from mining.store.schema import (
    answers,
    concepts,
    documents,
    entities,
    questions,
    relations,
    runs,
)


@dataclass
class StoreStats:
    documents: int
    with_abstract: int
    concepts: int
    answers: int
    questions: int
    runs: int
    years: tuple[int | None, int | None]
    entities: dict[tuple[str, str], int] = field(default_factory=dict)  # (source, label)
    relations: dict[tuple[str, str], int] = field(default_factory=dict)  # (source, label)


def store_stats(engine: Engine) -> StoreStats:
    with engine.connect() as connection:

        def scalar(statement) -> int:
            return connection.execute(statement).scalar_one() or 0

        def grouped(table) -> dict[tuple[str, str], int]:
            query = (
                select(table.c.source, table.c.label, func.count())
                .group_by(table.c.source, table.c.label)
                .order_by(table.c.source, table.c.label)
            )
            return {(source, label): n for source, label, n in connection.execute(query)}

        years = connection.execute(select(func.min(documents.c.year), func.max(documents.c.year)))
        return StoreStats(
            documents=scalar(select(func.count()).select_from(documents)),
            with_abstract=scalar(
                select(func.count()).select_from(documents).where(documents.c.abstract != "")
            ),
            concepts=scalar(select(func.count()).select_from(concepts)),
            answers=scalar(select(func.count()).select_from(answers)),
            questions=scalar(select(func.count()).select_from(questions)),
            runs=scalar(select(func.count()).select_from(runs)),
            years=tuple(years.one()),
            entities=grouped(entities),
            relations=grouped(relations),
        )
