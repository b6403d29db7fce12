"""JSON Lines reader and writer."""

from __future__ import annotations

import io
import json

import pytest

from mining.corpus.jsonl import read_jsonl, write_jsonl
from mining.types import Document, Entity, Relation
from tests.corpus.helpers import Errors, write


def full_document() -> Document:
    doc = Document(
        "pmid:7", "Aspirin study.", "Aspirin caused ulcers.", meta={"journal": "J", "mesh": ["a"]}
    )
    aspirin = Entity("pmid:7", 15, 22, "Aspirin", "Chemical", "D001241", 0.75, "model-x")
    ulcers = Entity("pmid:7", 30, 36, "ulcers", "Disease")
    doc.entities = [aspirin, ulcers]
    doc.relations = [
        Relation("pmid:7", "D001241", "ulcers", "CID", 0.5, (15, 37), "model-x", aspirin, ulcers),
        Relation("pmid:7", "D001241", "D014456", "CID"),
    ]
    return doc


def titled(**fields) -> str:
    return json.dumps({"id": 1, "title": "T", **fields})


def read(text: str) -> tuple[list[Document], Errors]:
    errors = Errors()
    return list(read_jsonl(io.BytesIO(text.encode()), on_error=errors, name="d.jsonl")), errors


def test_round_trip_keeps_meta_entities_and_relations():
    out = io.StringIO()
    assert write_jsonl([full_document(), Document("file:b", "Only a title.")], out) == 2
    docs, errors = read(out.getvalue())
    assert not errors and docs == [full_document(), Document("file:b", "Only a title.")]
    assert docs[0].relations[0].evidence == (15, 37)


def test_extra_keys_are_meta_and_ids_get_namespaces():
    lines = [
        {"id": 12, "title": "T", "abstract": "A", "year": 2001},
        {"pmid": "13", "title": "T"},
        {"id": "x1", "title": "T", "pmid": "14"},
    ]
    docs, errors = read("\n".join(json.dumps(line) for line in lines) + "\n\n")
    assert not errors
    assert [d.id for d in docs] == ["pmid:12", "pmid:13", "jsonl:x1"]
    assert docs[0].meta == {"year": 2001} and docs[2].meta == {"pmid": "14"}


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("{not json", "malformed JSON"),
        ("[1, 2]", "JSON object"),
        ('{"id": 1}', "title"),
        (titled(entities=[{"start": 0, "end": 1, "text": "X", "label": "L"}]), "not 'X'"),
        (titled(entities=[{"start": "0", "end": 1, "text": "T", "label": "L"}]), "integer"),
        (titled(entities=[{"start": 0}]), "bad entity"),
        (titled(relations=[{"head": "a"}]), "bad relation"),
    ],
)
def test_bad_lines_are_reported_with_their_number_and_the_rest_read(line, why):
    good = json.dumps({"id": 2, "title": "Fine."})
    docs, errors = read(f"{good}\n{line}\n{good}\n")
    assert [d.id for d in docs] == ["pmid:2", "pmid:2"]
    assert errors.lines == [2] and why in str(errors[0]) and "d.jsonl" in str(errors[0])


def test_gzipped_file(tmp_path):
    out = io.StringIO()
    write_jsonl([full_document()], out)
    path = write(tmp_path / "docs.jsonl.gz", out.getvalue(), gz=True)
    assert list(read_jsonl(path)) == [full_document()]


def test_writer_refuses_meta_that_would_hide_a_field():
    with pytest.raises(ValueError, match="title"):
        write_jsonl([Document("pmid:1", "T", meta={"title": "other"})], io.StringIO())


# --- bytes that are not UTF-8, and where a JSON error is ---------------------------------


def _jsonl_with_latin1(bad_line: int, lines: int = 40) -> bytes:
    """A JSON Lines file whose line ``bad_line`` holds a Latin-1 "é" (byte 0xE9)."""
    rows = []
    for number in range(1, lines + 1):
        title = "Caf\xe9 study." if number == bad_line else "Plain study."
        row = json.dumps({"id": number, "title": "@", "abstract": "Some words here."})
        rows.append(row.replace("@", title).encode("latin-1"))
    return b"\n".join(rows) + b"\n"


@pytest.mark.parametrize("bad_line", [1, 2, 30])  # inside the first KB detection reads, and after
def test_bad_bytes_are_one_behaviour_wherever_they_are(tmp_path, bad_line: int):
    from mining.corpus.detect import HEAD_SIZE, detect_format, read_any

    data = _jsonl_with_latin1(bad_line)
    assert (data.index(b"\xe9") < HEAD_SIZE) == (bad_line < 30)
    path = write(tmp_path / "latin.jsonl", data)
    assert detect_format(path) == "jsonl"
    errors = Errors()
    docs = list(read_any(path, on_error=errors))
    assert len(docs) == 40
    assert docs[bad_line - 1].title == "Caf\ufffd study."
    (warning,) = errors
    assert warning.source == str(path) and warning.line == bad_line
    assert "not valid UTF-8" in warning.message and "U+FFFD" in warning.message


def test_bad_bytes_do_not_decide_the_format_of_a_file_without_suffix(tmp_path):
    from mining.corpus.detect import detect_format

    assert detect_format(write(tmp_path / "dump", _jsonl_with_latin1(1))) == "jsonl"


def test_malformed_json_names_line_and_column():
    _, errors = read(titled() + "\n" + '{"id": 2, "title": "T",, "abstract": ""}' + "\n")
    (error,) = errors
    assert error.line == 2
    assert error.message == (
        "malformed JSON: Expecting property name enclosed in double quotes at column 24 (char 23)"
    )
    assert str(error).startswith("d.jsonl:2: malformed JSON")
