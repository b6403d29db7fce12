"""The one record splitter under PubMed XML and BioC XML: several record tags, gzip, cut
inputs, tiny chunks, junk between records."""

from __future__ import annotations

import gzip
import io
import re

import pytest

from mining.corpus import pubmed_xml
from mining.corpus.xml_records import Layout, as_utf8, xml_records
from mining.errors import InputError

LAYOUT = Layout(
    ("a", "b"),
    re.compile(rb"(?:\s+|<\?xml[^>]*\?>|</?root\s*>)*"),
    "</root>",
    lambda xml: "record " + xml[:4].decode(),
)
DATA = b'<?xml version="1.0"?>\n<root>\n<a>1</a>\n<b x="y">2</b>\n<ab>no</ab>\n<a>3</a>\n</root>\n'


def split(data: bytes, chunk: int = 1 << 18, max_between: int = 1 << 22):
    errors: list[InputError] = []
    stream = io.BytesIO(data)
    records = list(xml_records(stream, LAYOUT, "f.xml", errors.append, chunk, max_between))
    return records, errors


@pytest.mark.parametrize(("chunk", "max_between"), [(1 << 18, 1 << 22), (3, 2), (7, 5)])
def test_records_of_several_tags_in_any_chunking(chunk: int, max_between: int):
    records, errors = split(DATA, chunk, max_between)
    assert [(r.tag, r.xml, r.line) for r in records] == [
        ("a", b"<a>1</a>", 3),
        ("b", b'<b x="y">2</b>', 4),
        ("a", b"<a>3</a>", 6),
    ]
    (error,) = errors  # <ab> is not <a>: reported once, with its line
    assert error.line == 5 and "unexpected content skipped" in error.message


def test_gzip_and_multi_member_gzip():
    half = DATA.index(b"<b")
    assert split(gzip.compress(DATA))[0] == split(DATA)[0]
    assert split(gzip.compress(DATA[:half]) + gzip.compress(DATA[half:]))[0] == split(DATA)[0]


def test_truncated_gzip_keeps_records_before_the_cut_and_says_so_once():
    data = b"<root>\n" + b"".join(b"<a>%d</a>\n" % n for n in range(5000)) + b"</root>\n"
    packed = gzip.compress(data)
    records, errors = split(packed[: len(packed) // 2], chunk=4096)
    assert 0 < len(records) < 5000
    assert [r.xml for r in records] == [b"<a>%d</a>" % n for n in range(len(records))]
    (error,) = errors
    assert error.message.startswith("truncated gzip: the compressed data ends early")


def test_unclosed_record_is_named_by_the_layout():
    records, errors = split(b"<root>\n<a>1\n<a>2</a>\n</root>\n")
    assert [r.xml for r in records] == [b"<a>2</a>"]
    assert [(e.line, e.message) for e in errors] == [
        (2, "malformed XML: record <a>1 has no </a>; record skipped")
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty file"),
        (b"<root>\n<a>1</a>\n", "truncated file: it ends before </root>"),
        (b"<root>\n<a>1</a>\n<a>2", "truncated file: it ends inside a record"),
    ],
)
def test_how_a_file_ends_is_one_message(data: bytes, message: str):
    _, errors = split(data)
    assert [e.message for e in errors] == [message]


def test_declared_encoding_is_carried_and_bad_bytes_reported():
    data = b'<?xml version="1.0" encoding="ISO-8859-1"?>\n<root>\n<a>caf\xe9</a>\n</root>\n'
    (record,), errors = split(data)
    assert record.encoding == "iso8859-1" and errors == []
    assert as_utf8(record, "f.xml", errors.append) == "<a>café</a>".encode()
    bad = record._replace(xml=b"<a>caf\xe9</a>", encoding="utf-8")
    assert as_utf8(bad, "f.xml", errors.append) == "<a>caf\ufffd</a>".encode()
    assert [(e.line, e.message) for e in errors] == [
        (3, "bytes that are not valid utf-8 replaced with U+FFFD")
    ]


def test_pubmed_reader_has_no_splitter_of_its_own():
    names = vars(pubmed_xml)
    assert names["xml_records"] is xml_records
    assert not any("Splitter" in name or "ByteStream" in name for name in names)
