"""`kill -9` in the middle of an ingest leaves a consistent database; a re-run completes it."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

from sqlalchemy import func, select, text

from mining.store.schema import documents, entities
from mining.store.write_documents import store_documents
from tests.store.test_write_documents import make_doc

N_DOCS, BATCH = 3000, 200

# Writes N_DOCS documents in batches; KILL_AT > 0 makes the process SIGKILL itself while
# reading record KILL_AT, i.e. with earlier batches committed and one half-built in memory.
WRITER = textwrap.dedent(
    """
    import os, signal, sys
    from mining.store.database import open_database
    from mining.store.write_documents import store_documents
    from tests.store.test_write_documents import make_doc

    url, n_docs, batch, kill_at = sys.argv[1], *map(int, sys.argv[2:])

    def docs():
        for i in range(1, n_docs + 1):
            if i == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
            if i == 2 * batch:
                print("writing", flush=True)
            yield make_doc(i)

    store_documents(open_database(url), docs(), batch_size=batch)
    """
)


def _writer(db_url: str, kill_at: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, db_url, str(N_DOCS), str(BATCH), str(kill_at)],
        stdout=subprocess.PIPE,
        text=True,
    )


def _counts(engine) -> tuple[int, int]:
    with engine.connect() as connection:
        docs = connection.execute(select(func.count()).select_from(documents)).scalar_one()
        ents = connection.execute(select(func.count()).select_from(entities)).scalar_one()
    return docs, ents


def _assert_consistent(engine) -> None:
    docs, ents = _counts(engine)
    assert ents == 2 * docs  # every stored document came with both of its entities
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
            # Raises if the FTS index and the documents table disagree.
            connection.execute(
                text("INSERT INTO documents_fts(documents_fts, rank) VALUES ('integrity-check', 1)")
            )


def test_self_kill_mid_batch_then_resume(engine, db_url):
    process = _writer(db_url, kill_at=1550)
    process.wait(timeout=120)
    assert process.returncode == -signal.SIGKILL
    assert _counts(engine) == (1400, 2800)  # whole batches only
    _assert_consistent(engine)

    counts = store_documents(engine, (make_doc(i) for i in range(1, N_DOCS + 1)), batch_size=BATCH)
    assert (counts.unchanged, counts.inserted) == (1400, N_DOCS - 1400)
    assert _counts(engine) == (N_DOCS, 2 * N_DOCS)
    _assert_consistent(engine)


def test_external_kill_at_a_random_moment_then_resume(engine, db_url):
    process = _writer(db_url, kill_at=0)
    assert process.stdout.readline().strip() == "writing"
    time.sleep(0.05)
    process.kill()  # SIGKILL, wherever it is: maybe inside a commit
    process.wait(timeout=60)
    _assert_consistent(engine)
    stored, _ = _counts(engine)
    assert stored % BATCH == 0 or stored == N_DOCS

    store_documents(engine, (make_doc(i) for i in range(1, N_DOCS + 1)), batch_size=BATCH)
    assert _counts(engine) == (N_DOCS, 2 * N_DOCS)
    _assert_consistent(engine)
