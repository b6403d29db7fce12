"""``biomine run`` killed with SIGKILL mid-run, then run again, ends with exactly the rows of
an uninterrupted run: no row lost, none duplicated; the killed run is not left `running`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from mining.shipped_models import shipped
from mining.store.database import open_database
from mining.store.schema import entities, processed, relations
from mining.store.write_documents import store_documents
from mining.types import Document
from tests.nlp.tiny_models import tiny_classifier, tiny_token_classifier

REPO = Path(__file__).resolve().parents[2]
N_DOCS, BATCH = 150, 3
TEXT = "tamoxifen inhibits cyp2d6 and binds aspirin . the cox of tamoxifen ."


def documents() -> list[Document]:
    return [
        Document(f"pmid:{i}", f"Study {i} of tamoxifen.", TEXT * (1 + i % 2)) for i in range(N_DOCS)
    ]


def models(tmp: Path) -> list[str]:
    tagger = tiny_token_classifier(
        tmp / "ner", ["O", "B-Chemical", "I-Chemical", "B-Gene", "I-Gene"]
    )
    rel = tiny_classifier(tmp / "re", ["none", *("CPR:3 CPR:4 CPR:5 CPR:6 CPR:9".split())], "CPR:4")
    return [
        "--ner-model",
        str(tagger),
        "--re-model",
        str(rel),
        "--concepts",
        str(shipped("concepts-mesh")),
        "--no-embeddings",  # the embedder's writes are covered by tests/store/test_embeddings
    ]


def run(db: str, args: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mining.cli",
            "run",
            "--db",
            db,
            "--batch-size",
            str(BATCH),
            "--threads",
            "1",
            *args,
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def rows(db: str) -> tuple[list, list, int]:
    engine = open_database(db)
    with engine.connect() as c:
        ents = sorted(
            c.execute(
                select(entities.c.doc_id, entities.c.start, entities.c.end, entities.c.label,
                       entities.c.concept_id, entities.c.source)
            ).all()
        )  # fmt: skip
        rels = sorted(
            c.execute(
                select(relations.c.doc_id, relations.c.head, relations.c.tail, relations.c.label,
                       relations.c.evidence_start, relations.c.source)
            ).all()
        )  # fmt: skip
        marks = c.execute(select(func.count()).select_from(processed)).scalar_one()
    engine.dispose()
    return ents, rels, marks


def processed_docs(db: str) -> int:
    engine = open_database(db)
    with engine.connect() as c:
        n = c.execute(select(func.count(func.distinct(processed.c.doc_id)))).scalar_one()
    engine.dispose()
    return n


def test_sigkill_then_rerun_equals_an_uninterrupted_run(tmp_path):
    args = models(tmp_path)
    whole, killed = (f"sqlite:///{tmp_path / name}.db" for name in ("whole", "killed"))
    for db in (whole, killed):
        store_documents(open_database(db), documents())

    done = run(whole, args)
    assert done.wait(timeout=300) == 0, done.stderr.read().decode()[-2000:]

    victim = run(killed, args)
    deadline = time.monotonic() + 240
    while processed_docs(killed) < 3 * BATCH and victim.poll() is None:
        assert time.monotonic() < deadline, "biomine run made no progress"
        time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    assert victim.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    assert 0 < processed_docs(killed) < N_DOCS  # killed in the middle

    again = run(killed, args)
    assert again.wait(timeout=300) == 0, again.stderr.read().decode()[-2000:]
    expected = rows(whole)
    assert expected[0] and expected[1]  # the tiny models do find things
    assert rows(killed) == expected
