"""Ingest: expand the user's inputs, read each with the right reader, store in batches.

A bad input is reported (named) and skipped; the rest of the batch goes on. What was
stored before a failure stays stored, and a re-run skips it.
"""

from __future__ import annotations

import glob
import hashlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select

from mining.corpus.detect import CORPUS_SUFFIXES, detect_format, read_any
from mining.corpus.text_folder import SUFFIXES as TEXT_SUFFIXES
from mining.errors import InputError
from mining.store.runs import LazyRun
from mining.store.schema import runs
from mining.store.write_documents import IngestCounts, store_documents

STDIN = "-"
_HASH_CHUNK = 1 << 20


@dataclass
class IngestReport:
    counts: IngestCounts = field(default_factory=IngestCounts)
    inputs: int = 0
    errors: list[InputError] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # read before, unchanged: not read again

    @property
    def failed_inputs(self) -> list[str]:
        return sorted({error.source for error in self.errors})


def expand_inputs(patterns: Sequence[str]) -> Iterator[str]:
    """Inputs in a deterministic order, each once: arguments in the order given, globs
    expanded and folders walked in sorted order; '-' for stdin. A folder contributes its
    corpus files (by suffix, recursively, hidden files and folders skipped); a folder of
    plain-text abstracts is one input, beside its other corpus files. A path that does not
    exist, or a glob that matches nothing, is yielded as given and reported by ``ingest``.
    Duplicates (the same file named twice, or by a glob and a folder) are dropped."""
    seen: set[str] = set()
    for pattern in patterns:
        for name in _expand(pattern):
            key = name if name == STDIN else os.path.realpath(name)
            if key not in seen:
                seen.add(key)
                yield name


def _expand(pattern: str) -> list[str]:
    if pattern == STDIN:
        return [STDIN]
    if glob.has_magic(pattern):
        # glob leaves out hidden names unless the pattern spells the dot itself.
        matches = sorted(glob.glob(pattern, recursive=True))
        if not matches:
            return [pattern]
        return [name for match in matches for name in _path_inputs(Path(match))]
    return _path_inputs(Path(pattern)) if Path(pattern).is_dir() else [pattern]


def _path_inputs(path: Path) -> list[str]:
    return _folder_inputs(path) if path.is_dir() else [str(path)]


CHEMPROT_ABSTRACTS = "_abstracts.tsv"


def _is_corpus_file(path: Path) -> bool:
    return Path(path.name.removesuffix(".gz")).suffix.lower() in CORPUS_SUFFIXES


def _folder_inputs(folder: Path) -> list[str]:
    files = [
        path
        for path in sorted(folder.rglob("*"))
        if not any(part.startswith(".") for part in path.relative_to(folder).parts)
        and path.is_file()
        and _is_corpus_file(path)
    ]
    # A ChemProt split is one input: its abstracts, entities and relations read together.
    splits = sorted({p.parent for p in files if p.name.endswith(CHEMPROT_ABSTRACTS)})
    files = [p for p in files if p.parent not in splits]
    try:
        text_folder = detect_format(folder) == "text_folder"
    except InputError:
        text_folder = False  # not a folder of abstracts: its files are read one by one
    if not text_folder:
        return [str(s) for s in splits] + [str(path) for path in files]
    # The folder reads its own .txt abstracts; its other corpus files are inputs of their own.
    others = [p for p in files if p.parent != folder or not p.name.endswith(TEXT_SUFFIXES)]
    return [str(folder)] + [str(s) for s in splits] + [str(path) for path in others]


def ingest(
    engine: Engine,
    patterns: Sequence[str],
    *,
    batch_size: int = 1000,
    on_error: Callable[[InputError], None] | None = None,
    on_batch: Callable[[IngestCounts], None] | None = None,
    force: bool = False,
    workers: int = 1,
) -> IngestReport:
    """Read the inputs into the database. A file read cleanly by an earlier ingest into the
    same database, byte for byte the same, is not read again (unless ``force``): its records
    count as unchanged.

    Why skip rather than re-read: re-reading is idempotent for documents, but not for
    deletions. A PubMed update file deletes a record its baseline file holds; the store keeps
    no trace of a deleted record, so re-reading the baseline re-added it and re-reading the
    update deleted it again, on every run. Remembering each file's content hash (in the
    ingest run's counts, so no schema change) makes re-ingesting the same files a no-op and
    loses nothing: a file with a new version of a record is new bytes, so it is read; a file
    that had errors is not remembered, so it is read again; stdin and folders of text
    abstracts (no deletions in them) are always read.

    ``workers`` > 1 parses PubMed XML records in that many worker processes while this one
    stores them: the same rows, in the same order, with the same errors.
    """
    if workers > 1:
        from mining.corpus.parse_pool import ParsePool

        with ParsePool(workers) as pool:
            return _ingest(engine, patterns, batch_size, on_error, on_batch, force, pool)
    return _ingest(engine, patterns, batch_size, on_error, on_batch, force, None)


def _ingest(engine, patterns, batch_size, on_error, on_batch, force, pool) -> IngestReport:
    report = IngestReport()

    def record(error: InputError) -> None:
        report.errors.append(error)
        if on_error:
            on_error(error)

    inputs = list(expand_inputs(patterns))
    # The run row appears with the first batch that changes the database (or the first
    # error): re-ingesting what is stored already leaves no run behind.
    run = LazyRun(engine, "ingest", ", ".join(inputs)[:2000], {"batch_size": batch_size})

    def batch_done(counts: IngestCounts) -> None:
        if counts.inserted or counts.replaced or counts.deleted:
            run.id  # noqa: B018 - creates the run row
        if on_batch:
            on_batch(counts)

    ingested = {} if force else _ingested_files(engine)
    clean: dict[str, dict] = {}
    for name in inputs:
        report.inputs += 1
        digest = _file_digest(name)
        if digest in ingested:
            report.skipped.append(name)
            report.counts.unchanged += ingested[digest]["records"]
            continue
        errors_before = len(report.errors)
        try:
            items = _read(name, record, pool)
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
        if digest is not None and len(report.errors) == errors_before:
            clean[digest] = {"name": name, "records": counts.records}
    if report.errors:
        run.id  # noqa: B018 - failures are recorded even when nothing else changed
    run.finish(
        asdict(report.counts)
        | {"inputs": report.inputs, "failed_inputs": report.failed_inputs, "files": clean},
        status="failed" if report.errors else "done",
    )
    return report


def _file_digest(name: str) -> str | None:
    """The content hash of a regular file; None for stdin, folders and missing paths."""
    path = Path(name)
    if name == STDIN or not path.is_file():
        return None
    digest = hashlib.blake2b(digest_size=20)
    try:
        with open(path, "rb") as stream:
            while chunk := stream.read(_HASH_CHUNK):
                digest.update(chunk)
    except OSError:
        return None  # the reader reports it
    return digest.hexdigest()


def _ingested_files(engine: Engine) -> dict[str, dict]:
    """Content hash -> {name, records} of every file an earlier ingest run read cleanly."""
    query = select(runs.c.counts).where(runs.c.kind == "ingest", runs.c.status != "running")
    files: dict[str, dict] = {}
    with engine.connect() as connection:
        for (counts,) in connection.execute(query):
            files.update((counts or {}).get("files") or {})
    return files


def _read(name: str, on_error: Callable[[InputError], None], pool=None):
    if name == STDIN:
        return read_any(sys.stdin.buffer, on_error=on_error, name="<stdin>", pool=pool)
    path = Path(name)
    if not path.exists():
        if glob.has_magic(name):
            raise InputError(name, "no file or folder matches this pattern")
        raise InputError(name, "no such file or folder")
    return read_any(path, on_error=on_error, name=name, pool=pool)
