"""The concept dictionary built from PubMed records: MeSH names and ids, their types, and
the mentions distant supervision links (mining.train.build_concepts_from_records)."""

from __future__ import annotations

import io
import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mining.cli import app
from mining.corpus.pubmed_xml import read_pubmed_xml
from mining.corpus.pubtator import write_pubtator
from mining.nlp.normalise import ConceptNormaliser
from mining.store.database import open_database
from mining.store.write_documents import store_documents
from mining.train.build_concept_dictionary import TRAIN_FILES, count_mentions, read_gold
from mining.train.build_concepts_from_records import build_with_records
from mining.train.distant_supervision import (
    ABBREVIATION,
    SIMILAR,
    Candidate,
    is_abbreviation,
    matching_concepts,
    similarity,
)
from mining.train.mesh_indexing import IndexedConcept, record_concepts, written_forms
from mining.train.mesh_types import (
    CHEMICAL,
    DISEASE,
    DISEASE_QUALIFIER,
    GOLD,
    SUBSTANCE,
    TypeEvidence,
    gold_types,
)
from mining.types import Document, Entity

runner = CliRunner()


# --- the small pieces ------------------------------------------------------------------


def test_inverted_headings_are_also_read_in_order():
    assert written_forms("Leukemia, Myeloid, Acute") == [
        "Leukemia, Myeloid, Acute",
        "Acute Myeloid Leukemia",
    ]
    assert written_forms("1,2-Dichloroethane") == ["1,2-Dichloroethane"]
    assert written_forms("Cisplatin") == ["Cisplatin"]


def test_a_descriptor_that_is_also_a_substance_is_one_concept():
    meta = {
        "mesh": [
            {"ui": "D002945", "descriptor": "Cisplatin", "major": False,
             "qualifiers": [{"ui": "Q000009", "name": "adverse effects", "major": False}]},
            {"ui": "D006801", "descriptor": "Humans", "major": False, "qualifiers": []},
        ],
        "chemicals": [
            {"ui": "D002945", "name": "Cisplatin", "registry": "Q20Q21Q62J"},
            {"ui": "C000589078", "name": "some supplementary concept", "registry": "0"},
        ],
    }  # fmt: skip
    assert record_concepts(meta) == [
        IndexedConcept("D002945", "Cisplatin", frozenset({"adverse effects"}), True),
        IndexedConcept("D006801", "Humans", frozenset(), False),
        IndexedConcept("C000589078", "some supplementary concept", frozenset(), True),
    ]
    assert record_concepts({}) == []


def test_types_come_from_gold_then_substances_then_disease_qualifiers():
    evidence = TypeEvidence()
    evidence.add(
        [
            IndexedConcept("D1", "Gold disease listed as a substance", frozenset(), True),
            IndexedConcept("D2", "A drug", frozenset(), True),
            IndexedConcept("D3", "A disease", frozenset({"drug therapy"}), False),
            IndexedConcept("D4", "Myocardium", frozenset({"pathology"}), False),
            IndexedConcept("D5", "India", frozenset({"epidemiology"}), False),
        ]
    )
    assert evidence.types({"D1": DISEASE}) == {
        "D1": (DISEASE, GOLD),
        "D2": (CHEMICAL, SUBSTANCE),
        "D3": (DISEASE, DISEASE_QUALIFIER),
    }


def test_gold_types_take_the_most_frequent_label_and_skip_composites():
    counts = {
        ("Chemical", "lithium"): Counter({"D008094": 5}),
        ("Disease", "lithium toxicity"): Counter({"D008094": 1}),
        ("Disease", "A and B"): Counter({"D1|D2": 3}),
    }
    assert gold_types(counts) == {"D008094": CHEMICAL}


def test_similarity_and_abbreviations():
    assert similarity("Hypotensive", "Hypotension") >= 0.8
    assert similarity("hypotensive", "Hypertension") < 0.8
    assert is_abbreviation("AML", "Acute Myeloid Leukemia")
    assert is_abbreviation("ToF", "Tetralogy of Fallot")  # with its small word
    assert is_abbreviation("TF", "Tetralogy of Fallot")  # without it
    assert not is_abbreviation("aml", "Acute Myeloid Leukemia")  # no upper case: a word
    assert not is_abbreviation("AML", "Acute Lymphoblastic Leukemia")


def test_matching_concepts_finds_every_candidate():
    leukemias = [
        IndexedConcept("D015470", "Leukemia, Myeloid, Acute", frozenset(), False),
        IndexedConcept("D007947", "Leukemia, Megakaryoblastic, Acute", frozenset(), False),
        IndexedConcept("D007022", "Hypotension", frozenset(), False),
    ]
    assert matching_concepts("AML", leukemias) == [
        Candidate("D015470", ABBREVIATION),
        Candidate("D007947", ABBREVIATION),
    ]
    assert matching_concepts("hypotensive", leukemias) == [Candidate("D007022", SIMILAR)]
    assert matching_concepts("fever", leukemias) == []


# --- a database of handcrafted, valid PubMed XML ------------------------------------------

HEAD = '<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet>\n<PubmedArticleSet>\n'


def _record(pmid: str, title: str, chemicals: list[tuple[str, str]], mesh: list[tuple]) -> str:
    chemical_xml = "".join(
        f"<Chemical><RegistryNumber>0</RegistryNumber>"
        f'<NameOfSubstance UI="{ui}">{name}</NameOfSubstance></Chemical>'
        for ui, name in chemicals
    )
    mesh_xml = "".join(
        f'<MeshHeading><DescriptorName UI="{ui}" MajorTopicYN="N">{name}</DescriptorName>'
        + "".join(f'<QualifierName UI="Q0" MajorTopicYN="N">{q}</QualifierName>' for q in quals)
        + "</MeshHeading>"
        for ui, name, *quals in mesh
    )
    return (
        f'<PubmedArticle><MedlineCitation><PMID Version="1">{pmid}</PMID><Article>'
        "<Journal><JournalIssue><PubDate><Year>2001</Year></PubDate></JournalIssue>"
        f"<Title>J</Title></Journal><ArticleTitle>{title}</ArticleTitle></Article>"
        f"<ChemicalList>{chemical_xml}</ChemicalList>"
        f"<MeshHeadingList>{mesh_xml}</MeshHeadingList></MedlineCitation></PubmedArticle>\n"
    )


RECORDS = (
    HEAD
    + _record(
        "101",
        "Hypotensive episodes in AML patients given cytarabine and cisplatin; cardiomyopathies.",
        [("D002945", "Cisplatin"), ("D003561", "Cytarabine")],
        [
            ("D002945", "Cisplatin", "adverse effects"),
            ("D003561", "Cytarabine", "therapeutic use"),
            ("D006801", "Humans"),
            ("D007022", "Hypotension", "chemically induced"),
            ("D015470", "Leukemia, Myeloid, Acute", "drug therapy"),
            ("D009202", "Cardiomyopathies"),  # typed Disease by record 102's qualifier
        ],
    )
    + _record(
        "102",
        "Cardiomyopathy and SLE in AML.",
        [],
        [
            ("D009202", "Cardiomyopathies", "etiology"),
            ("D008180", "Lupus Erythematosus, Systemic", "complications"),
            ("D015470", "Leukemia, Myeloid, Acute", "diagnosis"),
            ("D007947", "Leukemia, Megakaryoblastic, Acute", "diagnosis"),
            ("D051379", "Mice"),
        ],
    )
    + "</PubmedArticleSet>\n"
)

# (pmid, mention, type, tagger): what `biomine run` would have stored.
MENTIONS = [
    ("101", "Hypotensive", DISEASE, "tagger-x@1.0"),
    ("101", "AML", DISEASE, "tagger-x@1.0"),
    ("101", "cytarabine", CHEMICAL, "tagger-x@1.0"),
    ("101", "cardiomyopathies", DISEASE, "tagger-x@1.0"),
    ("102", "Cardiomyopathy", DISEASE, "tagger-x@1.0"),
    ("102", "AML", DISEASE, "tagger-x@1.0"),  # two acute leukemias match: left
    ("102", "SLE", DISEASE, "other@2"),
]


def _gold_corpus(path: Path) -> Path:
    doc = Document("pmid:1", "Cisplatin nephrotoxicity.", "")
    doc.entities = [Entity(doc.id, 0, 9, "Cisplatin", CHEMICAL, "D002945")]
    with open(path, "w") as out:
        write_pubtator([doc], out)
    return path


@pytest.fixture
def records_db(tmp_path) -> str:
    docs = list(read_pubmed_xml(io.BytesIO(RECORDS.encode()), name="records.xml"))
    by_pmid = {doc.meta["pmid"]: doc for doc in docs}
    for pmid, text, label, source in MENTIONS:
        doc = by_pmid[pmid]
        start = doc.text.index(text)
        doc.entities.append(
            Entity(doc.id, start, start + len(text), text, label, None, 1.0, source)
        )
    url = f"sqlite:///{tmp_path / 'records.db'}"
    engine = open_database(url)
    store_documents(engine, docs)
    engine.dispose()
    return url


EXPECTED_RECORD_ROWS = [
    (CHEMICAL, "Cytarabine", "D003561", 1),  # "Cisplatin": the gold table matches it already
    (DISEASE, "Acute Megakaryoblastic Leukemia", "D007947", 1),
    (DISEASE, "Acute Myeloid Leukemia", "D015470", 2),
    (DISEASE, "Cardiomyopathies", "D009202", 2),
    (DISEASE, "Hypotension", "D007022", 1),
    (DISEASE, "Leukemia, Megakaryoblastic, Acute", "D007947", 1),
    (DISEASE, "Leukemia, Myeloid, Acute", "D015470", 2),
    (DISEASE, "Lupus Erythematosus, Systemic", "D008180", 1),
    (DISEASE, "Systemic Lupus Erythematosus", "D008180", 1),
]  # Humans and Mice: untyped, no rows


def test_build_from_records_names_types_and_links(records_db, tmp_path):
    engine = open_database(records_db, read_only=True)
    gold = _gold_corpus(tmp_path / "gold.pubtator")
    path, build = build_with_records(engine, [gold], tmp_path / "dict", ["tagger-x"])
    assert build.rows["gold"] == [(CHEMICAL, "Cisplatin", "D002945", 1)]
    assert build.rows["records"] == EXPECTED_RECORD_ROWS
    assert build.rows["distant"] == [
        (DISEASE, "AML", "D015470", 1),
        (DISEASE, "Cardiomyopathy", "D009202", 1),
        (DISEASE, "Hypotensive", "D007022", 1),
    ]
    c = build.counts
    assert (c["records"], c["records indexed"]) == (2, 2)
    assert c["distinct descriptors (MeshHeadingList)"] == 9
    assert c["distinct substances (ChemicalList)"] == 2
    assert c["typed ids"] == {
        "Chemical by gold": 1,
        "Chemical by substance": 1,
        "Disease by disease qualifier": 5,
    }
    assert c["untyped ids"] == 2
    assert c["distant supervision"] == {
        "left: several concepts match": 1,
        "linked (abbreviation)": 1,
        "linked (similar)": 2,
        "matched by gold or record names": 2,
        "mentions (distinct per record)": 6,
    }
    # The written table resolves what the records taught it.
    table = ConceptNormaliser.load(path.parent)
    assert table.lookup(DISEASE, "Hypotensive").concept_id == "D007022"
    assert table.lookup(DISEASE, "acute myeloid leukaemia") is None  # spelling: not similar
    assert table.lookup(DISEASE, "acute myeloid leukemia").concept_id == "D015470"
    assert table.lookup(DISEASE, "Humans") is None
    # Without a tagger filter the other model's mention is linked too.
    _, every = build_with_records(engine, [gold], tmp_path / "dict2")
    assert (DISEASE, "SLE", "D008180", 1) in every.rows["distant"]
    engine.dispose()


def test_cli_writes_the_folder_with_card_and_counts(records_db, tmp_path):
    gold = _gold_corpus(tmp_path / "gold.pubtator")
    dev = Document("pmid:9", "AML and hypotensive crises.", "")
    dev.entities = [
        Entity(dev.id, 0, 3, "AML", DISEASE, "D015470"),
        Entity(dev.id, 8, 19, "hypotensive", DISEASE, "D007022"),
    ]
    dev_path = tmp_path / "dev.pubtator"
    with open(dev_path, "w") as out:
        write_pubtator([dev], out)
    out = tmp_path / "concepts-mine"
    args = ["concepts", "build", "--out", str(out), "--db", records_db, "--train", str(gold)]
    result = runner.invoke(app, [*args, "--tagger", "tagger-x", "--dev", str(dev_path)])
    assert result.exit_code == 0, result.output
    assert "13 entries" in result.stdout and "accuracy all: 1.0000 (2)" in result.stdout
    assert "distant rows decide 2 mentions, 2 right" in result.stdout
    counts = json.loads((out / "build_counts.json").read_text())
    assert counts["rows"] == {"gold": 1, "records": 9, "distant": 3, "all": 13}
    card = (out / "README.md").read_text()
    assert "biomine concepts build --out" in card and "| rows: distant | 3 |" in card
    first = (out / "concepts.tsv.gz").read_bytes()
    assert runner.invoke(app, [*args, "--tagger", "tagger-x"]).exit_code == 0
    assert (out / "concepts.tsv.gz").read_bytes() == first  # deterministic


@pytest.mark.parametrize(
    ("url", "code", "message"),
    [("nosuchdb://x", 2, "not a database URL"), ("sqlite:///{tmp}/typo.db", 1, "no such database")],
)
def test_cli_bad_database_is_one_clear_error(tmp_path, url, code, message):
    out = tmp_path / "dict"
    result = runner.invoke(
        app, ["concepts", "build", "--out", str(out), "--db", url.format(tmp=tmp_path)]
    )
    assert result.exit_code == code
    assert message in " ".join(result.output.split()) and "Traceback" not in result.output
    assert not out.exists() and not (tmp_path / "typo.db").exists()


# --- the real NLM sample -------------------------------------------------------------------


def test_real_sample_types_agree_with_the_gold_corpora(shared_data):
    """On NLM's 2018 sample, the substance and disease-qualifier rules never contradict the
    type the training corpora give an id."""
    docs = list(read_pubmed_xml(shared_data / "pubmed_xml" / "pubmedsample18n0001.xml.gz"))
    evidence = TypeEvidence()
    for doc in docs:
        evidence.add(record_concepts(doc.meta))
    counts: dict = defaultdict(Counter)
    for path in TRAIN_FILES:
        for key, ids in count_mentions(read_gold(path)).items():
            counts[key].update(ids)
    gold = gold_types(counts)
    qualified = {gold[ui] for ui in evidence.disease_qualified if ui in gold}
    substances = Counter(gold[ui] for ui in evidence.substances if ui in gold)
    assert qualified == {DISEASE}
    assert set(substances) == {CHEMICAL} and substances[CHEMICAL] >= 40
    assert len(evidence.substances) == 288 and len(evidence.seen) == 1099 + 42
