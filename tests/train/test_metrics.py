"""Strict character-span metrics: hand-computed cases."""

from __future__ import annotations

import pytest

from mining.train.metrics import OVERALL, Scores, mentions, strict_scores
from mining.types import Entity

GOLD = {
    ("d1", 0, 9, "Chemical"),
    ("d1", 18, 32, "Disease"),
    ("d2", 5, 10, "Chemical"),
    ("d2", 20, 30, "Disease"),
}


def test_perfect_prediction():
    s = strict_scores(GOLD, GOLD)
    assert s[OVERALL] == Scores(4, 0, 0)
    assert s[OVERALL].f1 == 1.0


def test_partial_overlap_is_one_fp_and_one_fn():
    pred = set(GOLD) - {("d1", 18, 32, "Disease")} | {("d1", 18, 31, "Disease")}
    s = strict_scores(GOLD, pred)
    assert s["Disease"] == Scores(1, 1, 1)
    assert s["Chemical"] == Scores(2, 0, 0)
    assert s[OVERALL] == Scores(3, 1, 1)
    assert s[OVERALL].precision == pytest.approx(0.75)
    assert s[OVERALL].f1 == pytest.approx(0.75)


def test_wrong_type_and_wrong_document_count_as_errors():
    pred = {
        ("d1", 0, 9, "Disease"),  # right span, wrong type
        ("d2", 18, 32, "Disease"),  # right span and type, wrong document
        ("d2", 5, 10, "Chemical"),  # correct
    }
    s = strict_scores(GOLD, pred)
    assert s[OVERALL] == Scores(1, 2, 3)
    assert s["Chemical"] == Scores(1, 0, 1)
    assert s["Disease"] == Scores(0, 2, 2)
    # P = 1/3, R = 1/4, F1 = 2PR/(P+R) = 2/7
    assert s[OVERALL].f1 == pytest.approx(2 / 7)


def test_empty_prediction_and_empty_gold():
    s = strict_scores(GOLD, set())
    assert s[OVERALL] == Scores(0, 0, 4)
    assert s[OVERALL].precision == 0.0 and s[OVERALL].f1 == 0.0
    assert strict_scores(set(), set())[OVERALL].f1 == 0.0


def test_duplicates_count_once_and_mentions_from_entities():
    ents = [
        Entity("d1", 0, 9, "Cisplatin", "Chemical", score=0.9, source="m"),
        Entity("d1", 0, 9, "Cisplatin", "Chemical", score=0.8, source="m"),
    ]
    pred = mentions(ents)
    assert pred == {("d1", 0, 9, "Chemical")}
    assert strict_scores(GOLD, [*pred, *pred])[OVERALL] == Scores(1, 0, 3)


def test_as_dict_is_in_percent():
    d = Scores(3, 1, 1).as_dict()
    assert d["precision"] == 75.0 and d["recall"] == 75.0 and d["f1"] == 75.0
