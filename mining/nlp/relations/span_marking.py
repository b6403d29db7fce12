"""One marked copy of a span for all its candidate pairs, instead of one copy per pair.

Candidates that read the same sentences (their ``span``) share one text in which every
mention taking part in any of them is wrapped in its typed markers; the entity-marker head
then reads each pair at its two mentions' opening markers in that one encoding. A sentence
with 20 candidate pairs costs one encoder pass instead of 20 (the pair-at-a-time cost was
three quarters of ``biomine run``'s time).

A mention is marked as a head (``@ * type * text @``) when the task's head types hold its
type, else as a tail (``# ^ type ^ text #``); in a task whose two sides share a type (DDI),
every mention takes the head marks and the earlier mention of a pair is read first, as
candidates order it. A span whose marked text does not fit the model's window is read once
per pair, cut around the pair's mentions as ``encode_candidate`` cuts a long text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from mining.nlp.relations.candidates import (
    HEAD_MARK,
    HEAD_TYPE_MARK,
    TAIL_MARK,
    TAIL_TYPE_MARK,
    Candidate,
)
from mining.nlp.relations.tasks import RelationTask
from mining.types import Entity

SPAN_MARKING = "span"  # ``biomine_marking`` of a model read this way


class MarkedSpan(NamedTuple):
    """A span's marked text, the character offset of each mention's opening and closing
    marks in it, and its pairs (candidate index, head mention, tail mention)."""

    text: str
    opens: list[int]
    closes: list[int]
    pairs: list[tuple[int, int, int]]


class SpanRow(NamedTuple):
    """One encoder input and the pairs read from it: (candidate index, head token, tail
    token), token positions counted with the special tokens."""

    ids: list[int]
    pairs: list[tuple[int, int, int]]


def _key(e: Entity) -> tuple[int, int, str]:
    return e.start, e.end, e.label


def marked_spans(text: str, cands: Sequence[Candidate], task: RelationTask) -> list[MarkedSpan]:
    """The candidates grouped by span, each group's mentions marked once."""
    groups: dict[tuple[int, int], list[int]] = {}
    for i, c in enumerate(cands):
        groups.setdefault(c.span, []).append(i)
    out = []
    for (s0, e0), members in groups.items():
        mentions: dict[tuple[int, int, str], Entity] = {}
        for i in members:
            for e in (cands[i].head, cands[i].tail):
                mentions.setdefault(_key(e), e)
        order = sorted(mentions)
        index = {k: n for n, k in enumerate(order)}
        # Insertions in text order; a closing mark before an opening one at the same offset,
        # so adjacent mentions stay apart; nested mentions nest their marks.
        events = []
        for n, k in enumerate(order):
            e = mentions[k]
            events.append((e.start, 1, -e.end, n))
            events.append((e.end, 0, -e.start, n))
        events.sort()
        pieces, pos, length = [], s0, 0
        opens, closes = [0] * len(order), [0] * len(order)
        for at, is_open, _, n in events:
            piece = text[pos:at]
            pieces.append(piece)
            length += len(piece)
            pos = at
            e = mentions[order[n]]
            head = e.label in task.head_types
            mark, type_mark = (HEAD_MARK, HEAD_TYPE_MARK) if head else (TAIL_MARK, TAIL_TYPE_MARK)
            word = task.marker_word or e.label.lower()
            # As ``marked_text`` writes them: ``@ * type * `` before, `` @`` after.
            if is_open:
                opens[n] = length
                piece = f"{mark} {type_mark} {word} {type_mark} "
            else:
                closes[n] = length + 1
                piece = f" {mark}"
            pieces.append(piece)
            length += len(piece)
        pieces.append(text[pos:e0])
        pairs = [(i, index[_key(cands[i].head)], index[_key(cands[i].tail)]) for i in members]
        out.append(MarkedSpan("".join(pieces), opens, closes, pairs))
    return out


def _token_at(offsets: Sequence[tuple[int, int]], char: int) -> int:
    """The index of the token that starts at ``char`` (a mark is a token of its own)."""
    for i, (s, e) in enumerate(offsets):
        if s <= char < e or s >= char:
            return i
    return max(0, len(offsets) - 1)


def encode_span(
    tokenizer,
    span: MarkedSpan,
    max_tokens: int,
    affixes: tuple[list[int], list[int]],
) -> list[SpanRow]:
    """One row for the whole span when it fits ``max_tokens``, else one cut row per pair."""
    from mining.nlp.relations.classifier import crop_around

    prefix, suffix = affixes
    enc = tokenizer(span.text, add_special_tokens=False, return_offsets_mapping=True)
    ids, offsets = list(enc["input_ids"]), enc["offset_mapping"]
    opens = [_token_at(offsets, c) for c in span.opens]
    closes = [_token_at(offsets, c) for c in span.closes]
    room = max_tokens - len(prefix) - len(suffix)
    n = len(prefix)
    if len(ids) <= room:
        pairs = [(i, opens[h] + n, opens[t] + n) for i, h, t in span.pairs]
        return [SpanRow([*prefix, *ids, *suffix], pairs)]
    rows = []
    for i, h, t in span.pairs:
        last = max(closes[h], closes[t])
        kept, head, tail = crop_around(ids, opens[h], opens[t], last, room)
        rows.append(SpanRow([*prefix, *kept, *suffix], [(i, head + n, tail + n)]))
    return rows
