"""Runs: a run killed by SIGKILL is marked interrupted by the next one; live runs, runs of
other hosts and runs that never wrote are left as they are."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime

from sqlalchemy import select

from mining.store.queries import list_runs
from mining.store.runs import LazyRun, finish_run, mark_interrupted_runs, start_run
from mining.store.schema import runs

KILLED = """
import os, signal, sys
from mining.store.database import open_database
from mining.store.runs import start_run
start_run(open_database(sys.argv[1]), "ingest", "big.xml", {})
os.kill(os.getpid(), signal.SIGKILL)
"""


def _running(engine, config: dict) -> int:
    with engine.begin() as connection:
        return connection.execute(
            runs.insert().values(
                kind="pipeline",
                source="m@1",
                config=config,
                counts={},
                started_at=datetime.now(UTC),
                status="running",
            )
        ).inserted_primary_key[0]


def _status(engine) -> dict[int, str]:
    with engine.connect() as connection:
        return dict(connection.execute(select(runs.c.id, runs.c.status)).all())


def test_a_killed_run_is_interrupted_by_the_next(engine, db_url):
    done = subprocess.run([sys.executable, "-c", KILLED, db_url], timeout=120)
    assert done.returncode == -signal.SIGKILL
    [killed] = list_runs(engine)
    assert killed.status == "running" and killed.config["pid"] > 0
    new = start_run(engine, "ingest", "small.xml", {})
    assert _status(engine) == {killed.id: "interrupted", new: "running"}
    finish_run(engine, new, {"documents": 1})
    assert list_runs(engine)[0].finished_at is not None


def test_only_runs_known_dead_are_marked(engine):
    import socket

    host = socket.gethostname()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    dead = _running(engine, {"pid": gone.pid, "host": host})
    alive = _running(engine, {"pid": os.getppid(), "host": host})
    elsewhere = _running(engine, {"pid": gone.pid, "host": host + "-other"})
    legacy = _running(engine, {"batch_size": 64})  # from before runs recorded their pid
    assert sorted(mark_interrupted_runs(engine)) == sorted([dead, legacy])
    assert _status(engine) == {
        dead: "interrupted",
        alive: "running",
        elsewhere: "running",
        legacy: "interrupted",
    }


def test_a_lazy_run_that_never_wrote_leaves_no_row(engine):
    idle = LazyRun(engine, "pipeline", "m@1", {})
    idle.finish({"documents": 0})
    assert list_runs(engine) == [] and not idle.started
    busy = LazyRun(engine, "pipeline", "m@1", {"batch_size": 8})
    run_id = busy.id
    assert busy.id == run_id  # created once
    busy.finish({"documents": 3})
    [row] = list_runs(engine)
    assert (row.id, row.status, row.counts, row.config["batch_size"]) == (
        run_id,
        "done",
        {"documents": 3},
        8,
    )
