"""The shipped tagger inside a spaCy pipeline: add_pipe("biomine_ner") fills doc.ents."""

from __future__ import annotations

import pytest
import spacy

from mining.nlp.spacy_component import set_entities
from mining.types import Entity

TEXT = "Cisplatin-induced nephrotoxicity was seen in rats. Haloperidol caused dyskinesia."


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("biomine_ner")  # found through the spacy_factories entry point
    return nlp


def test_add_pipe_fills_doc_ents(nlp):
    doc = nlp(TEXT)
    found = {(ent.text, ent.label_) for ent in doc.ents}
    assert {("Cisplatin", "Chemical"), ("Haloperidol", "Chemical")} <= found
    assert any(label == "Disease" and "dyskinesia" in text for text, label in found)
    assert all(doc.text[ent.start_char : ent.end_char] == ent.text for ent in doc.ents)
    # Concept IDs from the shipped MeSH dictionary (cisplatin is D002945 in BC5CDR).
    assert {ent.kb_id_ for ent in doc.ents if ent.text == "Cisplatin"} == {"D002945"}


def test_pipe_keeps_order(nlp):
    texts = ["Lithium toxicity.", "No entities here at all.", TEXT]
    docs = list(nlp.pipe(texts, batch_size=2))
    assert [doc.text for doc in docs] == texts
    assert any(ent.text == "Cisplatin" for ent in docs[2].ents)


def test_spans_that_cut_tokens_expand_and_overlaps_are_dropped():
    doc = spacy.blank("en")("Cisplatin-induced nephrotoxicity")
    entities = [
        Entity("x", 0, 5, "Cispl", "Chemical", "D002945"),  # cuts the token "Cisplatin"
        Entity("x", 18, 32, "nephrotoxicity", "Disease", None),
        Entity("x", 18, 24, "nephro", "Disease", None),  # overlaps the one before
    ]
    set_entities(doc, entities)
    assert [(ent.text, ent.label_, ent.kb_id_) for ent in doc.ents] == [
        ("Cisplatin", "Chemical", "D002945"),
        ("nephrotoxicity", "Disease", ""),
    ]
