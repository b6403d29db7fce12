"""A folder of plain-text abstracts: each ``.txt`` (or ``.txt.gz``) file is one document.

The id is ``file:<stem>``; the first non-empty line is the title and the rest, stripped of
surrounding blank space, the abstract. A single file (or stream) reads as a one-file folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from mining.corpus.open_source import (
    READ_ERRORS,
    Source,
    file_stem,
    is_path,
    read_error,
    read_text,
    reader,
)
from mining.errors import InputError, OnError, report
from mining.types import Document

SUFFIXES = (".txt", ".txt.gz")


def text_files(folder: Path) -> list[Path]:
    """The folder's text files, sorted by name so that runs are repeatable (not recursive);
    hidden files (editor backups, ``.~lock`` files) are not abstracts."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.name.endswith(SUFFIXES) and not p.name.startswith(".")
    )


@reader
def read_text_folder(
    source: Source, on_error: OnError = None, name: str | None = None
) -> Iterator[Document]:
    """One Document per text file. A file that cannot be read or decoded, or is empty, is
    reported (once, naming that file) and the other files go on."""
    if is_path(source) and Path(source).is_dir():
        files: list[Source] = list(text_files(Path(source)))
        names = [str(f) for f in files]
    else:
        files, names = [source], [name]
    for file, file_name in zip(files, names, strict=True):
        doc = _read_one(file, file_name, on_error)
        if doc is not None:
            yield doc


def _read_one(file: Source, name: str, on_error: OnError) -> Document | None:
    try:
        text = read_text(file, name, on_error)  # reports a bad encoding once per file
    except READ_ERRORS as exc:
        report(read_error(name, exc), on_error)
        return None
    doc = text_document(f"file:{file_stem(name)}", text)
    if doc is None:
        report(InputError(name, "empty text file: no title"), on_error)
    return doc


def text_document(doc_id: str, text: str) -> Document | None:
    """Title = first non-empty line, abstract = the rest; None for a blank text."""
    lines = text.lstrip().split("\n", 1)
    title = lines[0].strip()
    if not title:
        return None
    abstract = lines[1].strip() if len(lines) > 1 else ""
    return Document(doc_id, title, abstract)
