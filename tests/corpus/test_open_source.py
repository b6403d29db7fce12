"""Opening inputs: paths and streams, gzip by magic bytes, line decoding, the reader contract."""

from __future__ import annotations

import gzip
import io

import pytest

from mining.corpus.open_source import file_stem, iter_lines, reader, sniff, source_name
from mining.errors import InputError
from tests.corpus.helpers import Errors, truncated_gzip, write


def lines(source, errors=None) -> list[tuple[int, str]]:
    return list(iter_lines(source, "in", errors))


def test_only_newline_ends_a_line_and_crlf_and_bom_are_dropped():
    data = "\ufeffa\u2028b\x1cc\r\nd\n\nlast".encode()
    assert lines(io.BytesIO(data)) == [(1, "a\u2028b\x1cc"), (2, "d"), (3, ""), (4, "last")]


def test_paths_binary_and_text_streams_and_gzip_give_the_same_lines(tmp_path):
    text = "one\ntwo\n"
    expected = [(1, "one"), (2, "two")]
    assert lines(write(tmp_path / "plain", text)) == expected
    assert lines(write(tmp_path / "packed", text, gz=True)) == expected
    assert lines(io.BytesIO(gzip.compress(text.encode()))) == expected
    assert lines(io.StringIO(text)) == expected


def test_bad_bytes_are_reported_per_line_and_replaced():
    errors = Errors()
    got = lines(io.BytesIO(b"fine\nbad \xff\nfine\n"), errors)
    assert got == [(1, "fine"), (2, "bad \ufffd"), (3, "fine")]
    assert errors.lines == [2]


def test_lines_longer_than_a_read_chunk():
    long = "x" * 3_000_000
    assert lines(io.BytesIO(f"{long}\nshort".encode())) == [(1, long), (2, "short")]


def test_sniff_gives_the_head_and_loses_nothing():
    head, stream = sniff(io.BytesIO(b"0123456789"), 4)
    assert head == b"0123" and stream.read() == b"0123456789"
    head, stream = sniff(io.BytesIO(b"ab"), 4)
    assert head == b"ab" and stream.read() == b"ab"


def test_names_and_stems():
    assert source_name(io.BytesIO()) == "<stream>"
    assert source_name("a/b.txt") == "a/b.txt" and source_name("a", "given") == "given"
    assert file_stem("dir/CDR.PubTator.txt.gz") == "CDR.PubTator"
    assert file_stem("<stdin>") == "stdin"


@reader
def read_words(source, on_error=None, name=None):
    for _, line in iter_lines(source, name, on_error):
        yield from line.split()


def test_reader_contract_turns_read_failures_into_one_error(tmp_path):
    errors = Errors()
    words = list(read_words(write(tmp_path / "w.gz", truncated_gzip("word\n" * 50_000)), errors))
    assert words and len(errors) == 1 and "gzip" in errors[0].message
    errors = Errors()
    assert list(read_words(io.BytesIO(b"\n \n"), errors, "blank")) == []
    assert [e.source for e in errors] == ["blank"]
    with pytest.raises(InputError, match="no such file"):
        list(read_words(tmp_path / "missing"))
