"""The runs table: which job or model wrote what, with its config, counts and timings."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, update

from mining.store.schema import runs


def start_run(engine: Engine, kind: str, source: str, config: dict) -> int:
    with engine.begin() as connection:
        result = connection.execute(
            runs.insert().values(
                kind=kind,
                source=source,
                config=config,
                counts={},
                started_at=datetime.now(UTC),
                status="running",
            )
        )
        return result.inserted_primary_key[0]


def finish_run(engine: Engine, run_id: int, counts: dict, status: str = "done") -> None:
    with engine.begin() as connection:
        connection.execute(
            update(runs)
            .where(runs.c.id == run_id)
            .values(counts=counts, finished_at=datetime.now(UTC), status=status)
        )
