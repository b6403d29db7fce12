"""The Ray engine's Parquet shards without Ray: documents exported, processed by the same
pipeline, and the result rows loaded back give exactly the local engine's rows, once."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from mining.engines.result_rows import documents_from_table, result_table
from mining.engines.shards import (
    RunFolder,
    database_name,
    export_pending,
    leftover_folders,
    load_results,
)
from mining.pipeline import Pipeline, run_pipeline
from mining.pipeline_plan import embedder_spec, plan
from mining.shipped_models import shipped
from mining.store.database import open_database
from mining.store.processed import count_pending
from mining.store.runs import finish_run, start_run
from mining.store.schema import entities, processed, runs
from mining.store.write_documents import store_documents
from mining.types import Document
from tests.engines.stored_rows import stored_rows
from tests.nlp.tiny_models import tiny_classifier, tiny_token_classifier

TEXT = "tamoxifen inhibits cyp2d6 and binds aspirin . the cox of tamoxifen ."
LABELS = ["O", "B-Chemical", "I-Chemical", "B-Gene", "I-Gene"]
BATCH = 2


def documents() -> list[Document]:
    docs = [Document(f"pmid:{i}", f"Study {i} of tamoxifen.", TEXT * (1 + i % 3)) for i in range(9)]
    return [*docs, Document("pmid:long", "A long record.", TEXT * 20)]  # over max_chars


@pytest.fixture(scope="module")
def specs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("models")
    tagger = tiny_token_classifier(tmp / "ner", LABELS)
    rel = tiny_classifier(tmp / "re", ["none", "CPR:3", "CPR:4", "CPR:5", "CPR:6", "CPR:9"])
    encoder = tiny_classifier(tmp / "enc", ["a", "b"])
    return [
        *plan([str(tagger)], [str(rel)], shipped("concepts-mesh")),
        embedder_spec(str(encoder)),
    ]


@pytest.fixture(scope="module")
def pipeline(specs):
    return Pipeline.load(specs, "cpu", max_chars=500)


def process_shards(folder: RunFolder, pipeline: Pipeline) -> None:
    """What the Ray actors do, here in this process: document rows in, result rows out."""
    folder.results.mkdir()
    for path in sorted(folder.documents.glob("*.parquet")):
        docs, hashes = documents_from_table(pq.read_table(path))
        table = result_table(docs, hashes, pipeline.process(docs))
        pq.write_table(table, folder.results / path.name)


def test_shards_load_the_local_engines_rows_once(engine, specs, pipeline, tmp_path):
    local = open_database(f"sqlite:///{tmp_path / 'local.db'}")
    for db in (local, engine):
        store_documents(db, documents())
    run_pipeline(local, pipeline, batch_size=BATCH)

    sources = pipeline.sources
    run_id = start_run(engine, "pipeline", "test", {})
    folder = RunFolder.create(tmp_path / "shards", run_id, database_name(engine), sources)
    assert export_pending(engine, sources, folder.documents, BATCH, docs_per_file=4) == 10
    assert len(list(folder.documents.glob("*.parquet"))) == 3  # 4 + 4 + 2 documents
    process_shards(folder, pipeline)
    counts = load_results(engine, folder.results, specs, run_id, batch_size=BATCH)

    expected = stored_rows(local)
    assert expected["entities"] and expected["relations"] and expected["vectors"]
    assert [m for m in expected["marks"] if m[2]] and stored_rows(engine) == expected
    assert (counts.documents, len(counts.failures)) == (10, 1)
    assert counts.failures[0].doc_id == "pmid:long"
    assert counts.entities == len(expected["entities"])

    again = load_results(engine, folder.results, specs, run_id, batch_size=BATCH)
    assert again.documents == 0 and stored_rows(engine) == expected  # loaded once only


def test_a_document_changed_since_its_export_is_not_loaded_and_stays_pending(
    engine, specs, pipeline, tmp_path
):
    store_documents(engine, documents())
    sources = pipeline.sources
    run_id = start_run(engine, "pipeline", "test", {})
    folder = RunFolder.create(tmp_path / "shards", run_id, database_name(engine), sources)
    export_pending(engine, sources, folder.documents, BATCH, docs_per_file=4)
    process_shards(folder, pipeline)
    store_documents(engine, [Document("pmid:3", "Study 3, corrected.", TEXT)])  # new content

    counts = load_results(engine, folder.results, specs, run_id, batch_size=BATCH)
    assert counts.documents == 9
    assert count_pending(engine, sources) == 1  # results of the old text are not its results
    with engine.connect() as c:
        done = set(c.execute(select(processed.c.doc_id).distinct()).scalars())
        assert "pmid:3" not in done
        assert not c.execute(select(entities.c.id).where(entities.c.doc_id == "pmid:3")).all()


def dead_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    return ended.pid


def test_leftover_folders_of_killed_runs_only(engine, tmp_path):
    sources = ["ner@1", "re@1"]
    root = tmp_path / "shards"
    name = database_name(engine)

    def folder(status: str, sources=sources, complete=True, database=name) -> RunFolder:
        run_id = start_run(engine, "pipeline", "test", {})
        if status != "running":
            finish_run(engine, run_id, {}, status=status)
        made = RunFolder.create(root, run_id, database, sources)
        if complete:
            made.mark_complete()
        return made

    killed_loading = folder("running")
    with engine.begin() as c:  # killed by SIGKILL: its row still says running
        config = {"pid": dead_pid(), "host": socket.gethostname()}
        c.execute(runs.update().where(runs.c.id == killed_loading.run_id).values(config=config))
    killed_in_ray = folder("interrupted", complete=False)
    live = folder("running")  # this process's own run: alive
    other_models = folder("failed", sources=["ner@2"])
    other_database = folder("failed", database="sqlite:///elsewhere.db")
    (root / "run-x").mkdir()  # not a run folder of ours
    complete, incomplete = leftover_folders(engine, root, sources)
    assert [f.path for f in complete] == [killed_loading.path]
    assert [f.path for f in incomplete] == [killed_in_ray.path]
    assert live.path.is_dir() and other_models.path.is_dir() and other_database.path.is_dir()
    assert leftover_folders(engine, Path(tmp_path / "none"), sources) == ([], [])
