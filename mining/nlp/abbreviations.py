"""Abbreviation detection (Schwartz & Hearst 2003) and type propagation for NER.

Why: the default tagger is uncased, so short upper-case forms ("PB", "MI", "5-FU") look like
ordinary word pieces and are often missed, although the abstract itself defines them:
"phenobarbital (PB)". Schwartz & Hearst, "A simple algorithm for identifying abbreviation
definitions in biomedical text", PSB 2003: a short form in parentheses is matched character by
character, right to left, against the words before it. Once found, the short form inherits the
type of the entity tagged on its long form at every mention in the abstract (as scispaCy's
``AbbreviationDetector`` + linker do for concepts).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from mining.types import Entity


class Abbreviation(NamedTuple):
    short: tuple[int, int]  # character span of the short form (inside the parentheses)
    long: tuple[int, int]  # character span of its long form (before the parentheses)


_PAREN = re.compile(r"\(([^()]{1,40})\)")
_WORD = re.compile(r"\S+")


def is_short_form(candidate: str) -> bool:
    """S&H short-form test: 2-10 characters, at most two words, a letter, starts alnum."""
    return (
        2 <= len(candidate) <= 10
        and len(candidate.split()) <= 2
        and any(c.isalpha() for c in candidate)
        and candidate[0].isalnum()
    )


def best_long_form(short: str, long: str) -> int | None:
    """Start (index into ``long``) of the shortest suffix of ``long`` that holds the characters
    of ``short`` in order, its first character starting a word; None if none does."""
    s, lo = len(short) - 1, len(long) - 1
    while s >= 0:
        c = short[s].lower()
        if not c.isalnum():
            s -= 1
            continue
        while lo >= 0 and (long[lo].lower() != c or (s == 0 and lo > 0 and long[lo - 1].isalnum())):
            lo -= 1
        if lo < 0:
            return None
        lo -= 1
        s -= 1
    return long.rfind(" ", 0, lo + 1) + 1


def find_abbreviations(text: str) -> list[Abbreviation]:
    """Every "long form (SHORT)" definition in ``text``."""
    found = []
    for m in _PAREN.finditer(text):
        inner = m.group(1)
        cut = re.split(r"[;,]", inner, maxsplit=1)[0].strip()
        if not is_short_form(cut):
            continue
        s_start = m.start(1) + inner.index(cut)
        short = (s_start, s_start + len(cut))
        # Candidate long form: up to min(|SF| + 5, 2|SF|) words before "(" in the sentence.
        before = text[: m.start()]
        sent_start = max(before.rfind(". "), before.rfind("; "), before.rfind("("))
        sent_start = sent_start + 2 if sent_start >= 0 else 0
        words = list(_WORD.finditer(before, sent_start))
        max_words = min(len(cut) + 5, 2 * len(cut))
        words = words[-max_words:]
        if not words:
            continue
        window_start = words[0].start()
        window = text[window_start : words[-1].end()]
        rel = best_long_form(cut, window)
        if rel is None:
            continue
        long = (window_start + rel, words[-1].end())
        long_text = text[long[0] : long[1]]
        if len(long_text) <= len(cut) or cut.lower() in long_text.lower().split():
            continue
        found.append(Abbreviation(short, long))
    return found


def occurrences(text: str, form: str) -> list[tuple[int, int]]:
    """Whole-token, case-sensitive occurrences of ``form`` in ``text``."""
    pat = re.compile(r"(?<![\w])" + re.escape(form) + r"(?![\w])")
    return [(m.start(), m.end()) for m in pat.finditer(text)]


def propagate(
    text: str,
    entities: Sequence[Entity],
    abbreviations: Sequence[Abbreviation] | None = None,
    drop_unsupported: bool = False,
) -> list[Entity]:
    """Give every mention of a defined short form the type of the entity on its long form.

    A long form counts as tagged when a predicted entity ends where it ends and starts inside
    it. Mentions of the short form already tagged are relabelled; untagged ones are added with
    the long form's score. A prediction of another type that merely starts or ends with the
    short form as a separate word ("CDDP nephrotoxicity") is cut back to leave the short form
    its own mention; other partial overlaps are left alone. With
    ``drop_unsupported``, predictions on a short form whose long form is untagged are removed.
    """
    abbrs = find_abbreviations(text) if abbreviations is None else abbreviations
    if not abbrs or not entities:
        return list(entities)
    out = list(entities)
    template = entities[0]
    for ab in abbrs:
        ls, le = ab.long
        long_ents = [e for e in out if e.end == le and ls <= e.start < le]
        form = text[ab.short[0] : ab.short[1]]
        spots = occurrences(text, form)
        if not long_ents:
            if drop_unsupported:
                out = [e for e in out if (e.start, e.end) not in set(spots)]
            continue
        src = max(long_ents, key=lambda e: e.end - e.start)
        for s, e in spots:
            exact = [x for x in out if x.start == s and x.end == e]
            if exact:
                for x in exact:
                    x.label = src.label
                continue
            overlapping = [x for x in out if x.start < e and x.end > s]
            if overlapping and not _split_off(text, overlapping, s, e, src.label):
                continue
            out.append(
                Entity(
                    template.doc_id, s, e, text[s:e], src.label, None, src.score, template.source
                )
            )
    out.sort(key=lambda x: (x.start, x.end))
    return out


def _split_off(text: str, overlapping: list[Entity], s: int, e: int, label: str) -> bool:
    """Cut ``overlapping`` (one entity of another type) so that it no longer covers the short
    form at ``[s, e)`` when the short form is a whole first/last word of it. True if done."""
    if len(overlapping) != 1 or overlapping[0].label == label:
        return False
    x = overlapping[0]
    if x.start == s and x.end > e + 1 and text[e] == " ":
        x.start = e + 1
    elif x.end == e and x.start < s - 1 and text[s - 1] == " ":
        x.end = s - 1
    else:
        return False
    x.text = text[x.start : x.end]
    return True
