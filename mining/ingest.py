"""Ingest: expand the user's inputs, read each with the right reader, store in batches.

A bad input is reported (named) and skipped; the rest of the batch goes on. What was
stored before a failure stays stored, and a re-run skips it.
"""

from __future__ import annotations

import glob
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from mining.corpus.detect import read_any
from mining.errors import InputError
from mining.store.runs import finish_run, start_run
from mining.store.write_documents import IngestCounts, store_documents

STDIN = "-"


@dataclass
class IngestReport:
    counts: IngestCounts = field(default_factory=IngestCounts)
    inputs: int = 0
    errors: list[InputError] = field(default_factory=list)

    @property
    def failed_inputs(self) -> list[str]:
        return sorted({error.source for error in self.errors})


def expand_inputs(patterns: Sequence[str]) -> Iterator[str]:
    """Files as given, globs expanded (sorted), folders as themselves; '-' is stdin."""
    for pattern in patterns:
        if pattern != STDIN and glob.has_magic(pattern):
            matches = sorted(glob.glob(pattern, recursive=True))
            if not matches:
                yield pattern  # reported as missing by the reader step
            yield from matches
        else:
            yield pattern


def ingest(
    engine: Engine,
    patterns: Sequence[str],
    *,
    batch_size: int = 1000,
    on_error: Callable[[InputError], None] | None = None,
    on_batch: Callable[[IngestCounts], None] | None = None,
) -> IngestReport:
    report = IngestReport()

    def record(error: InputError) -> None:
        report.errors.append(error)
        if on_error:
            on_error(error)

    inputs = list(expand_inputs(patterns))
    run_id = start_run(engine, "ingest", ", ".join(inputs)[:2000], {"batch_size": batch_size})
    for name in inputs:
        report.inputs += 1
        try:
            items = _read(name, record)
            counts = store_documents(
                engine, items, batch_size=batch_size, source_file=name, on_batch=on_batch
            )
        except InputError as error:
            record(error)
            continue
        report.counts.add(counts)
    finish_run(
        engine,
        run_id,
        asdict(report.counts) | {"inputs": report.inputs, "failed_inputs": report.failed_inputs},
        status="failed" if report.errors else "done",
    )
    return report


def _read(name: str, on_error: Callable[[InputError], None]):
    if name == STDIN:
        return read_any(sys.stdin.buffer, on_error=on_error, name="<stdin>")
    path = Path(name)
    if not path.exists():
        raise InputError(name, "no such file or folder")
    return read_any(path, on_error=on_error, name=name)
