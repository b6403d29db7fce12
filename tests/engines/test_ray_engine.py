"""``biomine run --engine ray`` on a local Ray instance (the CPU), over 300 real BC5CDR dev
abstracts: exactly the local engine's rows, failing documents recorded and skipped; a re-run
does nothing; killed with SIGKILL while Ray works and again while the shards load, then run
once more, exactly the rows of an uninterrupted run.

The models are tiny random ones (``tests/nlp/tiny_models.py``) beside the shipped concept
dictionary: the shipped taggers read about 4 abstracts/s on these two cores, too slow for 300
abstracts processed five times. What is tested is the engine: the same components in Ray's
actors, the shards, the store."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from mining.corpus.detect import read_any
from mining.ingest import ingest
from mining.shipped_models import shipped
from mining.store.database import open_database
from mining.store.schema import runs
from tests.engines.stored_rows import stored_rows
from tests.nlp.tiny_models import tiny_classifier, tiny_token_classifier

pytest.importorskip(
    "ray", reason="the Ray engine's tests need Ray: pip install -e '.[ray]' (make install does)"
)

REPO = Path(__file__).resolve().parents[2]
N_DOCS, BATCH, FAILING = 300, 3, 4
LABELS = ["O", "B-Chemical", "I-Chemical", "B-Disease", "I-Disease"]


@pytest.fixture(scope="module")
def corpus(shared_data, tmp_path_factory) -> Path:
    """The first 300 abstracts of BC5CDR dev, in PubTator."""
    records = (shared_data / "bc5cdr/pubtator/CDR_DevelopmentSet.PubTator.txt").read_text()
    path = tmp_path_factory.mktemp("corpus") / "cdr-dev-300.pubtator"
    path.write_text("\n\n".join(records.strip().split("\n\n")[:N_DOCS]) + "\n")
    return path


@pytest.fixture(scope="module")
def options(corpus, tmp_path_factory) -> list[str]:
    """The models, and a --max-chars that the 4 longest abstracts are over (they fail)."""
    import torch
    from transformers import BertForTokenClassification

    tmp = tmp_path_factory.mktemp("models")
    tagger = tiny_token_classifier(tmp / "ner", LABELS)
    model = BertForTokenClassification.from_pretrained(tagger)
    with torch.no_grad():  # random weights tag most words; "O" a little likelier: a few a sentence
        model.classifier.bias[LABELS.index("O")] += 0.3
    model.save_pretrained(tagger)
    rel = tiny_classifier(tmp / "re", ["none", "CID"], task="cdr")
    lengths = sorted(len(d.text) for d in read_any(corpus))
    limit = lengths[-FAILING] - 1
    assert lengths[-FAILING - 1] <= limit  # exactly FAILING are longer
    return [
        *("--ner-model", str(tagger), "--re-model", str(rel)),
        *("--concepts", str(shipped("concepts-mesh")), "--max-chars", str(limit)),
        *("--batch-size", str(BATCH), "--threads", "1", "--device", "cpu"),
    ]


def biomine_run(db: str, *args: str, log: Path) -> subprocess.Popen:
    """``biomine run`` in its own process (and session, so what it leaves can be ended);
    output to a file: Ray's progress log would fill a pipe nobody reads yet."""
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "mining.cli", "run", "--db", db, *args],
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            start_new_session=True,
        )


def finished(process: subprocess.Popen, log: Path) -> str:
    assert process.wait(timeout=600) == 0, log.read_text()[-4000:]
    return log.read_text()


def stored(db: str) -> dict[str, list[tuple]]:
    engine = open_database(db)
    rows = stored_rows(engine)
    engine.dispose()
    return rows


def pipeline_runs(db: str) -> list[str]:
    engine = open_database(db)
    with engine.connect() as c:
        statuses = c.execute(select(runs.c.status).where(runs.c.kind == "pipeline")).scalars()
        statuses = sorted(statuses)
    engine.dispose()
    return statuses


@pytest.fixture(scope="module")
def reference(corpus, options, tmp_path_factory) -> dict[str, list[tuple]]:
    """What the local engine stores: `biomine run --input` without Ray."""
    tmp = tmp_path_factory.mktemp("local")
    db = f"sqlite:///{tmp / 'local.db'}"
    out = finished(biomine_run(db, "--input", str(corpus), *options, log=tmp / "log"), tmp / "log")
    assert f"{N_DOCS} document(s) processed" in out and f"{FAILING} failed" in out
    rows = stored(db)
    assert rows["entities"] and rows["relations"]  # the tiny models do find things
    return rows


def test_ray_stores_the_local_engines_rows_and_a_rerun_does_nothing(
    tmp_path, corpus, options, reference
):
    db, log = f"sqlite:///{tmp_path / 'ray.db'}", tmp_path / "log"
    args = ["--input", str(corpus), "--engine", "ray", *options]
    out = finished(biomine_run(db, *args, log=log), log)
    assert f"{N_DOCS} document(s) processed" in out and f"{FAILING} failed" in out
    rows = stored(db)
    assert rows == reference
    failed = {m[0] for m in rows["marks"] if m[2]}
    assert len(failed) == FAILING
    assert all("over the limit" in m[2] for m in rows["marks"] if m[2])
    assert not (tmp_path / "ray.db.shards").exists()  # loaded, then removed

    log.write_text("")
    again = finished(biomine_run(db, *args, log=log), log)
    assert "already ingested, unchanged: skipped" in again and "nothing to do" in again
    assert stored(db) == reference and pipeline_runs(db) == ["done"]


def processed_docs(path: Path) -> int:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30) as c:
        return c.execute("SELECT count(DISTINCT doc_id) FROM processed").fetchone()[0]


def kill_when(process: subprocess.Popen, ready, log: Path) -> None:
    deadline = time.monotonic() + 300
    while not ready():
        assert process.poll() is None, "the run ended before it could be killed: " + log.read_text()
        assert time.monotonic() < deadline, "the run never got there: " + log.read_text()[-3000:]
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL


def test_ray_run_killed_at_any_moment_then_rerun_equals_an_uninterrupted_run(
    tmp_path, corpus, options, reference
):
    path, shards, log = tmp_path / "killed.db", tmp_path / "shards", tmp_path / "log"
    db = f"sqlite:///{path}"
    ingest(open_database(db), [str(corpus)])
    args = ["--engine", "ray", "--shards", str(shards), *options]
    victims = []
    try:
        # 1. killed while Ray works: documents exported, nothing stored yet
        victims.append(biomine_run(db, *args, log=log))
        kill_when(victims[-1], lambda: any(shards.glob("run-*/documents/*.parquet")), log)
        assert processed_docs(path) == 0

        # 2. killed while the driver loads the result shards into the store
        victims.append(biomine_run(db, *args, log=log))
        kill_when(victims[-1], lambda: processed_docs(path) > 0, log)
        loaded = processed_docs(path)
        assert 0 < loaded < N_DOCS
        assert len(list(shards.glob("run-*"))) == 1  # the first run's folder went

        # 3. loads what the second run had computed; nothing is left to compute
        last = tmp_path / "last.log"
        out = finished(biomine_run(db, *args, log=last), last)
        assert f"{N_DOCS - loaded} document(s) processed" in out
        assert "Running Dataset" not in out  # Ray had nothing to do
        assert stored(db) == reference
        assert pipeline_runs(db) == ["done", "interrupted", "interrupted"]
        assert not list(shards.glob("run-*"))
    finally:
        for victim in victims:  # Ray's agents outlive a killed driver by a minute or two
            try:
                os.killpg(victim.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def test_more_actors_than_the_machine_holds_are_refused_before_any_work(tmp_path, corpus, options):
    db, log = f"sqlite:///{tmp_path / 'small.db'}", tmp_path / "log"
    actors = str(os.cpu_count())  # with one thread each, no CPU is left to read the shards
    run = biomine_run(db, "--input", str(corpus), "--engine", "ray", "--actors", actors,
                      *options, log=log)  # fmt: skip
    assert run.wait(timeout=300) == 1, log.read_text()[-3000:]
    said = " ".join(log.read_text().split())
    assert f"{actors} actor(s) x 1 thread(s) leave none of the {actors} CPUs" in said
    assert processed_docs(tmp_path / "small.db") == 0
    assert not list((tmp_path / "small.db.shards").glob("run-*/documents/*"))  # not exported
