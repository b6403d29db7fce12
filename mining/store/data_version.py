"""A counter of the writes that change what the app shows: the key of its cached reads.

Every write transaction that changes documents, annotations or answers increments it before
it commits, so a reader that keys a cache on ``read_data_version`` sees a new run (or a batch
of one still running) on its next read, and never serves a result from before it.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, select, update

from mining.store.schema import data_version


def bump_data_version(connection: Connection) -> None:
    # One row, one UPDATE: on PostgreSQL its lock is held only from here to the commit.
    connection.execute(
        update(data_version)
        .where(data_version.c.id == 1)
        .values(version=data_version.c.version + 1)
    )


def read_data_version(engine: Engine) -> int:
    with engine.connect() as connection:
        found = connection.execute(
            select(data_version.c.version).where(data_version.c.id == 1)
        ).scalar()
    return found or 0
