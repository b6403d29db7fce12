"""Get bytes or lines out of any corpus input, and turn input failures into one InputError.

An input is a path or an open stream (binary, or text which is re-encoded as UTF-8). Gzip is
recognised by its magic bytes, not the file name, so ``.gz`` files and gzipped stdin both
work. Nothing here holds a whole file in memory except ``read_text``, which says so.
"""

from __future__ import annotations

import functools
import gzip
import io
import os
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, ParamSpec, TypeVar

from mining.errors import InputError, OnError, report

Source = str | os.PathLike[str] | IO[bytes] | IO[str]
T = TypeVar("T")
P = ParamSpec("P")

GZIP_MAGIC = b"\x1f\x8b"
# What reading a broken input raises: missing or unreadable file (OSError, including
# gzip.BadGzipFile), a gzip stream cut short (EOFError), corrupt deflate data (zlib.error).
READ_ERRORS: tuple[type[BaseException], ...] = (OSError, EOFError, zlib.error)
_CHUNK = 1 << 16
_LINES_CHUNK = 1 << 20
_BOM = b"\xef\xbb\xbf"


def is_path(source: object) -> bool:
    return isinstance(source, str | os.PathLike)


def source_name(source: Source, name: str | None = None) -> str:
    """The name errors give for an input: ``name``, else the path, else the stream's name."""
    if name:
        return name
    if is_path(source):
        return os.fspath(source)
    stream_name = getattr(source, "name", None)
    return stream_name if isinstance(stream_name, str) else "<stream>"


def file_stem(name: str) -> str:
    """``dir/CDR.PubTator.txt.gz`` -> ``CDR.PubTator``; ``<stdin>`` -> ``stdin``."""
    base = Path(name.strip("<>")).name
    if base.endswith(".gz"):
        base = base[:-3]
    return Path(base).stem or base


def read_error(name: str, exc: BaseException, line: int | None = None) -> InputError:
    if isinstance(exc, FileNotFoundError):
        return InputError(name, "no such file", line)
    if isinstance(exc, EOFError | zlib.error | gzip.BadGzipFile):
        return InputError(name, f"truncated or corrupt gzip data ({exc})", line)
    return InputError(name, f"cannot read: {exc}", line)


class _Replay(io.RawIOBase):
    """A stream that gives ``head`` again before the rest of ``rest``: sniffing without loss."""

    def __init__(self, head: bytes, rest: IO[bytes]):
        self._head, self._rest = memoryview(head), rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _TextAsBytes(io.RawIOBase):
    """A text stream seen as UTF-8 bytes, so every reader deals with one kind of stream."""

    def __init__(self, text: IO[str]):
        self._text, self._pending = text, b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:
        while not self._pending:
            chunk = self._text.read(_CHUNK)
            if not chunk:
                return 0
            self._pending = chunk.encode("utf-8", "surrogateescape")
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


def sniff(stream: IO[bytes], size: int) -> tuple[bytes, IO[bytes]]:
    """The first ``size`` bytes (fewer at end of input) and a stream that still starts with them.

    Reads until ``size`` bytes or EOF: one ``read`` on a pipe may return less.
    """
    parts, got = [], 0
    while got < size:
        part = stream.read(size - got)
        if not part:
            break
        parts.append(part)
        got += len(part)
    head = b"".join(parts)
    return head, io.BufferedReader(_Replay(head, stream), _CHUNK)


def as_binary(stream: IO[bytes] | IO[str]) -> IO[bytes]:
    """A binary stream as it is; a text stream as its UTF-8 bytes."""
    if isinstance(stream, io.TextIOBase):
        return io.BufferedReader(_TextAsBytes(stream), _CHUNK)
    return stream


@contextmanager
def open_binary(source: Source, gunzip: bool = True) -> Iterator[IO[bytes]]:
    """The input as (gunzipped) bytes. A stream the caller passed in is left open.
    ``gunzip=False`` for a reader that unpacks gzip itself (``xml_records``)."""
    opened = open(source, "rb") if is_path(source) else None
    try:
        raw = as_binary(source if opened is None else opened)
        if not gunzip:
            yield raw
            return
        magic, stream = sniff(raw, len(GZIP_MAGIC))
        yield gzip.GzipFile(fileobj=stream) if magic == GZIP_MAGIC else stream
    finally:
        if opened is not None:
            opened.close()


def _decode(raw: bytes, name: str, line: int, on_error: OnError) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        report(
            InputError(
                name,
                f"not valid UTF-8 at byte {exc.start}; undecodable bytes replaced with U+FFFD",
                line,
            ),
            on_error,
        )
        return raw.decode("utf-8", "replace")


def iter_lines(source: Source, name: str, on_error: OnError) -> Iterator[tuple[int, str]]:
    """(line number, line without its end-of-line) for each line, decoded from UTF-8.

    Only ``\\n`` ends a line (not the other characters ``str.splitlines`` splits on), so
    character offsets inside a line stay those of the file. Decodes a block of whole lines
    at a time (line by line only in a block with bad bytes): far fewer calls per line.
    """
    number = 0
    with open_binary(source) as stream:
        for index, block in enumerate(_line_blocks(stream)):
            if index == 0:
                block = block.removeprefix(_BOM)  # a byte-order mark is not part of the text
            for line in _block_lines(block.removesuffix(b"\n"), number + 1, name, on_error):
                number += 1
                yield number, line.removesuffix("\r")


def _line_blocks(stream: IO[bytes]) -> Iterator[bytes]:
    """The input in blocks of whole lines, each ending with its newline (but the last)."""
    pending: list[bytes] = []
    read = getattr(stream, "read1", stream.read)  # read1: a truncated gzip still gives its data
    while chunk := read(_LINES_CHUNK):
        cut = chunk.rfind(b"\n") + 1
        if not cut:  # a line longer than a chunk: gather, do not re-concatenate
            pending.append(chunk)
            continue
        pending.append(chunk[:cut])
        yield b"".join(pending)
        pending = [chunk[cut:]]
    if tail := b"".join(pending):
        yield tail


def _block_lines(block: bytes, first: int, name: str, on_error: OnError) -> Iterator[str]:
    try:
        return iter(block.decode("utf-8").split("\n"))
    except UnicodeDecodeError:
        raw_lines = enumerate(block.split(b"\n"), first)
        return (_decode(raw, name, number, on_error) for number, raw in raw_lines)


def read_text(source: Source, name: str, on_error: OnError) -> str:
    """The whole input decoded; only for inputs that are one record (a text file) or whose
    format cannot be streamed without a streaming parser (BioC JSON)."""
    with open_binary(source) as stream:
        raw = stream.read()
    raw = raw.removeprefix(_BOM)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return _decode(raw, name, line, on_error)


def reader(read: Callable[P, Iterator[T]]) -> Callable[P, Iterator[T]]:
    """Give a format's reader the contract every reader keeps.

    The reader is written as ``read(source, on_error=None, name=None)``; the wrapper resolves
    ``name`` (so the reader always gets a str), and turns an input that cannot be read
    (missing file, truncated gzip) into one InputError naming it, and so does an input that
    yields nothing and reported nothing else (an empty file).
    """

    @functools.wraps(read)
    def wrapper(source: Source, on_error: OnError = None, name: str | None = None) -> Iterator[T]:
        name = source_name(source, name)
        reported = 0

        def counting(error: InputError) -> None:
            nonlocal reported
            reported += 1
            report(error, on_error)

        yielded = 0
        try:
            for item in read(source, on_error=counting, name=name):
                yielded += 1
                yield item
        except READ_ERRORS as exc:
            counting(read_error(name, exc))
        if not yielded and not reported:
            report(InputError(name, "no records found (empty input?)"), on_error)

    return wrapper
