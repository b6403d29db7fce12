"""DDI-2013 XML reader: the real training split, and tiny files written here."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pytest

from mining.corpus.ddi_xml import read_ddi_folder, read_ddi_xml
from mining.errors import InputError
from mining.types import GOLD, Document, Entity, Relation
from tests.corpus.helpers import Errors, offsets_hold, write

# Sentence s0 ends in CR LF and s1 holds one inside; "loop diuretics" is discontinuous
# (20-23;37-45 are "loop" and "diuretics"); p0 is typed, p1 untyped, p2 negative.
S0 = "Aspirin raises warfarin levels."
S1 = "Avoid lithium\r\nwith loop or thiazide diuretics."
XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE document SYSTEM "not-there.dtd">
<document id="DDI-DrugBank.d7">
    <sentence id="DDI-DrugBank.d7.s0" text="{S0}&#xd;&#xa;">
        <entity id="DDI-DrugBank.d7.s0.e0" charOffset="0-6" type="drug" text="Aspirin"/>
        <entity id="DDI-DrugBank.d7.s0.e1" charOffset="15-22" type="drug" text="warfarin"/>
        <pair id="DDI-DrugBank.d7.s0.p0" e1="DDI-DrugBank.d7.s0.e0"
            e2="DDI-DrugBank.d7.s0.e1" ddi="true" type="mechanism"/>
    </sentence>
    <sentence id="DDI-DrugBank.d7.s1"
        text="Avoid lithium&#xd;&#xa;with loop or thiazide diuretics.">
        <entity id="DDI-DrugBank.d7.s1.e0" charOffset="6-12" type="drug" text="lithium"/>
        <entity id="DDI-DrugBank.d7.s1.e1" charOffset="20-23;37-45" type="group"
            text="loop diuretics"/>
        <entity id="DDI-DrugBank.d7.s1.e2" charOffset="28-45" type="group"
            text="thiazide diuretics"/>
        <pair id="DDI-DrugBank.d7.s1.p0" e1="DDI-DrugBank.d7.s1.e0"
            e2="DDI-DrugBank.d7.s1.e1" ddi="true" type="advise"/>
        <pair id="DDI-DrugBank.d7.s1.p1" e1="DDI-DrugBank.d7.s1.e0"
            e2="DDI-DrugBank.d7.s1.e2" ddi="true"/>
        <pair id="DDI-DrugBank.d7.s1.p2" e1="DDI-DrugBank.d7.s1.e1"
            e2="DDI-DrugBank.d7.s1.e2" ddi="false"/>
    </sentence>
    <sentence id="DDI-DrugBank.d7.s2" text="No data."/>
</document>
"""
SMALL = """<?xml version="1.0" encoding="UTF-8"?>
<document id="DDI-MedLine.d{n}">
    <sentence id="DDI-MedLine.d{n}.s0" text="Drug {n} alone.">
        <entity id="DDI-MedLine.d{n}.s0.e0" charOffset="0-3" type="drug_n" text="Drug"/>
    </sentence>
</document>
"""


def read(xml: str | bytes, tmp_path: Path, name: str = "d7.xml") -> tuple[list[Document], Errors]:
    errors = Errors()
    return list(read_ddi_xml(write(tmp_path / name, xml), on_error=errors)), errors


def test_sentences_entities_and_typed_positive_pairs(tmp_path):
    (doc,), errors = read(XML, tmp_path)
    assert doc.id == "ddi:DDI-DrugBank.d7" and doc.title == ""
    assert doc.abstract == f"{S0} {S1} No data."  # trailing CR LF gone, the inner one kept
    assert doc.text == " " + doc.abstract  # an empty title: Document.text starts with a space
    s0 = (1, 1 + len(S0))
    s1 = (s0[1] + 1, s0[1] + 1 + len(S1))
    s2 = (s1[1] + 1, s1[1] + 1 + len("No data."))
    assert doc.meta["sentences"] == [list(s0), list(s1), list(s2)]
    assert doc.text[s2[0] : s2[1]] == "No data."
    assert doc.meta["sentence_ids"] == [f"DDI-DrugBank.d7.s{i}" for i in range(3)]
    assert doc.meta["source"] == "DrugBank" and doc.meta["ddi_pairs"] == 4
    assert offsets_hold([doc])
    aspirin, warfarin, lithium, loop, thiazide = doc.entities
    # Store types when read; DDI's own type stays in the meta.
    assert aspirin == Entity(doc.id, 1, 8, "Aspirin", "Chemical", None, 1.0, GOLD)  # "0-6"
    assert doc.meta["ddi_entities"][0] == {
        "id": "DDI-DrugBank.d7.s0.e0",
        "type": "drug",
        "start": 1,
        "end": 8,
    }
    assert warfarin.text == "warfarin" and lithium.text == "lithium"
    assert (loop.label, loop.text) == ("Chemical", "loop or thiazide diuretics")  # the hull
    assert [m["type"] for m in doc.meta["ddi_entities"]][-2:] == ["group", "group"]
    assert doc.meta["individual_mentions"] == [
        {
            "start": loop.start,
            "end": loop.end,
            "parts": [
                {
                    "text": "loop diuretics",
                    "spans": [[loop.start, loop.start + 4], [loop.end - 9, loop.end]],
                }
            ],
        }
    ]
    mechanism, advise = doc.relations
    assert mechanism == Relation(
        doc.id, "Aspirin", "warfarin", "mechanism", 1.0, s0, GOLD, aspirin, warfarin
    )
    assert mechanism.head_mention is aspirin and mechanism.tail_mention is warfarin
    assert (advise.label, advise.evidence) == ("advise", s1)
    assert advise.head_mention is lithium and advise.tail_mention is loop
    # The untyped true pair; lxml gives an element the line its start tag ends on.
    assert len(errors) == 1 and errors[0].line == 20
    assert "DDI-DrugBank.d7.s1.p1" in str(errors[0]) and "no type" in str(errors[0])


def test_contiguous_mention_that_does_not_give_its_text_is_reported(tmp_path):
    (doc,), errors = read(XML.replace('text="warfarin"', 'text="warfarine"'), tmp_path)
    assert [e.text for e in doc.entities] == [
        "Aspirin",
        "lithium",
        "loop or thiazide diuretics",
        "thiazide diuretics",
    ]
    assert errors.lines == [6, 8, 20]  # the entity, then the pair that names it, then p1
    assert "'warfarine'" in str(errors[0]) and "d7.xml" in str(errors[0])
    assert [r.label for r in doc.relations] == ["advise"]


@pytest.mark.parametrize("offsets", ["0-40", "x-3", "5-2", "3-5;1-2"])
def test_bad_char_offsets_are_reported(tmp_path, offsets):
    (doc,), errors = read(XML.replace('charOffset="0-6"', f'charOffset="{offsets}"'), tmp_path)
    assert len(doc.entities) == 4 and errors.lines[0] == 5
    assert repr(offsets) in str(errors[0])


def test_non_utf8_bytes_are_reported_and_replaced(tmp_path):
    raw = XML.replace("No data.", "No d\xe9ta.").encode("latin-1")
    (doc,), errors = read(raw, tmp_path)
    assert doc.abstract.endswith("No d\ufffdta.") and offsets_hold([doc])
    assert errors.lines == [24, 20] and "UTF-8" in str(errors[0]).upper()


def test_streams_and_other_declared_encodings(tmp_path):
    latin = XML.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').replace("No data", "Caf\xe9")
    (doc,) = read_ddi_xml(io.BytesIO(latin.encode("latin-1")), on_error=Errors(), name="s")
    assert doc.abstract.endswith("Caf\xe9.")


def test_malformed_file_is_one_error_naming_file_and_line(tmp_path):
    docs, errors = read(XML.replace("</sentence>\n    <sentence", "<sentence", 1), tmp_path)
    assert docs == [] and len(errors) == 1
    assert errors[0].source == str(tmp_path / "d7.xml") and errors[0].line
    assert "malformed XML" in str(errors[0])
    with pytest.raises(InputError, match="d7.xml"):
        list(read_ddi_xml(tmp_path / "d7.xml"))


def test_folder_reads_recursively_in_path_order_and_skips_a_malformed_file(tmp_path):
    (tmp_path / "MedLine").mkdir()
    write(tmp_path / "MedLine" / "2.xml", SMALL.format(n=2))
    write(tmp_path / "MedLine" / "1.xml", SMALL.format(n=1))
    write(tmp_path / "MedLine" / "3.xml", SMALL.format(n=3)[:-20])  # cut short
    (tmp_path / "DrugBank").mkdir()
    write(tmp_path / "DrugBank" / "d7.xml", XML)
    write(tmp_path / "notes.txt", "not XML")
    errors = Errors()
    docs = list(read_ddi_folder(tmp_path, on_error=errors))
    assert [d.id for d in docs] == [
        "ddi:DDI-DrugBank.d7",
        "ddi:DDI-MedLine.d1",
        "ddi:DDI-MedLine.d2",
    ]
    assert docs[1].meta["source"] == "MedLine" and docs[1].entities[0].text == "Drug"
    malformed = [e for e in errors if "malformed" in str(e)]
    assert len(malformed) == 1 and malformed[0].source == str(tmp_path / "MedLine" / "3.xml")
    assert len(errors) == 2  # and the untyped pair of d7


def test_folder_without_xml_is_one_error(tmp_path):
    errors = Errors()
    assert list(read_ddi_folder(tmp_path, on_error=errors)) == []
    assert len(errors) == 1 and str(tmp_path) in str(errors[0])
    with pytest.raises(InputError, match="no such folder"):
        list(read_ddi_folder(tmp_path / "nope"))


# The real corpus: counts from its MANIFEST.md.


@pytest.mark.shared_data
def test_ddi_train(shared_data):
    errors = Errors()
    docs = list(read_ddi_folder(shared_data / "ddi2013/xml/Train", on_error=errors))
    assert len(docs) == 714 and len({d.id for d in docs}) == 714
    assert Counter(d.meta["source"] for d in docs) == {"DrugBank": 572, "MedLine": 142}
    assert sum(len(d.meta["sentences"]) for d in docs) == 6976
    assert sum(len(d.meta["sentence_ids"]) for d in docs) == 6976
    assert sum(len(d.entities) for d in docs) == 14765
    assert sum(d.meta["ddi_pairs"] for d in docs) == 27792
    relations = [r for d in docs for r in d.relations]
    assert Counter(r.label for r in relations) == {
        "effect": 1687,
        "mechanism": 1319,
        "advise": 826,
        "int": 188,
    }
    assert len(relations) == 4020
    assert len(errors) == 1 and "no type" in str(errors[0])  # the one untyped positive pair
    assert errors[0].source.endswith("Dextroamphetamine_ddi.xml")
    assert offsets_hold(docs)
    for doc in docs:
        for start, end in doc.meta["sentences"]:
            assert doc.text[start:end] == doc.text[start:end].rstrip()
        ids = {id(e) for e in doc.entities}
        for r in doc.relations:
            start, end = r.evidence
            assert list(r.evidence) in doc.meta["sentences"]
            for mention in (r.head_mention, r.tail_mention):
                assert id(mention) in ids and start <= mention.start < mention.end <= end
            assert (r.head, r.tail, r.source) == (r.head_mention.text, r.tail_mention.text, GOLD)
