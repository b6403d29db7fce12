"""Format detection and read_any: each format from a file, gzipped, and from a stdin-like pipe."""

from __future__ import annotations

import gzip
import io
import json

import pytest

from mining.corpus.detect import detect_format, read_any
from mining.errors import InputError
from tests.corpus.helpers import Errors, write

PUBTATOR = "7|t|Aspirin study.\n7|a|Aspirin caused ulcers.\n7\t15\t22\tAspirin\tChemical\tD1\n\n"
BIOC_XML = (
    "<?xml version='1.0' encoding='UTF-8'?><!DOCTYPE collection SYSTEM 'BioC.dtd'>\n"
    "<collection><source/><date/><key/><document><id>7</id><passage><offset>0</offset>"
    "<text>Aspirin study.</text></passage></document></collection>\n"
)
BIOC_JSON = json.dumps(
    {"documents": [{"id": "7", "passages": [{"offset": 0, "text": "Aspirin study."}]}]}
)
JSONL = json.dumps({"id": 7, "title": "Aspirin study.", "abstract": ""}) + "\n"
IOB = "Aspirin\tB-Chemical\nworks\tO\n\n"
PUBMED = (
    '<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet>\n<PubmedArticleSet><PubmedArticle>'
    '<MedlineCitation><PMID Version="1">7</PMID><Article><ArticleTitle>Aspirin study.'
    "</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>\n"
)
SAMPLES = {
    "pubtator": ("corpus.txt", PUBTATOR),
    "bioc_xml": ("c.xml", BIOC_XML),
    "bioc_json": ("c.json", BIOC_JSON),
    "jsonl": ("docs.jsonl", JSONL),
    "iob": ("train.tsv", IOB),
    "pubmed_xml": ("p.xml", PUBMED),
}
MINE = [fmt for fmt in SAMPLES if fmt != "pubmed_xml"]


@pytest.mark.parametrize("fmt", list(SAMPLES))
def test_each_format_from_its_first_bytes_plain_and_gzipped(fmt):
    _, text = SAMPLES[fmt]
    assert detect_format(text.encode()) == fmt
    assert detect_format(gzip.compress(text.encode())) == fmt


@pytest.mark.parametrize("fmt", list(SAMPLES))
def test_each_format_from_a_path_whatever_its_name(tmp_path, fmt):
    _, text = SAMPLES[fmt]
    assert detect_format(write(tmp_path / "input", text)) == fmt
    assert detect_format(write(tmp_path / "input.gz", text, gz=True)) == fmt


@pytest.mark.parametrize("fmt", MINE)
def test_read_any_reads_a_gzipped_file(tmp_path, fmt):
    file_name, text = SAMPLES[fmt]
    errors = Errors()
    (doc,) = read_any(write(tmp_path / (file_name + ".gz"), text, gz=True), on_error=errors)
    assert not errors and doc.title.startswith("Aspirin")


class Pipe(io.RawIOBase):
    """A pipe that hands out a few bytes per read, as stdin may: sniffing must not lose any."""

    def __init__(self, data: bytes):
        self._data = data

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), 7, len(self._data))
        buffer[:n], self._data = self._data[:n], self._data[n:]
        return n


@pytest.mark.parametrize("fmt", MINE)
@pytest.mark.parametrize("gz", [False, True])
def test_read_any_sniffs_a_stdin_like_stream_without_losing_bytes(fmt, gz):
    _, text = SAMPLES[fmt]
    data = gzip.compress(text.encode()) if gz else text.encode()
    stdin = io.BufferedReader(Pipe(data), buffer_size=16)
    errors = Errors()
    (doc,) = read_any(stdin, on_error=errors, name="<stdin>")
    assert not errors and doc.title.startswith("Aspirin")


def test_read_any_takes_a_text_stream():
    (doc,) = read_any(io.StringIO(PUBTATOR))
    assert doc.id == "pmid:7" and len(doc.entities) == 1


def test_pubmed_xml_goes_to_its_reader(tmp_path):
    pytest.importorskip(
        "mining.corpus.pubmed_xml", reason="the PubMed XML reader is written in parallel"
    )
    (doc,) = read_any(write(tmp_path / "p.xml.gz", PUBMED, gz=True))
    assert doc.id == "pmid:7" and doc.title == "Aspirin study."


def test_json_tie_is_broken_by_the_extension():
    long_first_object = b'{"infons": {"note": "' + b"x" * 2000 + b'"}}'
    assert detect_format(long_first_object, "a.jsonl") == "jsonl"
    assert detect_format(long_first_object, "a.json") == "bioc_json"
    with pytest.raises(InputError, match="unrecognised"):
        detect_format(long_first_object, "<stdin>")


def test_plain_text_is_an_abstract_only_in_a_txt_file(tmp_path):
    abstract = "A title\nSome abstract text.\n"
    assert detect_format(write(tmp_path / "a.txt", abstract)) == "text_folder"
    (doc,) = read_any(tmp_path / "a.txt")
    assert (doc.id, doc.title) == ("file:a", "A title")
    with pytest.raises(InputError, match="unrecognised"):
        detect_format(write(tmp_path / "a.tsv", abstract))


def test_folders(tmp_path):
    write(tmp_path / "one.txt", "Title one\nText.")
    write(tmp_path / "two.txt.gz", "Title two\nText.", gz=True)
    assert detect_format(tmp_path) == "text_folder"
    assert [d.id for d in read_any(tmp_path)] == ["file:one", "file:two"]
    pubtator = tmp_path / "pubtator"
    pubtator.mkdir()
    write(pubtator / "CDR.PubTator.txt", PUBTATOR)
    with pytest.raises(InputError, match="is pubtator"):
        detect_format(pubtator)


def test_empty_folder_is_an_error(tmp_path):
    with pytest.raises(InputError, match="no .txt files"):
        detect_format(tmp_path)


@pytest.mark.parametrize(
    ("name", "data", "why"),
    [
        ("blank.txt", b"", "empty"),
        ("data.bin", b"\x00\x01\x02binary", "unrecognised"),
        ("notes.md", b"# Heading\n\nSome prose.\n", "unrecognised"),
        ("other.xml", b"<?xml version='1.0'?><html><body/></html>", "unrecognised"),
    ],
)
def test_unknown_input_is_one_error_naming_it(tmp_path, name, data, why):
    errors = Errors()
    assert list(read_any(write(tmp_path / name, data), on_error=errors)) == []
    assert len(errors) == 1 and name in str(errors[0]) and why in str(errors[0])


def test_missing_file_is_one_error(tmp_path):
    errors = Errors()
    assert list(read_any(tmp_path / "gone.xml", on_error=errors)) == []
    assert len(errors) == 1 and "gone.xml" in str(errors[0])


def test_truncated_gzip_is_detected_and_its_reader_reports_the_cut(tmp_path):
    blocks = "".join(PUBTATOR.replace("7", str(n)) for n in range(100, 600))
    whole = gzip.compress(blocks.encode())
    path = write(tmp_path / "cut.txt.gz", whole[: len(whole) // 2])
    errors = Errors()
    docs = list(read_any(path, on_error=errors))
    assert docs and len(errors) == 1 and "gzip" in str(errors[0])


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        ("bc5cdr/pubtator/CDR_TrainingSet.PubTator.txt", "pubtator"),
        ("bc5cdr/bioc/CDR_TrainingSet.BioC.xml", "bioc_xml"),
        ("bc5cdr/conll_iob/train.tsv", "iob"),
        ("bc2gm/train.tsv", "iob"),
        ("ncbi_disease/original/NCBItrainset_corpus.txt", "pubtator"),
        ("ncbi_disease/conll/train.tsv", "iob"),
        ("pubmed_xml/pubmedsample18n0001.xml.gz", "pubmed_xml"),
        ("pubmed_xml/pubmed-29768149.xml", "pubmed_xml"),
    ],
)
def test_real_corpora_are_recognised(shared_data, path, fmt):
    assert detect_format(shared_data / path) == fmt


def test_a_chemprot_split_folder_is_read_as_chemprot(shared_data):
    folder = shared_data / "chemprot/original/chemprot_development"
    assert detect_format(folder) == "chemprot"
    docs = list(read_any(folder))
    assert len(docs) == 612 and sum(len(d.relations) for d in docs) > 2000
