"""Schwartz-Hearst abbreviation detection and type propagation."""

from __future__ import annotations

from mining.nlp.abbreviations import best_long_form, find_abbreviations, is_short_form, propagate
from mining.types import Entity


def test_short_form_test():
    assert is_short_form("PB") and is_short_form("5-FU")
    assert not is_short_form("P") and not is_short_form("n = 12 patients here")
    assert not is_short_form("12")


def test_best_long_form():
    long = "rats treated with phenobarbital"
    start = best_long_form("PB", long)
    assert long[start:] == "phenobarbital"
    long = "patients with acute myocardial infarction"
    assert long[best_long_form("AMI", long) :] == "acute myocardial infarction"
    assert best_long_form("XYZ", "nothing matches here") is None


def test_find_abbreviations():
    text = "Rats were given phenobarbital (PB) or 5-fluorouracil (5-FU; 10 mg) daily (n = 5)."
    found = [
        (text[a.short[0] : a.short[1]], text[a.long[0] : a.long[1]])
        for a in find_abbreviations(text)
    ]
    assert found == [("PB", "phenobarbital"), ("5-FU", "5-fluorouracil")]


def ent(text, s, e, label, score=0.9):
    return Entity("d", s, e, text[s:e], label, score=score, source="t")


def test_propagate_adds_relabels_and_keeps_offsets():
    text = "Phenobarbital (PB) caused myocardial infarction (MI). PB and MI; MIB. PB-treated."
    pb = text.index("Phenobarbital")
    mi = text.index("myocardial infarction")
    second_mi = text.index("MI;")
    ents = [
        ent(text, pb, pb + len("Phenobarbital"), "Chemical", 0.95),
        ent(text, mi, mi + len("myocardial infarction"), "Disease", 0.8),
        ent(text, second_mi, second_mi + 2, "Chemical", 0.4),  # wrong type: relabelled
    ]
    out = propagate(text, ents)
    got = [(e.text, e.label) for e in out]
    assert got == [
        ("Phenobarbital", "Chemical"),
        ("PB", "Chemical"),
        ("myocardial infarction", "Disease"),
        ("MI", "Disease"),
        ("PB", "Chemical"),
        ("MI", "Disease"),
        ("PB", "Chemical"),  # "PB-treated": PB is a whole token before "-"
    ]
    assert all(text[e.start : e.end] == e.text for e in out)
    assert "MIB" not in [e.text for e in out]


def test_propagate_without_tagged_long_form():
    text = "Parathyroid hormone (PTH) rose. PTH fell."
    pth = text.index("PTH fell")
    ents = [ent(text, pth, pth + 3, "Chemical")]
    assert propagate(text, ents) == ents
    assert propagate(text, ents, drop_unsupported=True) == []


def test_propagate_splits_short_form_off_a_longer_entity_of_another_type():
    text = "Doxorubicin (DOX) is toxic. Dexrazoxane reduced DOX cardiotoxicity."
    c = text.index("DOX cardiotoxicity")
    ents = [
        ent(text, 0, 11, "Chemical"),
        ent(text, c, c + len("DOX cardiotoxicity"), "Disease"),
    ]
    out = propagate(text, ents)
    assert [(e.text, e.label) for e in out] == [
        ("Doxorubicin", "Chemical"),
        ("DOX", "Chemical"),
        ("DOX", "Chemical"),
        ("cardiotoxicity", "Disease"),
    ]
    assert all(text[e.start : e.end] == e.text for e in out)
