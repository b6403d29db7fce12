"""A pipeline run's folder of Parquet shards: the pending documents out, the results back in.

    <root>/run-<id>/run.json     {"database": ..., "sources": [...], "complete": false | true}
    <root>/run-<id>/documents/   the documents pending when the run started (document rows)
    <root>/run-<id>/results/     what the pipeline made of them (result rows)

The Ray engine's workers read and write only these files; the store is written by one
process, the driver, through ``write_results``, one transaction per batch of documents, as
the local engine writes it. ``complete`` is set once every result shard is written; only then
are they loaded. A run killed before that may have left partial files: its folder is removed,
and its documents are still pending, so the next run processes them again. A run killed while
loading left complete shards: the next run loads them first instead of computing them again,
and a document already written (or changed since: a newer version ingested) is skipped, so
every row is written exactly once.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
from sqlalchemy import Engine, select

from mining.engines.result_rows import document_table, result_from_rows
from mining.nlp.component import Component
from mining.pipeline import RunCounts, store_result
from mining.pipeline_plan import ComponentSpec
from mining.store.processed import content_hashes, pending_documents, pending_with_content
from mining.store.runs import RUNNING, mark_interrupted_runs
from mining.store.schema import runs

MANIFEST = "run.json"
FOLDER_PREFIX = "run-"


def default_root(engine: Engine) -> Path:
    """Beside a SQLite database file (``biomine.db.shards``); else ``biomine-shards`` in the
    working folder."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        path = Path(url.database)
        return path.with_name(path.name + ".shards")
    return Path("biomine-shards")


def database_name(engine: Engine) -> str:
    """Which database a run folder belongs to (its URL without the password)."""
    return engine.url.render_as_string(hide_password=True)


@dataclass(frozen=True)
class RunFolder:
    path: Path

    @property
    def documents(self) -> Path:
        return self.path / "documents"

    @property
    def results(self) -> Path:
        return self.path / "results"

    @property
    def run_id(self) -> int:
        return int(self.path.name.removeprefix(FOLDER_PREFIX))

    @classmethod
    def create(cls, root: Path, run_id: int, database: str, sources: Sequence[str]) -> RunFolder:
        folder = cls(Path(root) / f"{FOLDER_PREFIX}{run_id}")
        shutil.rmtree(folder.path, ignore_errors=True)
        folder.documents.mkdir(parents=True)
        folder._write_manifest({"database": database, "sources": list(sources), "complete": False})
        return folder

    def manifest(self) -> dict:
        try:
            return json.loads((self.path / MANIFEST).read_text())
        except (OSError, ValueError):
            return {}  # killed before its manifest was written: nothing in it to load

    def mark_complete(self) -> None:
        self._write_manifest(self.manifest() | {"complete": True})

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def _write_manifest(self, manifest: dict) -> None:
        # Written aside and renamed: a kill leaves the old manifest or the new one, never half.
        temporary = self.path / f".{MANIFEST}.tmp"
        temporary.write_text(json.dumps(manifest))
        os.replace(temporary, self.path / MANIFEST)


def leftover_folders(
    engine: Engine, root: Path, sources: Sequence[str]
) -> tuple[list[RunFolder], list[RunFolder]]:
    """The folders that runs of these models on this database left behind when they were
    killed: (complete ones, to load; incomplete ones, to remove). A live run's folder, or
    another database's or pipeline's, is left alone."""
    folders = sorted(Path(root).glob(f"{FOLDER_PREFIX}*"), key=lambda p: p.name)
    if not folders:
        return [], []
    mark_interrupted_runs(engine)
    with engine.connect() as connection:
        live = set(connection.execute(select(runs.c.id).where(runs.c.status == RUNNING)).scalars())
    complete, incomplete = [], []
    for path in folders:
        folder = RunFolder(path)
        if not path.name.removeprefix(FOLDER_PREFIX).isdigit() or folder.run_id in live:
            continue
        manifest = folder.manifest()
        if manifest.get("database", database_name(engine)) != database_name(engine):
            continue
        if manifest.get("sources", list(sources)) != list(sources):
            continue
        (complete if manifest.get("complete") else incomplete).append(folder)
    return complete, incomplete


def export_pending(
    engine: Engine, sources: Sequence[str], folder: Path, batch_size: int, docs_per_file: int
) -> int:
    """Write the documents pending for ``sources`` as document rows, in the store's order,
    in files of whole batches (``docs_per_file`` documents, rounded up to a batch) with a
    row group a batch; returns how many."""
    pending, part, total = [], 0, 0

    def flush() -> None:
        nonlocal pending, part
        hashes = content_hashes(engine, [d.id for d in pending])
        table = document_table(pending, hashes)
        pq.write_table(table, folder / f"part-{part:05d}.parquet", row_group_size=batch_size)
        pending, part = [], part + 1

    for docs in pending_documents(engine, sources, batch_size):
        pending += docs
        total += len(docs)
        if len(pending) >= docs_per_file:
            flush()
    if pending:
        flush()
    return total


def load_results(
    engine: Engine,
    folder: Path,
    parts: Sequence[Component] | Sequence[ComponentSpec],
    run_id: int,
    *,
    batch_size: int = 64,
    counts: RunCounts | None = None,
    on_batch: Callable[[RunCounts, int], None] | None = None,
) -> RunCounts:
    """Write the result shards in ``folder`` into the store, ``batch_size`` documents a
    transaction, with the processed marks of the pipeline ``parts``: a document already
    processed by them, or stored with other content than the results were computed from, is
    skipped. Adds to ``counts`` (documents written, entities, relations, failures)."""
    counts = counts or RunCounts()
    sources = [p.source for p in parts if p.marks]
    for path in sorted(Path(folder).glob("*.parquet")):
        for batch in pq.ParquetFile(path).iter_batches(batch_size=batch_size):
            rows = batch.to_pylist()
            todo = pending_with_content(
                engine, sources, {r["doc_id"]: r["content_hash"] for r in rows}
            )
            rows = [r for r in rows if r["doc_id"] in todo]
            if not rows:
                continue
            store_result(engine, result_from_rows(rows, parts), sources, run_id, counts, len(rows))
            if on_batch:
                on_batch(counts, len(rows))
    return counts
