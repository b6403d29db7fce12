"""The runs table: which job or model wrote what, with its config, counts and timings.

A run row is ``running`` while its process works. A process killed by SIGKILL (or a power
cut) cannot mark its run, so each new run first marks as ``interrupted`` the ``running``
runs whose process is gone. Runs record the pid and host that started them (config keys
``pid`` and ``host``); a run is declared dead only when it was started on this host and
its pid is no longer alive there. That way concurrent runs (two ingests into one
PostgreSQL database, even of the same kind) never mark each other, and a run of another
host is left alone: we cannot see its processes. Rows from before pids were recorded
are taken as dead. A recycled pid can keep a dead run ``running`` until the pid is
free again: a stale row, never a wrongly interrupted live run.
"""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime

from sqlalchemy import Engine, select, update

from mining.store.data_version import bump_data_version
from mining.store.schema import runs

RUNNING, DONE, FAILED, INTERRUPTED = "running", "done", "failed", "interrupted"


def start_run(engine: Engine, kind: str, source: str, config: dict) -> int:
    """Insert a ``running`` run (config gains ``pid`` and ``host``) after marking the dead
    ones ``interrupted``; returns its id."""
    mark_interrupted_runs(engine)
    with engine.begin() as connection:
        result = connection.execute(
            runs.insert().values(
                kind=kind,
                source=source,
                config={**config, "pid": os.getpid(), "host": socket.gethostname()},
                counts={},
                started_at=datetime.now(UTC),
                status=RUNNING,
            )
        )
        bump_data_version(connection)  # the app lists runs
        return result.inserted_primary_key[0]


def finish_run(engine: Engine, run_id: int, counts: dict, status: str = DONE) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(runs)
            .where(runs.c.id == run_id)
            .values(counts=counts, finished_at=datetime.now(UTC), status=status)
        )
        bump_data_version(connection)


def mark_interrupted_runs(engine: Engine) -> list[int]:
    """Mark ``interrupted`` every ``running`` run whose process is known to be gone;
    returns their ids."""
    host = socket.gethostname()
    with engine.begin() as connection:
        running = connection.execute(
            select(runs.c.id, runs.c.config).where(runs.c.status == RUNNING)
        ).all()
        dead = [row.id for row in running if _is_dead(row.config or {}, host)]
        if dead:
            connection.execute(
                update(runs)
                .where(runs.c.id.in_(dead), runs.c.status == RUNNING)
                .values(status=INTERRUPTED, finished_at=datetime.now(UTC))
            )
            bump_data_version(connection)
    return dead


def _is_dead(config: dict, host: str) -> bool:
    pid, its_host = config.get("pid"), config.get("host")
    if pid is None or its_host is None:
        return True  # written before runs recorded their process
    if its_host != host:
        return False
    return not _alive(int(pid))


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)  # signal 0: only checks that the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


class LazyRun:
    """A run row that is written only when the job first writes something, so a command
    that finds nothing to do leaves no run behind.

    ``run.id`` creates the row (on first use) and returns its id: take it just before the
    first write. ``finish`` records counts and status, and does nothing if no row was made.
    """

    def __init__(self, engine: Engine, kind: str, source: str, config: dict):
        self._engine, self._args = engine, (kind, source, config)
        self._id: int | None = None

    @property
    def started(self) -> bool:
        return self._id is not None

    @property
    def id(self) -> int:
        if self._id is None:
            self._id = start_run(self._engine, *self._args)
        return self._id

    def finish(self, counts: dict, status: str = DONE) -> None:
        if self._id is not None:
            finish_run(self._engine, self._id, counts, status)
