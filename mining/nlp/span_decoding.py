"""Subword label probabilities + character offsets -> entity character spans.

This is where a token classifier's quality is won or lost when it is scored on character
spans (the BC5CDR metric): naive first-subword decoding and transformers' "simple"
aggregation leave word fragments (``##thyroid``) and broken entities. The steps, each a small
pure function (after transformers' ``TokenClassificationPipeline.aggregate``):

1. ``group_words``: subwords -> words (the fast tokenizer's ``word_ids``; a word is what the
   pre-tokenizer splits on whitespace and punctuation, so "Cisplatin-induced" is three
   words and an entity can never end inside a word).
2. ``aggregate_words``: one probability row per word: the first subword's ("first"), the mean
   of its subwords' ("average") or the most confident subword's ("max").
3. ``bio_spans``: argmax labels -> entities with BIO repair (an I- after O or after another
   type starts a new entity; an I- of another type ends the running one).
4. ``decode``: word spans -> character spans; an entity's score is the mean of its words'
   probabilities of the predicted type (B-X + I-X, see ``type_confidence``).
5. ``tidy``: edge repairs on the document text (hyphenated compounds, brackets, punctuation).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

STRATEGIES = ("first", "average", "max", "token")


class Word(NamedTuple):
    start: int  # character offsets of the word (first subword start, last subword end)
    end: int
    tokens: tuple[int, ...]  # indices of its subwords


class Span(NamedTuple):
    start: int
    end: int
    label: str  # entity type without the B-/I- prefix
    score: float


def group_words(
    offsets: Sequence[tuple[int, int]], word_ids: Sequence[int | None] | None
) -> list[Word]:
    """Group subword positions into words. ``word_ids`` None (or strategy "token") makes
    every subword its own word. Positions with word id None or empty offsets (special
    tokens, padding) are dropped."""
    words: list[Word] = []
    cur_id: object = object()
    cur: list[int] = []

    def flush() -> None:
        if cur:
            words.append(Word(offsets[cur[0]][0], offsets[cur[-1]][1], tuple(cur)))

    for i, (s, e) in enumerate(offsets):
        wid = word_ids[i] if word_ids is not None else i
        if wid is None or s == e:
            continue
        if wid != cur_id:
            flush()
            cur = []
            cur_id = wid
        cur.append(i)
    flush()
    return words


def aggregate_words(probs: np.ndarray, words: Sequence[Word], strategy: str) -> np.ndarray:
    """One probability row per word (``len(words) x n_labels``)."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown aggregation strategy {strategy!r}; use one of {STRATEGIES}")
    out = np.empty((len(words), probs.shape[1]), dtype=np.float32)
    for k, w in enumerate(words):
        rows = probs[list(w.tokens)]
        if strategy in ("first", "token"):
            out[k] = rows[0]
        elif strategy == "average":
            out[k] = rows.mean(axis=0)
        else:  # max: the distribution of the most confident subword
            out[k] = rows[int(rows.max(axis=1).argmax())]
    return out


def bio_spans(labels: Sequence[str]) -> list[tuple[int, int, str]]:
    """BIO(2) labels -> ``(first, last_exclusive, type)`` runs, with repair: an ``I-X`` that
    does not continue an ``X`` entity starts a new one."""
    spans: list[tuple[int, int, str]] = []
    start, typ = -1, ""
    for i, lab in enumerate(labels):
        if lab == "O" or "-" not in lab:
            if typ:
                spans.append((start, i, typ))
            start, typ = -1, ""
            continue
        prefix, t = lab.split("-", 1)
        if prefix == "B" or t != typ:
            if typ:
                spans.append((start, i, typ))
            start, typ = i, t
    if typ:
        spans.append((start, len(labels), typ))
    return spans


def decode(
    probs: np.ndarray,
    offsets: Sequence[tuple[int, int]],
    word_ids: Sequence[int | None] | None,
    id2label: dict[int, str] | Sequence[str],
    strategy: str = "average",
) -> list[Span]:
    """Character spans of the entities in one token sequence.

    ``probs``: ``n_tokens x n_labels`` softmax output; ``offsets``: character offsets of each
    token (already shifted into document coordinates); ``word_ids``: the tokenizer's word ids.
    """
    if len(probs) != len(offsets):
        raise ValueError(f"{len(probs)} probability rows for {len(offsets)} offsets")
    words = group_words(offsets, None if strategy == "token" else word_ids)
    if not words:
        return []
    wprobs = aggregate_words(np.asarray(probs, dtype=np.float32), words, strategy)
    best = wprobs.argmax(axis=1)
    labels = [id2label[int(b)] for b in best]
    conf = type_confidence(wprobs, labels, id2label)
    return [
        Span(words[a].start, words[b - 1].end, typ, float(conf[a:b].mean()))
        for a, b, typ in bio_spans(labels)
    ]


def type_confidence(
    wprobs: np.ndarray, labels: Sequence[str], id2label: dict[int, str] | Sequence[str]
) -> np.ndarray:
    """Each word's probability of its predicted *type* (B-X + I-X; O for O).

    Every subword is trained with a label (B- on an entity's first piece, I- on the rest), so
    averaged word rows split a confident type between B- and I-; the type mass, not the
    larger half, is the word's confidence.
    """
    types = [lab.split("-", 1)[-1] for lab in (id2label[i] for i in range(wprobs.shape[1]))]
    conf = np.empty(len(labels), dtype=np.float32)
    for k, lab in enumerate(labels):
        typ = lab.split("-", 1)[-1]
        conf[k] = sum(float(wprobs[k, j]) for j, t in enumerate(types) if t == typ)
    return np.minimum(conf, 1.0)


_OPEN, _CLOSE = "([{", ")]}"
_EDGE_PUNCT = ",.;:'\"-/+"


def tidy(text: str, start: int, end: int) -> tuple[int, int]:
    """Repair a decoded span's edges on the document text.

    A span that starts on a hyphen glued to the previous word ("graft-versus" + "-host
    disease") is extended left over the hyphenated compound; edge punctuation (",", "'",
    a dangling "-") and brackets that do not close inside the span ("HT)") are trimmed.
    Returns ``(start, end)``; ``start == end`` when nothing but punctuation is left.
    """
    if start > 0 and text[start] == "-" and text[start - 1].isalnum():
        while start > 0 and not text[start - 1].isspace() and text[start - 1] not in _OPEN:
            start -= 1
    changed = True
    while changed and start < end:
        changed = False
        if (
            text[start] in _EDGE_PUNCT
            or text[start].isspace()
            or (text[start] in _OPEN and _CLOSE[_OPEN.index(text[start])] not in text[start:end])
        ):
            start += 1
            changed = True
        elif (
            text[end - 1] in _EDGE_PUNCT
            or text[end - 1].isspace()
            or (
                text[end - 1] in _CLOSE
                and _OPEN[_CLOSE.index(text[end - 1])] not in text[start : end - 1]
            )
        ):
            end -= 1
            changed = True
        elif text[start] in _CLOSE:
            start += 1
            changed = True
    return start, end
