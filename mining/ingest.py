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

from mining.corpus.detect import detect_format, read_any
from mining.errors import InputError
from mining.store.runs import LazyRun
from mining.store.write_documents import IngestCounts, store_documents

STDIN = "-"
# Files a folder contributes: corpus-like names only, so a README or PDF beside the dumps
# is not an error. Files named one by one are always tried.
CORPUS_SUFFIXES = {
    ".xml",
    ".txt",
    ".json",
    ".jsonl",
    ".ndjson",
    ".tsv",
    ".iob",
    ".conll",
    ".bioc",
    ".pubtator",
}


@dataclass
class IngestReport:
    counts: IngestCounts = field(default_factory=IngestCounts)
    inputs: int = 0
    errors: list[InputError] = field(default_factory=list)

    @property
    def failed_inputs(self) -> list[str]:
        return sorted({error.source for error in self.errors})


def expand_inputs(patterns: Sequence[str]) -> Iterator[str]:
    """Files as given, globs expanded (sorted), '-' for stdin. A folder of plain-text
    abstracts is one input; any other folder stands for the files in it (recursively)."""
    for pattern in patterns:
        if pattern != STDIN and glob.has_magic(pattern):
            matches = sorted(glob.glob(pattern, recursive=True))
            if not matches:
                yield pattern  # reported as missing by the reader step
            for match in matches:
                yield from _folder_inputs(Path(match)) if Path(match).is_dir() else [match]
        elif pattern != STDIN and Path(pattern).is_dir():
            yield from _folder_inputs(Path(pattern))
        else:
            yield pattern


def _folder_inputs(folder: Path) -> list[str]:
    try:
        if detect_format(folder) == "text_folder":
            return [str(folder)]
    except InputError:
        pass  # not a folder of abstracts: its files are read one by one
    return [
        str(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
        and Path(path.name.removesuffix(".gz")).suffix.lower() in CORPUS_SUFFIXES
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    ]


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
    # The run row appears with the first batch that changes the database: re-ingesting
    # what is stored already leaves no run behind.
    run = LazyRun(engine, "ingest", ", ".join(inputs)[:2000], {"batch_size": batch_size})

    def batch_done(counts: IngestCounts) -> None:
        if counts.inserted or counts.replaced or counts.deleted:
            run.id  # noqa: B018 - creates the run row
        if on_batch:
            on_batch(counts)

    for name in inputs:
        report.inputs += 1
        try:
            items = _read(name, record)
            counts = store_documents(
                engine,
                items,
                batch_size=batch_size,
                source_file=name,
                on_batch=batch_done,
                on_error=record,
            )
        except InputError as error:
            record(error)
            continue
        report.counts.add(counts)
    run.finish(
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
