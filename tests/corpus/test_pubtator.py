"""PubTator reader and writer: the real BC5CDR and NCBI disease files, and small bad inputs."""

from __future__ import annotations

import io
from collections import Counter

import pytest

from mining.corpus.pubtator import read_pubtator, write_pubtator
from mining.errors import InputError
from mining.types import Document, Entity, Relation
from tests.corpus.helpers import Errors, offsets_hold, truncated_gzip, write

BLOCK = (
    "2234245|t|Ocular and auditory toxicity in hemodialyzed patients receiving desferrioxamine.\n"
    "2234245|a|During an 18-month period of study 41 hemodialyzed patients were seen.\n"
    "2234245\t0\t28\tOcular and auditory toxicity\tDisease\tD014786|D006311"
    "\tOcular toxicity|auditory toxicity\n"
    "2234245\t64\t79\tdesferrioxamine\tChemical\tD003676\n"
    "2234245\t119\t131\themodialyzed\tDisease\t-1\n"
    "2234245\tCID\tD003676\tD014786\n"
    "\n"
)
SECOND = "99|t|Second title.\n99|a|Aspirin.\n99\t14\t21\tAspirin\tChemical\tD001241\n\n"


def read(text: str, tmp_path, name: str = "in.pubtator") -> tuple[list[Document], Errors]:
    errors = Errors()
    return list(read_pubtator(write(tmp_path / name, text), on_error=errors)), errors


def test_block_gives_text_entities_relations_and_individual_mentions(tmp_path):
    (doc,), errors = read(BLOCK, tmp_path)
    assert not errors
    assert doc.id == "pmid:2234245"
    assert doc.text.startswith("Ocular and auditory toxicity in hemodialyzed")
    assert doc.entities[0] == Entity(
        "pmid:2234245", 0, 28, "Ocular and auditory toxicity", "Disease", "D014786|D006311"
    )
    assert doc.entities[2].concept_id is None  # "-1": not normalised
    assert offsets_hold([doc])
    assert doc.relations == [Relation("pmid:2234245", "D003676", "D014786", "CID")]
    assert doc.meta["individual_mentions"] == [
        {
            "start": 0,
            "end": 28,
            "parts": [{"text": "Ocular toxicity"}, {"text": "auditory toxicity"}],
        }
    ]


def test_non_numeric_id_gets_the_format_namespace(tmp_path):
    (doc,), _ = read("doc7|t|A title.\ndoc7|a|\n\n", tmp_path)
    assert doc.id == "pubtator:doc7" and doc.abstract == ""


def test_mismatched_offsets_are_reported_with_their_line_and_skipped(tmp_path):
    bad = BLOCK.replace("\t64\t79\tdesferrioxamine", "\t64\t79\tdesferoxamine")
    docs, errors = read(bad + SECOND, tmp_path)
    assert [len(d.entities) for d in docs] == [2, 1]  # the rest is kept
    assert errors.lines == [4]
    assert "in.pubtator" in str(errors[0]) and "'desferoxamine'" in str(errors[0])


@pytest.mark.parametrize(
    "line",
    [
        "2234245\tx\t8\tOcular\tDisease\tD1",  # offsets not numbers
        "2234245\t0\t6",  # too few columns
        "77\t0\t6\tOcular\tDisease\tD1",  # another PMID inside the block
        "2234245|a|A second abstract.",  # abstract after annotations
        "just some text",
    ],
)
def test_malformed_lines_are_reported_and_the_file_goes_on(tmp_path, line):
    docs, errors = read(BLOCK.replace("\n\n", f"\n{line}\n\n") + SECOND, tmp_path)
    assert [d.id for d in docs] == ["pmid:2234245", "pmid:99"]
    assert errors.lines == [7]


def test_annotation_before_any_title_is_reported(tmp_path):
    docs, errors = read("5\t0\t1\tA\tChemical\tD1\n\n" + SECOND, tmp_path)
    assert [d.id for d in docs] == ["pmid:99"] and errors.lines == [1]


def test_blocks_without_blank_lines_and_crlf_line_ends(tmp_path):
    text = (BLOCK.rstrip("\n") + "\n" + SECOND).replace("\n", "\r\n")
    docs, errors = read(text, tmp_path)
    assert not errors and [d.id for d in docs] == ["pmid:2234245", "pmid:99"]
    assert offsets_hold(docs) and not docs[0].abstract.endswith("\r")


def test_bytes_that_are_not_utf8_are_reported_once_and_the_document_kept(tmp_path):
    path = write(tmp_path / "latin1.txt", "5|t|Caf\xe9 title.\n5|a|Text.\n\n".encode("latin-1"))
    errors = Errors()
    (doc,) = read_pubtator(path, on_error=errors)
    assert doc.title == "Caf\ufffd title."
    assert len(errors) == 1 and errors[0].line == 1 and "UTF-8" in str(errors[0])


def test_empty_file_is_one_error_naming_it(tmp_path):
    docs, errors = read("", tmp_path, "empty.txt")
    assert docs == [] and len(errors) == 1 and "empty.txt" in str(errors[0])


def test_missing_file_is_one_error(tmp_path):
    errors = Errors()
    assert list(read_pubtator(tmp_path / "nope.txt", on_error=errors)) == []
    assert len(errors) == 1 and "no such file" in str(errors[0])


def test_without_on_error_the_first_problem_raises(tmp_path):
    with pytest.raises(InputError, match="nope.txt"):
        list(read_pubtator(tmp_path / "nope.txt"))


def test_gzip_is_recognised_by_its_bytes_not_its_name(tmp_path):
    path = write(tmp_path / "corpus.txt", BLOCK + SECOND, gz=True)
    assert [d.id for d in read_pubtator(path)] == ["pmid:2234245", "pmid:99"]


def test_truncated_gzip_keeps_what_came_before_and_reports_once(tmp_path):
    blocks = "".join(SECOND.replace("99", str(n)) for n in range(100, 400))
    path = write(tmp_path / "cut.txt.gz", truncated_gzip(blocks))
    errors = Errors()
    docs = list(read_pubtator(path, on_error=errors))
    assert 0 < len(docs) < 300
    assert len(errors) == 1 and "gzip" in str(errors[0]) and "cut.txt.gz" in str(errors[0])


def test_text_and_binary_streams(tmp_path):
    from_text = list(read_pubtator(io.StringIO(BLOCK), name="text"))
    from_bytes = list(read_pubtator(io.BytesIO(BLOCK.encode()), name="bytes"))
    assert from_text == from_bytes and len(from_text) == 1


def test_writer_round_trips_entities_relations_and_individual_mentions(tmp_path):
    (doc,), _ = read(BLOCK, tmp_path)
    out = io.StringIO()
    assert write_pubtator([doc], out) == 1
    assert out.getvalue() == BLOCK
    assert list(read_pubtator(io.StringIO(out.getvalue()))) == [doc]


def test_writer_keeps_one_document_per_block_when_texts_hold_line_breaks():
    doc = Document("file:x", "Two\nlines", "tab\there")
    out = io.StringIO()
    write_pubtator([doc], out)
    (back,) = read_pubtator(io.StringIO(out.getvalue()))
    assert (back.id, back.title, back.abstract) == ("file:x", "Two lines", "tab here")


# The real corpora: counts from their MANIFEST.md.

BC5CDR = "bc5cdr/pubtator/CDR_{}Set.PubTator.txt"


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("split", "chemicals", "diseases", "cid", "unnormalised"),
    [("Training", 5203, 4182, 1038, 76), ("Development", 5347, 4244, 1012, 59)],
)
def test_bc5cdr(shared_data, split, chemicals, diseases, cid, unnormalised):
    errors = Errors()
    docs = list(read_pubtator(shared_data / BC5CDR.format(split), on_error=errors))
    assert not errors
    assert len(docs) == 500 and all(d.id.startswith("pmid:") for d in docs)
    assert Counter(e.label for d in docs for e in d.entities) == {
        "Chemical": chemicals,
        "Disease": diseases,
    }
    assert offsets_hold(docs)
    assert sum(e.concept_id is None for d in docs for e in d.entities) == unnormalised
    relations = [r for d in docs for r in d.relations]
    assert len(relations) == cid and {r.label for r in relations} == {"CID"}
    assert all(r.head_mention is None and r.tail_mention is None for r in relations)
    assert any("|" in (e.concept_id or "") for d in docs for e in d.entities)  # kept joined


@pytest.mark.shared_data
def test_ncbi_disease_train_reports_the_one_bad_mention_and_keeps_the_rest(shared_data):
    path = shared_data / "ncbi_disease/original/NCBItrainset_corpus.txt"
    errors = Errors()
    docs = list(read_pubtator(path, on_error=errors))
    assert len(docs) == 593 and len({d.id for d in docs}) == 592  # PMID 8528200 twice
    assert len(errors) == 1
    assert errors[0].line == 3249 and errors[0].source == str(path)
    assert "pmid:10923035" in str(errors[0])
    labels = Counter(e.label for d in docs for e in d.entities)
    # MANIFEST: 5,145 mentions, 2,972 SpecificDisease; the skipped one is SpecificDisease.
    assert labels == {
        "SpecificDisease": 2971,
        "DiseaseClass": 769,
        "Modifier": 1289,
        "CompositeMention": 115,
    }
    assert offsets_hold(docs) and not any(d.relations for d in docs)


@pytest.mark.shared_data
def test_ncbi_disease_devel(shared_data):
    errors = Errors()
    docs = list(
        read_pubtator(
            shared_data / "ncbi_disease/original/NCBIdevelopset_corpus.txt", on_error=errors
        )
    )
    assert not errors and len(docs) == 100
    assert sum(len(d.entities) for d in docs) == 787 and offsets_hold(docs)
