"""Writers round-trip the real corpora: read, write, read back, compare whole Documents."""

from __future__ import annotations

import io

import pytest

from mining.corpus.bioc_xml import read_bioc_xml, write_bioc_xml
from mining.corpus.jsonl import read_jsonl, write_jsonl
from mining.corpus.pubtator import read_pubtator, write_pubtator
from tests.corpus.helpers import Errors

WRITERS = {
    "pubtator": (write_pubtator, read_pubtator),
    "bioc_xml": (write_bioc_xml, read_bioc_xml),
    "jsonl": (write_jsonl, read_jsonl),
}


def round_trip(docs, fmt):
    write, read = WRITERS[fmt]
    out = io.StringIO()
    assert write(docs, out) == len(docs)
    errors = Errors()
    back = list(read(io.BytesIO(out.getvalue().encode()), on_error=errors, name=fmt))
    assert not errors
    return back


@pytest.fixture(scope="module")
def bc5cdr_dev(shared_data):
    return list(read_pubtator(shared_data / "bc5cdr/pubtator/CDR_DevelopmentSet.PubTator.txt"))


@pytest.fixture(scope="module")
def bc5cdr_bioc_train(shared_data):
    # Read with its reported problems (individual mentions whose spans were dropped).
    path = shared_data / "bc5cdr/bioc/CDR_TrainingSet.BioC.xml"
    return list(read_bioc_xml(path, on_error=Errors()))


@pytest.mark.shared_data
@pytest.mark.parametrize("fmt", list(WRITERS))
def test_bc5cdr_dev_pubtator_round_trips(bc5cdr_dev, fmt):
    assert round_trip(bc5cdr_dev, fmt) == bc5cdr_dev


@pytest.mark.shared_data
@pytest.mark.parametrize("fmt", ["bioc_xml", "jsonl"])
def test_bc5cdr_bioc_round_trips_with_individual_mention_spans(bc5cdr_bioc_train, fmt):
    # BioC and JSONL keep what PubTator cannot: each individual mention's spans and concept.
    assert round_trip(bc5cdr_bioc_train, fmt) == bc5cdr_bioc_train


@pytest.mark.shared_data
def test_pubtator_output_of_bioc_equals_the_pubtator_corpus(shared_data, bc5cdr_bioc_train):
    pubtator = shared_data / "bc5cdr/pubtator/CDR_TrainingSet.PubTator.txt"
    out = io.StringIO()
    write_pubtator(bc5cdr_bioc_train, out)
    # Byte for byte, but for the individual-mention columns BC5CDR leaves empty.
    original = pubtator.read_text(encoding="utf-8").replace("\t\n", "\n")
    assert out.getvalue() == original
