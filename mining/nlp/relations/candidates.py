"""Relation candidates: entity pairs of a task's types close enough to be related, and the text
the classifier reads for each, with typed entity markers around the two mentions.

Markers are the "typed entity marker (punct)" of Zhou & Chen (2022, "An Improved Baseline for
Sentence-level Relation Extraction"): ``@ * chemical * cisplatin @`` and
``# ^ gene ^ BRCA1 #``. They are made of characters every vocabulary already has, so a LoRA
adapter needs no new embedding rows, and the type word tells the model what each argument is.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import NamedTuple

from mining.nlp.relations.tasks import RelationTask
from mining.types import Document, Entity

HEAD_MARK, HEAD_TYPE_MARK = "@", "*"
# A "sentence" longer than this (a broken record with no full stops) is read as consecutive
# pieces of at most this many characters, cut at spaces: no abstract sentence comes near it,
# and pairs stay local, so a huge document costs time in proportion to its size.
MAX_SENTENCE_CHARS = 2_000
TAIL_MARK, TAIL_TYPE_MARK = "#", "^"


class Candidate(NamedTuple):
    head: Entity
    tail: Entity
    span: tuple[int, int]  # the sentences (document offsets) the classifier reads


def sentence_spans(doc: Document) -> list[tuple[int, int]]:
    """The document's sentences: the corpus' own when it gives them (DDI's
    ``meta["sentences"]``), else ``mining.nlp.sentences.split_document``'s."""
    given = doc.meta.get("sentences")
    if given and all(isinstance(s, (list, tuple)) and len(s) == 2 for s in given):
        return [(int(s), int(e)) for s, e in given]
    from mining.nlp.sentences import split_document

    return split_document(doc.title, doc.abstract)


def candidates(
    doc: Document,
    entities: Sequence[Entity],
    task: RelationTask,
    sentences: Sequence[tuple[int, int]] | None = None,
) -> list[Candidate]:
    """Every pair of ``entities`` the task relates (head of a head type, tail of a tail type;
    for a symmetric task, each unordered pair once, the earlier mention as head) whose
    mentions do not overlap, lie within ``task.max_sentences`` consecutive sentences and,
    where the task says so, differ in text."""
    spans = list(sentences if sentences is not None else sentence_spans(doc))
    if not spans:
        spans = [(0, len(doc.text))]
    spans = [piece for span in spans for piece in cut_long(doc.text, span)]
    starts = [s for s, _ in spans]

    def sentence_of(e: Entity) -> int:
        return max(0, bisect_right(starts, e.start) - 1)

    ordered = sorted(entities, key=lambda e: (e.start, e.end, e.label))
    where = [sentence_of(e) for e in ordered]  # non-decreasing, as ``ordered`` is by start
    reach = task.max_sentences - 1
    out = []
    for i, a in enumerate(ordered):
        # Only the mentions of the sentences within reach: a slice of ``ordered``.
        lo = bisect_left(where, where[i] - reach)
        hi = bisect_right(where, where[i] + reach)
        for j in range(lo, hi):
            b = ordered[j]
            if i == j:
                continue
            if a.start < b.end and b.start < a.end:  # overlapping mentions
                continue
            if task.skip_same_text and a.text.casefold() == b.text.casefold():
                continue
            if task.symmetric:
                if j < i or a.label not in task.head_types or b.label not in task.tail_types:
                    continue
            elif a.label not in task.head_types or b.label not in task.tail_types:
                continue
            first, last = min(where[i], where[j]), max(where[i], where[j])
            out.append(Candidate(a, b, (spans[first][0], spans[last][1])))
    return out


def cut_long(text: str, span: tuple[int, int], limit: int = MAX_SENTENCE_CHARS):
    """``span``, or consecutive pieces of it of at most ``limit`` characters cut at a space
    (anywhere, when a piece has none)."""
    start, end = span
    while end - start > limit:
        cut = text.rfind(" ", start + limit // 2, start + limit)
        cut = cut if cut > start else start + limit
        yield (start, cut)
        start = cut
    yield (start, end)


def concept_ids(e: Entity) -> set[str]:
    """A mention's concept ids (BC5CDR joins composite mentions' ids with ``|``; ``-1`` is
    its "not normalised")."""
    return {c for c in (e.concept_id or "").split("|") if c and c != "-1"}


def marked_text(text: str, candidate: Candidate, task: RelationTask) -> str:
    """The candidate's sentences with both mentions wrapped in typed markers."""
    s0, e0 = candidate.span
    head, tail = candidate.head, candidate.tail
    pieces = []
    pos = s0
    marks = [
        (head, HEAD_MARK, HEAD_TYPE_MARK),
        (tail, TAIL_MARK, TAIL_TYPE_MARK),
    ]
    for mention, mark, type_mark in sorted(marks, key=lambda m: m[0].start):
        pieces.append(text[pos : mention.start])
        word = task.marker_word or mention.label.lower()
        pieces.append(
            f"{mark} {type_mark} {word} {type_mark} {text[mention.start : mention.end]} {mark}"
        )
        pos = mention.end
    pieces.append(text[pos:e0])
    return "".join(pieces)
