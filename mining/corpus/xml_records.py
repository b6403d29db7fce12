"""Cut the records (``<document>...</document>``) out of an XML byte stream, parse each alone.

A malformed record then costs only itself, its error names the file line, memory holds one
chunk and one record, and the records after it are still read; one lxml parse of the whole
file would stop at the first error. What lies between records (prolog, root tags, header
elements) must match a pattern the caller gives; anything else is reported, not skipped
silently. The DTD is never loaded or fetched, and no entity is expanded.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from typing import IO, NamedTuple

from lxml import etree

from mining.errors import InputError, OnError, report

_CHUNK = 1 << 18
_MAX_BETWEEN = 1 << 22  # this much with no record start: report it rather than buffer on
_ENCODING = re.compile(rb"<\?xml[^>]*\sencoding\s*=\s*[\"']([A-Za-z0-9._-]+)")
_LXML_POSITION = re.compile(r", line \d+, column \d+$")
PARSER = etree.XMLParser(
    load_dtd=False, no_network=True, resolve_entities=False, huge_tree=True, remove_comments=True
)


class XmlRecord(NamedTuple):
    xml: bytes  # one record element, UTF-8
    line: int  # file line of its start tag


class Layout(NamedTuple):
    """What a file of records looks like: the record tag, what may lie between records
    (matched from the start of each stretch between them), and the root's end tag."""

    tag: str
    between: re.Pattern[bytes]
    root_end: str


def xml_records(
    stream: IO[bytes], layout: Layout, name: str, on_error: OnError
) -> Iterator[XmlRecord]:
    """The records of a stream in file order; a file that stops before the root's end tag is
    reported as truncated."""
    splitter = _Splitter(layout, name, on_error)
    while chunk := stream.read(_CHUNK):
        yield from splitter.feed(chunk, eof=False)
    yield from splitter.feed(b"", eof=True)
    splitter.check_end()


def parse_record(record: XmlRecord, name: str, on_error: OnError) -> etree._Element | None:
    """The record's element; None after reporting XML it cannot parse. Bytes that are not
    UTF-8 are reported and read as U+FFFD (one character each, so offsets hold)."""
    xml = record.xml
    try:
        xml.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = record.line + xml.count(b"\n", 0, exc.start)
        report(InputError(name, "not valid UTF-8; bytes replaced with U+FFFD", line), on_error)
        xml = xml.decode("utf-8", "replace").encode("utf-8")
    try:
        return etree.fromstring(xml, PARSER)
    except etree.XMLSyntaxError as exc:
        message = _LXML_POSITION.sub("", exc.msg)
        line = record.line + (exc.lineno or 1) - 1
        report(InputError(name, f"malformed XML: {message}; record skipped", line), on_error)
        return None


class _Splitter:
    """State of the cut across chunks: the unfinished tail and the line count."""

    def __init__(self, layout: Layout, name: str, on_error: OnError):
        self.start = re.compile(rb"<" + layout.tag.encode() + rb"[\s>]")
        self.end = f"</{layout.tag}>".encode()
        self.between, self.root_end = layout.between, layout.root_end.encode()
        self.name, self.on_error = name, on_error
        self.encoding = "utf-8"
        self.buffer = b""
        self.line, self.counted = 1, 0  # the line at buffer[counted]
        self.seen_bytes = self.truncated = self.closed = False

    def check_end(self) -> None:
        if self.seen_bytes and not self.truncated and not self.closed:
            message = f"file ends before {self.root_end.decode()} (truncated?)"
            report(InputError(self.name, message, self.line), self.on_error)

    def feed(self, chunk: bytes, eof: bool) -> Iterator[XmlRecord]:
        buffer = self.buffer = self.buffer + chunk
        self.seen_bytes = self.seen_bytes or bool(buffer.strip())
        pos = 0
        while True:
            start = self.start.search(buffer, pos)
            if start is None:
                pos = self._tail(pos, eof)
                break
            self._check_between(pos, start.start())
            end = buffer.find(self.end, start.end())
            following = self.start.search(buffer, start.end(), len(buffer) if end < 0 else end)
            if following is not None:  # the next record starts before this one ends
                self._problem("record has no end tag; skipped", start.start())
                pos = following.start()
                continue
            if end < 0:
                if eof:
                    self._problem("file ends inside a record (truncated?)", start.start())
                    self.truncated, pos = True, len(buffer)
                else:
                    pos = start.start()
                break
            pos = end + len(self.end)
            yield XmlRecord(self._utf8(buffer[start.start() : pos]), self._line_at(start.start()))
        self._line_at(pos)
        self.buffer, self.counted = buffer[pos:], 0

    def _tail(self, pos: int, eof: bool) -> int:
        """Where to stop in a buffer with no record start after ``pos``: check it at the end
        of input; else keep it (it may be a cut start tag or an unfinished header)."""
        if eof or len(self.buffer) - pos > _MAX_BETWEEN:
            self._check_between(pos, len(self.buffer))
            return len(self.buffer)
        return pos

    def _check_between(self, pos: int, end: int) -> None:
        piece = self.buffer[pos:end]
        self.closed = self.root_end in piece
        if declared := _ENCODING.search(piece):
            self.encoding = _codec(declared[1].decode("ascii"))
        matched = self.between.match(piece).end()
        if matched < len(piece):
            snippet = piece[matched : matched + 60].decode("utf-8", "replace")
            self._problem(f"unexpected content skipped: {snippet!r}", pos + matched)

    def _problem(self, message: str, pos: int) -> None:
        report(InputError(self.name, message, self._line_at(pos)), self.on_error)

    def _line_at(self, pos: int) -> int:
        # Positions only grow within a feed, so each byte is counted once.
        self.line += self.buffer.count(b"\n", self.counted, pos)
        self.counted = pos
        return self.line

    def _utf8(self, xml: bytes) -> bytes:
        # Records carry no XML declaration, so lxml reads them as UTF-8.
        if self.encoding == "utf-8":
            return xml
        return xml.decode(self.encoding, "replace").encode("utf-8")


def _codec(declared: str) -> str:
    try:
        return codecs.lookup(declared).name
    except LookupError:
        return "utf-8"
