"""The supporting documents of a relation as PubTator and BioC JSON: read back unchanged."""

from __future__ import annotations

import io

from app.supporting_documents import bioc_json, pubtator
from mining.corpus.bioc_json import read_bioc_json
from mining.corpus.pubtator import read_pubtator
from mining.store.database import open_database
from mining.store.queries import document_view

LITHIUM_POLYURIA = ("D008094", "D011141", "CID")


def views(store_url):
    engine = open_database(store_url, read_only=True)
    try:
        return [document_view(engine, d) for d in ("pmid:101", "pmid:104")]
    finally:
        engine.dispose()


def annotations(doc):
    entities = [(e.start, e.end, e.text, e.label, e.concept_id) for e in doc.entities]
    relations = [(r.head, r.tail, r.label) for r in doc.relations]
    return doc.id, doc.title, doc.abstract, entities, relations


def test_pubtator_round_trip(store_url):
    stored = views(store_url)
    text = pubtator(stored)
    read = list(read_pubtator(io.StringIO(text), name="evidence.pubtator"))
    assert [annotations(d) for d in read] == [
        (
            v.id, v.title, v.abstract,
            [(e.start, e.end, e.text, e.label, e.concept_id) for e in v.entities],
            [(r.head, r.tail, r.label) for r in v.relations],
        )
        for v in stored
    ]  # fmt: skip


def test_bioc_json_round_trip(store_url):
    stored = views(store_url)
    read = list(read_bioc_json(io.StringIO(bioc_json(stored)), name="evidence.bioc.json"))
    assert [d.id for d in read] == ["pmid:101", "pmid:104"]
    assert [annotations(d)[3] for d in read] == [
        [(e.start, e.end, e.text, e.label, e.concept_id) for e in v.entities] for v in stored
    ]


def test_offered_with_the_evidence(app):
    at = app.run()
    at.selectbox(key="pair").set_value(LITHIUM_POLYURIA).run()
    labels = [b.label for b in at.get("download_button")]
    assert "Supporting documents as PubTator (2)" in labels
    assert "Supporting documents as BioC JSON (2)" in labels
