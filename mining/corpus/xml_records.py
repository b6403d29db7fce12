"""Cut the records (``<document>``, ``<PubmedArticle>``...) out of an XML byte stream.

Each record is then parsed on its own: a malformed record costs only itself, its error names
the file line, memory holds one chunk and one record, and the records after it are still
read; one lxml parse of the whole file would stop at the first error. What lies between
records (prolog, root tags, header elements) must match a pattern the caller gives; anything
else is reported, not skipped silently. Gzip is recognised by its magic bytes (several
members back to back, as pigz and bgzip write, are read; a cut stream keeps the records
before the cut). The DTD is never loaded or fetched, and no entity is expanded.
"""

from __future__ import annotations

import codecs
import re
import zlib
from collections.abc import Callable, Iterator
from typing import IO, NamedTuple

from lxml import etree

from mining.errors import InputError, OnError, report

_CHUNK = 1 << 18  # bytes read at a time
_MAX_BETWEEN = 1 << 22  # this much with no record start: report it rather than buffer on
_GZIP_MAGIC = b"\x1f\x8b"
_ENCODING = re.compile(rb"<\?xml[^>]*\sencoding\s*=\s*[\"']([A-Za-z0-9._-]+)")
_LXML_POSITION = re.compile(r", line \d+, column \d+$")
_TAG_ENDS = frozenset(b" \t\r\n>")
PARSER = etree.XMLParser(
    load_dtd=False, no_network=True, resolve_entities=False, huge_tree=True, remove_comments=True
)


class XmlRecord(NamedTuple):
    xml: bytes  # one record element, in the file's encoding
    line: int  # file line of its start tag
    tag: str = ""  # which of the layout's record tags it is
    encoding: str = "utf-8"  # the file's, from its XML declaration


class Layout(NamedTuple):
    """What a file of records looks like: the record tag (or tags), what may lie between
    records (matched from the start of each stretch between them), the root's end tag, and
    optionally how to name a record in a message (``b"...<PMID>2..." -> "PMID 2"``)."""

    tag: str | tuple[str, ...]
    between: re.Pattern[bytes]
    root_end: str
    describe: Callable[[bytes], str] | None = None


def xml_records(
    stream: IO[bytes],
    layout: Layout,
    name: str,
    on_error: OnError,
    chunk_size: int = _CHUNK,
    max_between: int = _MAX_BETWEEN,
) -> Iterator[XmlRecord]:
    """The records of a stream (gzipped or not) in file order. How the file ends is
    reported in one message when it does not end cleanly: a cut gzip stream, an empty
    file, a file that stops inside a record or before the root's end tag."""
    chunks = _Chunks(stream, name, on_error, chunk_size)
    splitter = _Splitter(layout, name, on_error, max_between)
    for chunk in chunks:
        yield from splitter.feed(chunk, eof=False)
    yield from splitter.feed(b"", eof=True)
    where, line = splitter.unfinished
    if chunks.truncated:
        message = f"truncated gzip: the compressed data ends early{', ' + where if where else ''}"
        report(InputError(name, message, line), on_error)
    elif not splitter.seen_bytes and not chunks.failed:
        report(InputError(name, "empty file"), on_error)
    elif where:
        report(InputError(name, f"truncated file: it ends {where}", line), on_error)


def as_utf8(record: XmlRecord, name: str, on_error: OnError) -> bytes:
    """The record in UTF-8 (lxml reads declaration-less bytes so); bytes that are not valid
    in the file's encoding are reported with their file line and read as U+FFFD (one
    character each, so offsets hold)."""
    try:
        text = record.xml.decode(record.encoding)
    except UnicodeDecodeError as exc:
        line = record.line + record.xml.count(b"\n", 0, exc.start)
        message = f"bytes that are not valid {record.encoding} replaced with U+FFFD"
        report(InputError(name, message, line), on_error)
        text = record.xml.decode(record.encoding, "replace")
    return text.encode("utf-8")


def parse_record(record: XmlRecord, name: str, on_error: OnError) -> etree._Element | None:
    """The record's element; None after reporting XML it cannot parse."""
    xml = as_utf8(record, name, on_error)
    try:
        return etree.fromstring(xml, PARSER)
    except etree.XMLSyntaxError as exc:
        message = _LXML_POSITION.sub("", exc.msg)
        line = record.line + (exc.lineno or 1) - 1
        report(InputError(name, f"malformed XML: {message}; record skipped", line), on_error)
        return None


class _Chunks:
    """The stream's bytes in chunks, gunzipped when they start with the gzip magic."""

    def __init__(self, raw: IO[bytes], name: str, on_error: OnError, size: int):
        self.raw, self.name, self.on_error, self.size = raw, name, on_error, size
        self.truncated = self.failed = False

    def __iter__(self) -> Iterator[bytes]:
        try:
            data = self.raw.read(self.size)
            if data.startswith(_GZIP_MAGIC):
                yield from self._gunzip(data)
                return
            while data:
                yield data
                data = self.raw.read(self.size)
        except OSError as exc:
            self.failed = True
            report(InputError(self.name, f"read error: {exc}"), self.on_error)

    def _gunzip(self, data: bytes) -> Iterator[bytes]:
        inflater = zlib.decompressobj(wbits=31)
        try:
            while data:
                # Bounded output, so that a highly compressed file cannot flood memory.
                yield inflater.decompress(data, 8 * self.size)
                if inflater.eof and inflater.unused_data:
                    # pigz and bgzip write several gzip members back to back.
                    data, inflater = inflater.unused_data, zlib.decompressobj(wbits=31)
                else:
                    data = inflater.unconsumed_tail or self.raw.read(self.size)
        except zlib.error as exc:
            self.failed = True
            report(InputError(self.name, f"corrupt gzip data: {exc}"), self.on_error)
            return
        self.truncated = not inflater.eof


class _Splitter:
    """State of the cut across chunks: the unfinished tail, the line count, the encoding,
    whether the root is open, and how the input stopped early (``unfinished``)."""

    def __init__(self, layout: Layout, name: str, on_error: OnError, max_between: int):
        tags = (layout.tag,) if isinstance(layout.tag, str) else layout.tag
        self.tags = [(tag, b"<" + tag.encode(), b"</" + tag.encode() + b">") for tag in tags]
        self.between, self.root_end = layout.between, layout.root_end.encode()
        self.root_start = b"<" + self.root_end[2:-1]
        self.describe = layout.describe or (lambda xml: "a record")
        self.name, self.on_error, self.max_between = name, on_error, max_between
        self.encoding = "utf-8"
        self.buffer = b""
        self.line, self.counted = 1, 0  # the line at buffer[counted]
        self.seen_bytes = self.in_root = self.skipping = False
        self.unfinished: tuple[str, int | None] = ("", None)
        self.next_tags: dict[bytes, tuple[int, int]] = {}

    def feed(self, chunk: bytes, eof: bool) -> Iterator[XmlRecord]:
        buffer = self.buffer = self.buffer + chunk if self.buffer else chunk
        self.next_tags = {}  # (searched from, found) per tag, for this buffer
        self.seen_bytes = self.seen_bytes or bool(buffer.strip())
        pos = 0
        while True:
            found = self._find_start(pos, len(buffer))
            if found is None:
                pos = self._tail(pos, eof)
                break
            start, (tag, open_tag, end_tag) = found
            self._check_between(pos, start)
            end = buffer.find(end_tag, start + len(open_tag))
            following = self._find_start(start + 1, len(buffer) if end < 0 else end)
            if following is not None:  # the next record starts before this one ends
                what = self.describe(buffer[start : following[0]])
                message = f"malformed XML: {what} has no {end_tag.decode()}; record skipped"
                self._problem(message, start)
                pos = following[0]
                continue
            if end < 0:
                if eof:
                    self.unfinished = ("inside a record", self._line_at(start))
                    pos = len(buffer)
                else:
                    pos = start
                break
            pos = end + len(end_tag)
            self.skipping = False
            yield XmlRecord(buffer[start:pos], self._line_at(start), tag, self.encoding)
        if eof and self.in_root and not self.unfinished[0]:
            self.unfinished = (f"before {self.root_end.decode()}", None)
        self._line_at(pos)
        self.buffer, self.counted = buffer[pos:], 0

    def _find_start(self, pos: int, end: int) -> tuple[int, tuple[str, bytes, bytes]] | None:
        """The first record start tag in ``buffer[pos:end]``."""
        best = None
        for entry in self.tags:
            at = self._next_tag(entry[1], pos)
            if 0 <= at < end and (best is None or at < best[0]):
                best = (at, entry)
        return best

    def _next_tag(self, open_tag: bytes, pos: int) -> int:
        """Where ``open_tag`` next starts a tag at or after ``pos`` in the buffer (-1: not in
        it). ``find`` runs at memchr speed; the answer is kept for the rest of the feed, so
        a tag that a file never uses (DeleteCitation in a baseline file) costs one scan of
        each chunk, not one per record."""
        searched_from, found = self.next_tags.get(open_tag, (-1, -1))
        if 0 <= searched_from <= pos and (found < 0 or found >= pos):
            return found
        buffer = self.buffer
        at = buffer.find(open_tag, pos)
        while at >= 0:
            after = at + len(open_tag)
            if after < len(buffer) and buffer[after] in _TAG_ENDS:
                break
            at = buffer.find(open_tag, at + 1)  # a longer name, or cut at the buffer's end
        self.next_tags[open_tag] = (pos, at)
        return at

    def _tail(self, pos: int, eof: bool) -> int:
        """Where to stop in a buffer with no record start after ``pos``: check it at the end
        of input; else keep it (it may hold a cut start tag or an unfinished header), unless
        it grew past ``max_between``: then check all but its last tag, which may be cut."""
        if eof:
            self._check_between(pos, len(self.buffer))
            return len(self.buffer)
        if len(self.buffer) - pos > self.max_between:
            keep = self.buffer.rfind(b"<", pos)
            keep = len(self.buffer) if keep < 0 else keep
            self._check_between(pos, keep)
            return keep
        return pos

    def _check_between(self, pos: int, end: int) -> None:
        if pos == end:
            return
        piece = self.buffer[pos:end]
        if declared := _ENCODING.search(piece):
            self.encoding = _codec(declared[1].decode("ascii"))
        matched = self.between.match(piece).end()
        if self.root_start in piece or self.root_end in piece:
            text = piece[:matched]
            self.in_root = text.rfind(self.root_end) < text.rfind(self.root_start)
        if matched < len(piece):
            if not self.skipping:
                snippet = piece[matched : matched + 60].decode("utf-8", "replace")
                self._problem(f"unexpected content skipped: {snippet!r}", pos + matched)
            self.skipping = True

    def _problem(self, message: str, pos: int) -> None:
        report(InputError(self.name, message, self._line_at(pos)), self.on_error)

    def _line_at(self, pos: int) -> int:
        # Positions only grow within a feed, so each byte is counted once.
        self.line += self.buffer.count(b"\n", self.counted, pos)
        self.counted = pos
        return self.line


def _codec(declared: str) -> str:
    try:
        return codecs.lookup(declared).name
    except LookupError:
        return "utf-8"
