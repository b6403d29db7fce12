"""Subword probabilities -> character spans."""

from __future__ import annotations

import numpy as np
import pytest

from mining.nlp.span_decoding import Word, aggregate_words, bio_spans, decode, group_words, tidy

LABELS = ["O", "B-Chemical", "I-Chemical", "B-Disease", "I-Disease"]


def onehot(names, conf=0.9):
    rows = []
    for n in names:
        r = np.full(len(LABELS), (1 - conf) / (len(LABELS) - 1), dtype=np.float32)
        r[LABELS.index(n)] = conf
        rows.append(r)
    return np.stack(rows)


def test_bio_repair():
    assert bio_spans(["O", "I-Chemical", "I-Chemical", "O"]) == [(1, 3, "Chemical")]
    assert bio_spans(["B-Chemical", "I-Disease", "I-Disease"]) == [
        (0, 1, "Chemical"),
        (1, 3, "Disease"),
    ]
    assert bio_spans(["B-Disease", "B-Disease", "I-Disease"]) == [
        (0, 1, "Disease"),
        (1, 3, "Disease"),
    ]
    assert bio_spans(["I-Disease"]) == [(0, 1, "Disease")]
    assert bio_spans(["O", "O"]) == []


def test_group_words_drops_special_tokens():
    offsets = [(0, 0), (0, 4), (4, 7), (8, 10), (0, 0)]
    word_ids = [None, 0, 0, 1, None]
    assert group_words(offsets, word_ids) == [Word(0, 7, (1, 2)), Word(8, 10, (3,))]
    assert len(group_words(offsets, None)) == 3


#  text: "hypothyroidism after lithium"
#  subwords: hypo ##thy ##roid ##ism | after | lithium
TEXT = "hypothyroidism after lithium"
OFFSETS = [(0, 4), (4, 7), (7, 11), (11, 14), (15, 20), (21, 28)]
WORD_IDS = [0, 0, 0, 0, 1, 2]


def test_word_level_decoding_never_returns_fragments():
    # The first subword says O, the others say Disease: "simple" token aggregation yields the
    # fragment "thyroidism"; word-level averaging yields the whole word.
    probs = onehot(["O", "I-Disease", "I-Disease", "I-Disease", "O", "B-Chemical"])
    avg = decode(probs, OFFSETS, WORD_IDS, LABELS, "average")
    assert [(TEXT[s.start : s.end], s.label) for s in avg] == [
        ("hypothyroidism", "Disease"),
        ("lithium", "Chemical"),
    ]
    tok = decode(probs, OFFSETS, WORD_IDS, LABELS, "token")
    assert (TEXT[tok[0].start : tok[0].end]) == "thyroidism"
    first = decode(probs, OFFSETS, WORD_IDS, LABELS, "first")
    assert [TEXT[s.start : s.end] for s in first] == ["lithium"]


def test_max_strategy_takes_most_confident_subword():
    probs = onehot(["O", "B-Disease", "O", "O", "O", "O"], conf=0.5)
    probs[1] = onehot(["B-Disease"], conf=0.99)[0]
    spans = decode(probs, OFFSETS, WORD_IDS, LABELS, "max")
    assert [(s.start, s.end, s.label) for s in spans] == [(0, 14, "Disease")]
    # score = type mass of that subword: B-Disease 0.99 + I-Disease 0.01 / 4
    assert spans[0].score == pytest.approx(0.9925)


def test_multiword_entity_score_is_mean_of_word_confidences():
    text = "renal failure"
    offsets = [(0, 5), (6, 13)]
    probs = np.concatenate([onehot(["B-Disease"], 0.9), onehot(["I-Disease"], 0.7)])
    (span,) = decode(probs, offsets, [0, 1], LABELS, "average")
    assert text[span.start : span.end] == "renal failure"
    # type mass per word: 0.9 + 0.025 and 0.7 + 0.075 (B- and I-Disease both count)
    assert span.score == pytest.approx((0.925 + 0.775) / 2)


def test_score_counts_begin_and_inside_mass_of_the_type():
    # a word whose pieces say B- (first) and I- (second): the mean splits the type mass
    probs = np.concatenate([onehot(["B-Chemical"], 0.96), onehot(["I-Chemical"], 0.96)])
    (span,) = decode(probs, [(0, 3), (3, 9)], [0, 0], LABELS, "average")
    assert (span.start, span.end, span.label) == (0, 9, "Chemical")
    assert span.score == pytest.approx(0.97)


def test_bad_inputs():
    with pytest.raises(ValueError):
        decode(onehot(["O"]), [(0, 1), (1, 2)], [0, 1], LABELS)
    with pytest.raises(ValueError):
        aggregate_words(onehot(["O"]), [Word(0, 1, (0,))], "mean")


@pytest.mark.parametrize(
    ("text", "span", "want"),
    [
        ("acute graft-versus-host disease", "-host disease", "graft-versus-host disease"),
        ("levels of 5-HT) rose", "5-HT)", "5-HT"),
        ("parkinsonian 'off' periods", "parkinsonian '", "parkinsonian"),
        ("with cyclic AMP, and", "cyclic AMP,", "cyclic AMP"),
        ("an (R)-enantiomer", "(R)-enantiomer", "(R)-enantiomer"),
        ("got IL-2 (high dose)", "(high dose)", "(high dose)"),
    ],
)
def test_tidy_edges(text, span, want):
    s = text.index(span)
    a, b = tidy(text, s, s + len(span))
    assert text[a:b] == want


def test_tidy_punctuation_only_span_is_empty():
    a, b = tidy("a , b", 2, 3)
    assert a == b
