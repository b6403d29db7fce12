"""ChemProt reader: the real BioCreative VI training and development folders, and tiny folders
written here with one problem each."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from mining.corpus.chemprot import read_chemprot
from mining.errors import InputError
from mining.types import GOLD, Document, Entity, Relation
from tests.corpus.helpers import Errors, offsets_hold, write

TITLE = "Aspirin inhibits COX-1."
ABSTRACT = "Ibuprofen blocks COX-2 and PTGS2."
# title + " " + abstract: Aspirin 0-7, COX-1 17-22, Ibuprofen 24-33, COX-2 41-46, PTGS2 51-56
ABSTRACTS = f"100\t{TITLE}\t{ABSTRACT}\n200\tSecond title.\tNo entities here.\n"
ENTITIES = (
    "100\tT3\tGENE-N\t41\t46\tCOX-2\n"
    "100\tT1\tCHEMICAL\t0\t7\tAspirin\n"
    "100\tT2\tGENE-Y\t17\t22\tCOX-1\n"
    "100\tT4\tCHEMICAL\t24\t33\tIbuprofen\n"
    "100\tT5\tGENE-Y\t51\t56\tPTGS2\n"
)
GOLD_STANDARD = "100\tCPR:4\tArg1:T1\tArg2:T2\n100\tCPR:4\tArg1:T4\tArg2:T3\n"


def folder(tmp_path: Path, entities: str = ENTITIES, gold: str | None = GOLD_STANDARD) -> Path:
    split = tmp_path / "chemprot_sample"
    split.mkdir()
    write(split / "chemprot_sample_abstracts.tsv", ABSTRACTS)
    write(split / "chemprot_sample_entities.tsv", entities)
    if gold is not None:
        write(split / "chemprot_sample_gold_standard.tsv", gold)
    return split


def read(split: Path) -> tuple[list[Document], Errors]:
    errors = Errors()
    return list(read_chemprot(split, on_error=errors)), errors


def test_documents_entities_and_gold_relations(tmp_path):
    docs, errors = read(folder(tmp_path))
    assert not errors
    assert [d.id for d in docs] == ["pmid:100", "pmid:200"]
    doc = docs[0]
    assert (doc.title, doc.abstract) == (TITLE, ABSTRACT)
    assert offsets_hold(docs)
    assert [e.start for e in doc.entities] == [0, 17, 24, 41, 51]  # sorted by offset
    assert doc.entities[0] == Entity("pmid:100", 0, 7, "Aspirin", "Chemical", None, 1.0, GOLD)
    assert [e.label for e in doc.entities] == ["Chemical", "Gene", "Chemical", "Gene", "Gene"]
    assert doc.meta == {
        "chemprot_entities": [
            {"term": "T1", "type": "CHEMICAL", "start": 0, "end": 7},
            {"term": "T2", "type": "GENE-Y", "start": 17, "end": 22},
            {"term": "T4", "type": "CHEMICAL", "start": 24, "end": 33},
            {"term": "T3", "type": "GENE-N", "start": 41, "end": 46},
            {"term": "T5", "type": "GENE-Y", "start": 51, "end": 56},
        ]
    }
    first, second = doc.relations
    assert first == Relation(
        "pmid:100",
        "Aspirin",
        "COX-1",
        "CPR:4",
        1.0,
        None,
        GOLD,
        head_mention=doc.entities[0],
        tail_mention=doc.entities[1],
    )
    assert first.head_mention is doc.entities[0] and first.tail_mention is doc.entities[1]
    assert second.head_mention is doc.entities[2] and second.tail_mention is doc.entities[3]
    assert docs[1].entities == [] and docs[1].relations == []


def test_bad_offset_line_is_reported_and_the_other_entities_kept(tmp_path):
    bad = ENTITIES.replace("T2\tGENE-Y\t17\t22", "T2\tGENE-Y\t16\t21")
    split = folder(tmp_path, entities=bad)
    docs, errors = read(split)
    assert [e.text for e in docs[0].entities] == ["Aspirin", "Ibuprofen", "COX-2", "PTGS2"]
    assert len(docs[0].meta["chemprot_entities"]) == 4
    # The relation to the skipped term is reported too, as such; the other one is kept.
    assert errors.lines == [3, 1]
    assert errors[0].source == str(split / "chemprot_sample_entities.tsv")
    assert "'COX-1'" in str(errors[0])
    assert errors[1].source.endswith("gold_standard.tsv")
    assert "T2" in str(errors[1]) and "skipped" in str(errors[1])
    assert [r.tail for r in docs[0].relations] == ["COX-2"]


@pytest.mark.parametrize(
    ("gold", "message"),
    [
        ("100\tCPR:4\tArg1:T1\n", "3 columns"),
        ("100\tCPR:4\tArg1:T1\tArg2:T9\n", "term T9"),
        ("100\tCPR:4\tArg1:T2\tArg2:T1\n", "not a Chemical"),
        ("999\tCPR:4\tArg1:T1\tArg2:T2\n", "PMID 999"),
    ],
)
def test_bad_relation_lines_are_reported_and_skipped(tmp_path, gold, message):
    docs, errors = read(folder(tmp_path, gold=gold + GOLD_STANDARD))
    assert len(docs[0].relations) == 2
    assert errors.lines == [1] and message in str(errors[0])


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("100\tT9\tCHEMICAL\t0\t7", "5 columns"),
        ("100\tT9\tDISEASE\t0\t7\tAspirin", "'DISEASE'"),
        ("100\tT9\tCHEMICAL\tx\t7\tAspirin", "not numbers"),
        ("100\tT1\tCHEMICAL\t0\t7\tAspirin", "T1 named twice"),
        ("999\tT1\tCHEMICAL\t0\t7\tAspirin", "PMID 999"),
    ],
)
def test_bad_entity_lines_are_reported_and_skipped(tmp_path, line, message):
    docs, errors = read(folder(tmp_path, entities=ENTITIES + line + "\n"))
    assert len(docs[0].entities) == 5 and len(docs[0].relations) == 2
    assert errors.lines == [6] and message in str(errors[0])


def test_abstract_line_with_wrong_columns_is_reported(tmp_path):
    split = folder(tmp_path)
    write(split / "chemprot_sample_abstracts.tsv", "300\tonly a title\n" + ABSTRACTS)
    docs, errors = read(split)
    assert [d.id for d in docs] == ["pmid:100", "pmid:200"]
    assert errors.lines == [1] and "2 columns" in str(errors[0])


def test_folder_without_gold_standard_gives_documents_without_relations(tmp_path):
    docs, errors = read(folder(tmp_path, gold=None))
    assert not errors and len(docs[0].entities) == 5 and docs[0].relations == []


def test_missing_entities_file_is_one_error_naming_the_folder(tmp_path):
    split = folder(tmp_path)
    (split / "chemprot_sample_entities.tsv").unlink()
    docs, errors = read(split)
    assert docs == [] and len(errors) == 1
    assert errors[0].source == str(split) and "_entities" in str(errors[0])
    with pytest.raises(InputError, match="chemprot_sample"):
        list(read_chemprot(split))


def test_missing_folder_is_one_error(tmp_path):
    docs, errors = read(tmp_path / "nope")
    assert docs == [] and len(errors) == 1 and "no such folder" in str(errors[0])


# The real corpus: counts from its MANIFEST.md.

CHEMPROT = "chemprot/original/chemprot_{0}"


def check_mentions(docs: list[Document]) -> None:
    assert offsets_hold(docs)
    for doc in docs:
        ids = {id(e) for e in doc.entities}
        for r in doc.relations:
            assert r.head_mention.label == "Chemical" and r.tail_mention.label == "Gene"
            assert id(r.head_mention) in ids and id(r.tail_mention) in ids
            assert (r.head, r.tail) == (r.head_mention.text, r.tail_mention.text)
            assert r.source == GOLD and r.evidence is None


@pytest.mark.shared_data
def test_chemprot_training(shared_data):
    errors = Errors()
    docs = list(read_chemprot(shared_data / CHEMPROT.format("training"), on_error=errors))
    assert not errors
    assert len(docs) == 1020 and len({d.id for d in docs}) == 1020
    assert all(d.id.startswith("pmid:") for d in docs)
    assert Counter(e.label for d in docs for e in d.entities) == {"Chemical": 13017, "Gene": 12735}
    types = Counter(m["type"] for d in docs for m in d.meta["chemprot_entities"])
    assert types == {"CHEMICAL": 13017, "GENE-Y": 8348, "GENE-N": 4387}
    assert Counter(r.label for d in docs for r in d.relations) == {
        "CPR:3": 768,
        "CPR:4": 2254,
        "CPR:5": 173,
        "CPR:6": 235,
        "CPR:9": 727,
    }
    assert sum(len(d.relations) for d in docs) == 4157
    check_mentions(docs)


@pytest.mark.shared_data
def test_chemprot_development(shared_data):
    errors = Errors()
    docs = list(read_chemprot(shared_data / CHEMPROT.format("development"), on_error=errors))
    assert not errors
    assert len(docs) == 612 and sum(len(d.entities) for d in docs) == 15567
    assert sum(len(d.relations) for d in docs) == 2416
    check_mentions(docs)
