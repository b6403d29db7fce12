"""Relation corpora as labelled candidates, and the benchmarks' relation metrics."""

from __future__ import annotations

from collections import Counter

from mining.nlp.relations.candidates import candidates
from mining.nlp.relations.tasks import CDR, CHEMPROT, DDI
from mining.train.re_data import ddi_split, gold_labeller, labelled_candidates, load_task_documents
from mining.train.re_metrics import relation_keys, relation_scores
from mining.types import Document, Entity, Relation


def test_chemprot_candidates_reach_the_gold_relations(shared_data):
    docs = load_task_documents(CHEMPROT, shared_data / "chemprot/original/chemprot_training")
    labels = Counter(label for _, _, label in labelled_candidates(docs, CHEMPROT))
    # 4,157 gold relations; 26 join mentions in different sentences or overlapping ones.
    assert sum(n for label, n in labels.items() if label != "none") == 4131
    assert labels["CPR:4"] == 2251 and labels["none"] == 12380


def test_ddi_split_is_stable_and_holds_out_a_fifth(shared_data):
    errors = []
    docs = load_task_documents(DDI, shared_data / "ddi2013/xml/Train", on_error=errors.append)
    assert len(errors) == 1 and "no type" in str(errors[0])  # the corpus' one untyped pair
    dev = [d for d in docs if ddi_split(d.id) == "dev"]
    assert 0.15 < len(dev) / len(docs) < 0.25
    assert {e.label for d in docs for e in d.entities} == {"Chemical"}  # drug, brand, ...
    train = load_task_documents(DDI, shared_data / "ddi2013/xml/Train", "train", lambda e: None)
    assert {d.id for d in train}.isdisjoint(d.id for d in dev)
    rows = labelled_candidates(dev, DDI)
    # Of the 904 dev DDIs, only the 2 that pair a drug name with itself are no candidates
    # (DDI's same-text filter).
    assert sum(1 for *_, label in rows if label != "none") == 902


def test_cdr_labels_every_mention_pair_of_a_related_concept_pair():
    text = "Cisplatin caused nephrotoxicity. CDDP also caused fever."
    doc = Document(
        "pmid:1",
        text,
        entities=[
            Entity("pmid:1", 0, 9, "Cisplatin", "Chemical", "D002945"),
            Entity("pmid:1", 17, 31, "nephrotoxicity", "Disease", "D007674"),
            Entity("pmid:1", 33, 37, "CDDP", "Chemical", "D002945"),
            Entity("pmid:1", 50, 55, "fever", "Disease", "D005334"),
        ],
        relations=[Relation("pmid:1", "D002945", "D007674", "CID")],
    )
    label = gold_labeller(doc, CDR)
    got = {(c.head.text, c.tail.text): label(c) for c in candidates(doc, doc.entities, CDR)}
    assert got == {
        ("Cisplatin", "nephrotoxicity"): "CID",
        ("Cisplatin", "fever"): "none",
        ("CDDP", "nephrotoxicity"): "CID",  # the next sentence: within two
        ("CDDP", "fever"): "none",
    }


def test_metric_keys_symmetric_pairs_and_composite_concepts():
    a = Entity("d", 0, 4, "a", "Chemical")
    b = Entity("d", 10, 14, "b", "Chemical")
    forward = Relation("d", "a", "b", "effect", head_mention=a, tail_mention=b)
    backward = Relation("d", "b", "a", "effect", head_mention=b, tail_mention=a)
    assert relation_keys(DDI, [forward]) == relation_keys(DDI, [backward])
    assert relation_keys(CHEMPROT, [Relation("d", "a", "b", "CPR:4", head_mention=a)]) == set()
    composite = Relation("d", "C1", "D1|D2", "CID")
    assert relation_keys(CDR, [composite]) == {("d", "C1", "D1", "CID"), ("d", "C1", "D2", "CID")}
    scores = relation_scores(
        {("d", 1, "CPR:4"), ("d", 2, "CPR:3")},
        {("d", 1, "CPR:4"), ("d", 3, "CPR:4")},
        ["CPR:3", "CPR:4"],
    )
    assert (scores["overall"].tp, scores["overall"].fp, scores["overall"].fn) == (1, 1, 1)
    assert scores["CPR:3"].fn == 1 and scores["CPR:4"].precision == 0.5
