"""The BioGPT generative relation format: targets from gold, parsing back, linking mentions."""

from __future__ import annotations

from mining.nlp.biogpt.generative_relations import fold, link_relations, parse_target, target_text
from mining.nlp.relations.tasks import CDR, DDI
from mining.types import Document, Entity, Relation

TEXT = "Lithium (Li+) caused renal failure. Lithium also caused tremor. Aspirin did not."


def cdr_doc() -> Document:
    ents = [
        Entity("d", 0, 7, "Lithium", "Chemical", "D008094"),
        Entity("d", 9, 12, "Li+", "Chemical", "D008094"),
        Entity("d", 21, 34, "renal failure", "Disease", "D051437"),
        Entity("d", 36, 43, "Lithium", "Chemical", "D008094"),
        Entity("d", 56, 62, "tremor", "Disease", "D014202"),
        Entity("d", 64, 71, "Aspirin", "Chemical", "D001241"),
    ]
    rels = [
        Relation("d", "D008094", "D014202", "CID"),
        Relation("d", "D008094", "D051437", "CID"),
    ]
    return Document("d", TEXT, entities=ents, relations=rels)


def test_cdr_target_names_each_concept_pair_once_by_its_first_mention():
    assert target_text(CDR, cdr_doc()) == (
        "the relation between Lithium and renal failure exists; "
        "the relation between Lithium and tremor exists"
    )


def test_ddi_target_uses_mention_pairs_and_types():
    a, b = Entity("d", 0, 8, "Warfarin", "Chemical"), Entity("d", 20, 27, "aspirin", "Chemical")
    doc = Document(
        "d",
        "Warfarin levels and aspirin.",
        entities=[a, b],
        relations=[
            Relation("d", "Warfarin", "aspirin", "mechanism", head_mention=a, tail_mention=b)
        ],
    )
    assert target_text(DDI, doc) == "the interaction between Warfarin and aspirin is mechanism"


def test_parse_skips_malformed_pieces_and_unknown_labels():
    text = (
        "the relation between lithium and renal failure exists; the relation between x; "
        "the relation between Li + and tremor exists"
    )
    assert parse_target(CDR, text) == [
        ("lithium", "renal failure", "CID"),
        ("Li +", "tremor", "CID"),
    ]
    ddi = "the interaction between a and b is effect; the interaction between a and b is friendship"
    assert parse_target(DDI, ddi) == [("a", "b", "effect")]


def test_link_matches_folded_names_to_mentions_and_drops_unknown_names():
    doc = cdr_doc()
    triples = [
        ("Li +", "tremor", "CID"),
        ("lithium", "Renal Failure", "CID"),
        ("x", "tremor", "CID"),
    ]
    rels = link_relations(CDR, doc, doc.entities, triples, "gen")
    assert [(r.head_mention.text, r.tail_mention.text) for r in rels] == [
        ("Li+", "tremor"),
        ("Lithium", "renal failure"),
    ]
    assert all(r.head == "D008094" and r.source == "gen" for r in rels)
    first = rels[0]
    assert first.evidence == (9, 62)  # from the head mention to the tail mention
    assert fold("Li +") == fold("Li+") == "li"
