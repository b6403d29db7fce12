"""Which corpus format an input is, and reading any input with the right reader.

Detection looks at the first KB (gunzipped when the input is gzip) and uses the file
extension only to break a tie (JSON Lines or BioC JSON) or to take an unrecognised text as a
plain ``.txt`` abstract. A folder is a text folder when it holds ``.txt`` files.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from mining.corpus.open_source import (
    GZIP_MAGIC,
    READ_ERRORS,
    Source,
    as_binary,
    is_path,
    read_error,
    sniff,
    source_name,
)
from mining.corpus.text_folder import text_files
from mining.errors import InputError, OnError, report
from mining.types import Deletion, Document

FORMATS = (
    "pubmed_xml",
    "bioc_xml",
    "bioc_json",
    "pubtator",
    "jsonl",
    "text_folder",
    "iob",
    "chemprot",
)
HEAD_SIZE = 1024
_READERS = {
    "pubmed_xml": ("mining.corpus.pubmed_xml", "read_pubmed_xml"),
    "bioc_xml": ("mining.corpus.bioc_xml", "read_bioc_xml"),
    "bioc_json": ("mining.corpus.bioc_json", "read_bioc_json"),
    "pubtator": ("mining.corpus.pubtator", "read_pubtator"),
    "jsonl": ("mining.corpus.jsonl", "read_jsonl"),
    "text_folder": ("mining.corpus.text_folder", "read_text_folder"),
    "iob": ("mining.corpus.iob", "read_iob"),
    "chemprot": ("mining.corpus.chemprot", "read_chemprot"),
}
# Names of corpus files: what a folder contributes to an ingest (so a README or PDF beside
# the dumps is not an error), and what makes an argument look like a path, not a text.
CORPUS_SUFFIXES = frozenset(
    {".xml", ".txt", ".json", ".jsonl", ".ndjson", ".tsv", ".iob", ".conll", ".bioc", ".pubtator"}
)
_BY_EXTENSION = {".json": "bioc_json", ".jsonl": "jsonl", ".ndjson": "jsonl"}
_PLAIN_TEXT = ".txt"
_PUBMED_ROOTS = re.compile(
    rb"(<|DOCTYPE\s+)(PubmedArticleSet|PubmedArticle|PubmedBookArticle|MedlineCitationSet)\b"
)
_BIOC_ROOT = re.compile(rb"<collection[\s>]")
_BIOC_JSON_KEYS = re.compile(rb'"(passages|documents|PubTator3)"\s*:')
_PUBTATOR_TITLE = re.compile(rb"[^|\t\n]+\|t\|")
_IOB_LINE = re.compile(rb"[^\t\n]+(\t[^\t\n]*)*[\t ](O|[BI]-\S+)\r?")


def detect_format(
    path_or_head_bytes: str | os.PathLike[str] | bytes, name: str | None = None
) -> str:
    """One of FORMATS, or an InputError naming the input when none fits.

    Give a path (a folder or file, read here) or the first bytes of an input (gzip or not)
    with its ``name`` when it has one (the extension breaks ties).
    """
    if isinstance(path_or_head_bytes, bytes):
        return _detect_head(path_or_head_bytes, name or "<input>")
    path = Path(path_or_head_bytes)
    name = name or str(path)
    if path.is_dir():
        return _detect_folder(path, name)
    try:
        # Raw bytes, gunzipped here as far as they go: a truncated .gz is still detected,
        # and its reader reports the truncation after the records before it.
        with open(path, "rb") as stream:
            head = stream.read(HEAD_SIZE)
    except OSError as exc:
        raise read_error(name, exc) from None
    return _detect_head(head, name)


def _detect_folder(path: Path, name: str) -> str:
    # A ChemProt split: abstracts, entities, relations (``ingest`` keeps it whole too).
    if any(path.glob("*_abstracts.tsv")):
        return "chemprot"
    files = text_files(path)
    if not files:
        raise InputError(name, "folder holds no .txt files")
    # PubTator corpora are .txt too: a folder of them is not a folder of abstracts.
    with open(files[0], "rb") as first:
        kinds = _by_content(_text_start(first.read(HEAD_SIZE)))
    if kinds:
        raise InputError(
            name, f"{files[0].name} is {kinds[0]}, not a plain abstract: give the files themselves"
        )
    return "text_folder"


def _detect_head(head: bytes, name: str) -> str:
    head = _text_start(head)
    if not head:
        raise InputError(name, "empty input")
    candidates = _by_content(head)
    if len(candidates) == 1:
        return candidates[0]
    by_extension = _BY_EXTENSION.get(_extension(name))
    # A tie goes to the extension; an unrecognised text is a plain abstract only in a .txt.
    if by_extension in candidates:
        return by_extension
    if not candidates and _extension(name) == _PLAIN_TEXT:
        return "text_folder"
    raise InputError(
        name, f"unrecognised format (first {HEAD_SIZE} bytes; known: {', '.join(FORMATS)})"
    )


def _text_start(head: bytes) -> bytes:
    """Where the text of an input starts: gunzipped, without byte-order mark or blanks."""
    return _gunzip_start(head).removeprefix(b"\xef\xbb\xbf").lstrip()


def _gunzip_start(head: bytes) -> bytes:
    """As much of a gzip stream's start as ``head`` holds (a partial stream is fine);
    other bytes as they are."""
    if not head.startswith(GZIP_MAGIC):
        return head
    try:
        return zlib.decompressobj(wbits=31).decompress(head, HEAD_SIZE)
    except zlib.error:
        return b""


def _extension(name: str) -> str:
    base = name.removesuffix(".gz")
    return Path(base).suffix.lower()


def _by_content(head: bytes) -> list[str]:
    """The formats the start of an input can be, best first."""
    if head.startswith(b"<"):
        if _PUBMED_ROOTS.search(head):
            return ["pubmed_xml"]
        return ["bioc_xml"] if _BIOC_ROOT.search(head) else []
    if head[:1] in (b"{", b"["):
        return _json_kind(head)
    first_lines = [line for line in head.split(b"\n")[:-1] if line.strip()] or [head]
    if _PUBTATOR_TITLE.match(first_lines[0]):
        return ["pubtator"]
    if all(_IOB_LINE.fullmatch(line) for line in first_lines):
        return ["iob"]
    return []


def _json_kind(head: bytes) -> list[str]:
    if _BIOC_JSON_KEYS.search(head):
        return ["bioc_json"]
    first = head.split(b"\n", 1)
    if len(first) == 2:  # a whole first line: JSON Lines when it is one object
        try:
            # Decoded leniently: whether the bytes are valid UTF-8 is the reader's to report
            # (it replaces bad bytes and keeps the record wherever they are), not a format.
            if isinstance(json.loads(first[0].decode("utf-8", "replace")), dict):
                return ["jsonl"]
        except ValueError:
            return []
    return ["jsonl", "bioc_json"] if head.startswith(b"{") else ["bioc_json"]


# Formats whose reader parses records in worker processes: PubMed's, the one that comes in
# thousands of 30,000-record files.
PARALLEL_FORMATS = frozenset({"pubmed_xml"})


def read_any(
    source: Source, on_error: OnError = None, name: str | None = None, pool=None
) -> Iterator[Document | Deletion]:
    """Read an input of any known format: a path (file or folder) or a binary stream such
    as ``sys.stdin.buffer``, which is sniffed without losing bytes. An input of unknown
    format is one InputError naming it. A ``ParsePool`` parses PubMed XML records in its
    worker processes (the other formats are read here)."""
    name = source_name(source, name)
    try:
        if is_path(source):
            fmt = detect_format(source, name)
        else:
            head, source = _sniff_stream(source)
            fmt = detect_format(head, name)
    except InputError as error:
        report(error, on_error)
        return
    except READ_ERRORS as exc:  # a stream that fails while being sniffed
        report(read_error(name, exc), on_error)
        return
    options = {"pool": pool} if pool is not None and fmt in PARALLEL_FORMATS else {}
    yield from _reader(fmt)(source, on_error=on_error, name=name, **options)


def _sniff_stream(stream: IO[bytes] | IO[str]) -> tuple[bytes, IO[bytes]]:
    return sniff(as_binary(stream), HEAD_SIZE)


def _reader(fmt: str):
    # Imported on use: a format's module (and lxml) loads only when that format is read.
    module, function = _READERS[fmt]
    return getattr(importlib.import_module(module), function)
