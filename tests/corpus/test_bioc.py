"""BioC XML and BioC JSON readers (and the XML writer), against BC5CDR and small inputs."""

from __future__ import annotations

import io
import json
from collections import Counter

import pytest
from lxml import etree

from mining.corpus.bioc_json import read_bioc_json
from mining.corpus.bioc_xml import read_bioc_xml, write_bioc_xml
from mining.corpus.pubtator import read_pubtator
from mining.types import Document, Entity, Relation
from tests.corpus.helpers import Errors, offsets_hold, write

HEAD = "<?xml version='1.0' encoding='UTF-8'?><!DOCTYPE collection SYSTEM 'BioC.dtd'>\n"


def collection(*documents: str) -> str:
    return (
        HEAD
        + "<collection><source>t</source><date/><key>k</key>\n"
        + "\n".join(documents)
        + "\n</collection>\n"
    )


def document(doc_id: str = "1", annotations: str = "", relations: str = "") -> str:
    # The abstract passage starts at 100, not len(title) + 1: offsets must go through passages.
    return (
        f"<document><id>{doc_id}</id>"
        "<passage><infon key='type'>title</infon><offset>0</offset><text>Aspirin study.</text>"
        "</passage>"
        "<passage><infon key='type'>abstract</infon><offset>100</offset>"
        f"<text>Aspirin caused ulcers.</text>{annotations}</passage>{relations}</document>"
    )


ULCERS = (
    "<annotation id='u'><infon key='type'>Disease</infon><infon key='MESH'>D014456</infon>"
    "<location offset='115' length='6'/><text>ulcers</text></annotation>"
)
ASPIRIN = (
    "<annotation id='a'><infon key='type'>Chemical</infon><infon key='identifier'>D001241"
    "</infon><location offset='100' length='7'/><text>Aspirin</text></annotation>"
)
CID = (
    "<relation id='R0'><infon key='relation'>CID</infon><infon key='Chemical'>D001241</infon>"
    "<infon key='Disease'>D014456</infon></relation>"
)


def read_xml(text: str) -> tuple[list[Document], Errors]:
    errors = Errors()
    docs = list(read_bioc_xml(io.BytesIO(text.encode()), on_error=errors, name="c.xml"))
    return docs, errors


def test_offsets_are_mapped_through_their_passage():
    (doc,), errors = read_xml(collection(document("1", ASPIRIN + ULCERS, CID)))
    assert not errors
    assert doc.id == "pmid:1" and doc.text == "Aspirin study. Aspirin caused ulcers."
    assert doc.entities == [
        Entity("pmid:1", 15, 22, "Aspirin", "Chemical", "D001241"),
        Entity("pmid:1", 30, 36, "ulcers", "Disease", "D014456"),
    ]
    assert doc.relations == [Relation("pmid:1", "D001241", "D014456", "CID")]


def test_annotation_whose_location_misses_its_text_is_reported_with_its_line():
    bad = ULCERS.replace("offset='115'", "offset='114'")
    (doc,), errors = read_xml(collection(document("1", ASPIRIN + bad)))
    assert [e.text for e in doc.entities] == ["Aspirin"]
    assert len(errors) == 1 and errors[0].line == 3 and "' ulcer'" in str(errors[0])


def test_discontinuous_annotation_outside_a_composite_is_reported():
    two = ULCERS.replace("<location", "<location offset='100' length='7'/><location", 1)
    (doc,), errors = read_xml(collection(document("1", two)))
    assert doc.entities == [] and "2 locations" in str(errors[0])


def test_malformed_document_costs_only_itself():
    broken = document("2", ASPIRIN).replace("</passage>", "</pasage>", 1)
    docs, errors = read_xml(collection(document("1"), broken, document("3")))
    assert [d.id for d in docs] == ["pmid:1", "pmid:3"]
    assert len(errors) == 1 and errors[0].line == 4 and "malformed XML" in str(errors[0])


def test_unclosed_document_is_reported_and_the_next_read():
    unclosed = document("2").replace("</document>", "")
    docs, errors = read_xml(collection(document("1"), unclosed, document("3")))
    assert [d.id for d in docs] == ["pmid:1", "pmid:3"]
    assert errors.lines == [4] and "has no </document>" in str(errors[0])


def test_truncated_file_is_reported():
    text = collection(document("1"), document("2"))
    docs, errors = read_xml(text[: text.index("<document><id>2")] + "<document><id>2</id>")
    assert [d.id for d in docs] == ["pmid:1"] and "truncated" in str(errors[0])
    docs, errors = read_xml(text.replace("</collection>\n", ""))
    assert len(docs) == 2 and "before </collection>" in str(errors[0])


def test_stray_content_between_documents_is_reported_not_skipped_silently():
    docs, errors = read_xml(collection(document("1"), "<documnt><id>2</id></documnt>"))
    assert len(docs) == 1 and errors.lines == [4] and "unexpected" in str(errors[0])


def test_non_utf8_bytes_are_reported_and_replaced():
    raw = collection(document("1")).encode().replace(b"Aspirin caused", b"Aspirin caus\xe9d")
    errors = Errors()
    (doc,) = read_bioc_xml(io.BytesIO(raw), on_error=errors)
    assert "caus\ufffdd" in doc.abstract and len(errors) == 1
    assert "not valid utf-8" in str(errors[0])


def test_dtd_is_never_fetched_and_entities_never_expanded(tmp_path):
    secret = write(tmp_path / "secret.txt", "top secret")
    doctype = (
        "<?xml version='1.0'?><!DOCTYPE collection SYSTEM 'http://example.invalid/BioC.dtd' "
        f"[<!ENTITY x SYSTEM '{secret.as_uri()}'>]>\n"
    )
    text = collection(document("1"), document("2").replace("Aspirin study.", "&x;")).replace(
        HEAD, doctype
    )
    docs, errors = read_xml(text)
    assert [d.id for d in docs] == ["pmid:1"]
    assert len(errors) == 1 and "secret" not in " ".join(d.text for d in docs)


def test_relation_nodes_give_the_mentions():
    nodes = (
        "<relation id='R1'><infon key='type'>treats</infon>"
        "<node refid='a' role='Chemical'/><node refid='u' role='Disease'/></relation>"
    )
    (doc,), errors = read_xml(collection(document("1", ASPIRIN + ULCERS, nodes)))
    (rel,) = doc.relations
    assert not errors and (rel.head, rel.tail, rel.label) == ("D001241", "D014456", "treats")
    assert rel.head_mention == doc.entities[0] and rel.tail_mention == doc.entities[1]


def test_writer_round_trips_mentions_scores_and_meta():
    doc = Document("file:x", "Aspirin study.", "Aspirin caused ulcers.", meta={"journal": "J"})
    aspirin = Entity("file:x", 15, 22, "Aspirin", "Chemical", "D001241", score=0.5)
    ulcers = Entity("file:x", 30, 36, "ulcers", "Disease", None)
    doc.entities = [aspirin, ulcers]
    doc.relations = [
        Relation("file:x", "D001241", "ulcers", "CID", 0.25, None, "gold", aspirin, ulcers)
    ]
    out = io.StringIO()
    assert write_bioc_xml([doc], out) == 1
    etree.fromstring(out.getvalue().split("\n", 2)[2].encode())  # well-formed collection
    assert list(read_bioc_xml(io.BytesIO(out.getvalue().encode()))) == [doc]


# BioC JSON


def json_document(doc_id="1", relations=None) -> dict:
    return {
        "id": doc_id,
        "infons": {},
        "passages": [
            {"infons": {"type": "title"}, "offset": 0, "text": "Aspirin study.", "annotations": []},
            {
                "infons": {"type": "abstract"},
                "offset": 15,
                "text": "Aspirin caused ulcers.",
                "annotations": [
                    {
                        "id": "1",
                        "infons": {"type": "Chemical", "identifier": "MESH:D001241"},
                        "text": "Aspirin",
                        "locations": [{"offset": 15, "length": 7}],
                    },
                    {
                        "id": "2",
                        "infons": {"type": "Disease", "identifier": None},
                        "text": "ulcers",
                        "locations": [{"offset": 30, "length": 6}],
                    },
                ],
            },
        ],
        "relations": relations or [],
    }


def read_json(value: str) -> tuple[list[Document], Errors]:
    errors = Errors()
    return list(read_bioc_json(io.BytesIO(value.encode()), on_error=errors, name="c.json")), errors


def test_bioc_json_collection_as_the_bioc_package_writes_it():
    value = {"source": "s", "date": "", "key": "", "infons": {}, "documents": [json_document()]}
    (doc,), errors = read_json(json.dumps(value))
    assert not errors and doc.id == "pmid:1" and offsets_hold([doc])
    assert [(e.text, e.concept_id) for e in doc.entities] == [
        ("Aspirin", "MESH:D001241"),
        ("ulcers", None),
    ]


def test_pubtator3_export_with_role_objects_one_value_per_line():
    relation = {
        "id": "R1",
        "infons": {
            "score": "0.9",
            "role1": {"identifier": "MESH:D001241", "type": "Chemical"},
            "role2": {"identifier": "MESH:D014456", "type": "Disease"},
            "type": "Positive_Correlation",
        },
        "nodes": [],
    }
    lines = [json.dumps({"PubTator3": [json_document(n, [relation])]}) for n in ("1", "2")]
    docs, errors = read_json("\n".join(lines))
    assert not errors and [d.id for d in docs] == ["pmid:1", "pmid:2"]
    (rel,) = docs[0].relations
    assert (rel.head, rel.tail, rel.label, rel.score) == (
        "MESH:D001241",
        "MESH:D014456",
        "Positive_Correlation",
        0.9,
    )


def test_bioc_json_errors_are_reported():
    docs, errors = read_json(json.dumps([json_document()]) + "\n[{")
    assert len(docs) == 1 and errors.lines == [2] and "malformed JSON" in str(errors[0])
    docs, errors = read_json('{"nothing": 1}')
    assert docs == [] and "not a BioC JSON" in str(errors[0])
    docs, errors = read_json("")
    assert docs == [] and len(errors) == 1


# The real corpus: BioC and PubTator versions of BC5CDR agree.


def pubtator_and_bioc(shared_data, split):
    pubtator = list(read_pubtator(shared_data / f"bc5cdr/pubtator/CDR_{split}Set.PubTator.txt"))
    errors = Errors()
    path = shared_data / f"bc5cdr/bioc/CDR_{split}Set.BioC.xml"
    return pubtator, list(read_bioc_xml(path, on_error=errors)), errors, path


def mention_set(docs):
    return {(d.id, e.start, e.end, e.label, e.concept_id) for d in docs for e in d.entities}


def individual_texts(docs):
    return {
        (d.id, m["start"], m["end"]): [part["text"] for part in m["parts"]]
        for d in docs
        for m in d.meta.get("individual_mentions", [])
    }


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("split", "annotations", "bad_part_spans"),
    [("Training", 9570, [11425, 18590, 53449]), ("Development", 9773, [9919])],
)
def test_bc5cdr_bioc_matches_pubtator(shared_data, split, annotations, bad_part_spans):
    pubtator, bioc, errors, path = pubtator_and_bioc(shared_data, split)
    assert [(d.id, d.title, d.abstract) for d in bioc] == [
        (d.id, d.title, d.abstract) for d in pubtator
    ]
    # The entities are PubTator's mentions exactly: BioC's extra annotations are the
    # individual mentions of composite ones (CompositeRole=IndividualMention).
    assert mention_set(bioc) == mention_set(pubtator)
    assert [d.entities for d in bioc] == [d.entities for d in pubtator]
    assert individual_texts(bioc) == individual_texts(pubtator)
    parts = sum(len(m["parts"]) for d in bioc for m in d.meta.get("individual_mentions", []))
    assert sum(len(d.entities) for d in bioc) + parts == annotations
    assert annotations == sum(1 for _ in etree.parse(str(path)).iter("annotation"))
    assert [d.relations for d in bioc] == [d.relations for d in pubtator]
    # A few individual mentions have locations that do not give their text: reported, and
    # their spans dropped; every kept span joins to its text.
    assert errors.lines == bad_part_spans and all("spans dropped" in str(e) for e in errors)
    for d in bioc:
        for m in d.meta.get("individual_mentions", []):
            for part in m["parts"]:
                if "spans" in part:
                    assert " ".join(d.text[s:e] for s, e in part["spans"]) == part["text"]
    assert Counter(e.label for d in bioc for e in d.entities) == Counter(
        e.label for d in pubtator for e in d.entities
    )
