"""Moses tokenization as BioGPT runs it, with each token's character span in the original text.

BioGPT was pre-trained on text cut by the Moses tokenizer (``sacremoses``, English,
``aggressive_dash_splits=True``, ``escape=True``) before BPE, so every BioGPT tokenizer must
reproduce that cut exactly or the ids drift from what the model saw. Moses, though, returns
bare strings, and rewritten ones at that: ``&`` comes back as ``&amp;``, the hyphen in
``IL-2`` as ``@-@``, control characters vanish. This module keeps the Moses *rules*
sacremoses' own (it subclasses ``sacremoses.MosesTokenizer``, speeding up look-ups and a few
regexes without changing a match) and recovers offsets afterwards by walking the original
text token by token, undoing each rewrite explicitly.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from sacremoses import MosesTokenizer

# Moses' XML escapes, in the order ``MosesTokenizer.escape_xml`` applies them (``&`` first, so
# the other entities are not escaped twice).
ESCAPES: tuple[tuple[str, str], ...] = (
    ("&", "&amp;"),
    ("|", "&#124;"),
    ("<", "&lt;"),
    (">", "&gt;"),
    ("'", "&apos;"),
    ('"', "&quot;"),
    ("[", "&#91;"),
    ("]", "&#93;"),
)
HYPHEN = "@-@"  # what aggressive_dash_splits turns an intra-word "-" into

# Moses deletes these before anything else ("ASCII junk": C0 controls that are not whitespace).
JUNK = frozenset(chr(c) for c in range(0x20) if not chr(c).isspace())
# Moses parks runs of dots as literal "DOT...DOTMULTI" markers and restores *any* such literal
# afterwards, so a literal "DOTMULTI" in the input comes back as ".".
DOT_MARKER = re.compile(r"(?:DOT)+MULTI")

_ENTITY = re.compile("|".join(re.escape(entity) for _, entity in ESCAPES))
_UNESCAPE = {entity: char for char, entity in ESCAPES}
_GAP = re.compile(r"[\s" + "".join(sorted(JUNK)) + "]*")


class MosesSpan(NamedTuple):
    """One Moses token: it came from ``text[start:end]``; ``token`` is what Moses made of it."""

    start: int
    end: int
    token: str


class FastMosesTokenizer(MosesTokenizer):
    """``sacremoses.MosesTokenizer(lang="en")`` with the same output, several times faster.

    sacremoses rebuilds ``set(IsLower)`` (2,253 characters) for every token that ends in a
    full stop and ``set(IsAlpha)`` (10,862) for every abbreviation, and scans the prefix lists
    linearly; on PubMed text that is over half its run time. Those look-ups use sets built
    once here; the rules stay sacremoses' own (see :meth:`tokenize_biogpt` for the few
    regexes rewritten into equivalent faster forms).
    """

    def __init__(self) -> None:
        super().__init__(lang="en")
        self._lower = frozenset(self.IsLower)
        self._alpha = frozenset(self.IsAlpha)
        self._nonbreaking = frozenset(self.NONBREAKING_PREFIXES)
        self._numeric_only = frozenset(self.NUMERIC_ONLY_PREFIXES)
        alnum, digits = re.escape(self.IsAlnum), re.escape(self.IsN)
        # Look-behind forms of AGGRESSIVE_HYPHEN_SPLIT and COMMA_SEPARATE_1..3: the same
        # matches with a literal replacement, which re expands in C rather than in Python.
        self._hyphen = re.compile(f"(?<=[{alnum}])\\-(?=[{alnum}])")
        self._commas = (
            re.compile(f"(?<=[^{digits}]),"),
            re.compile(f",(?=[^{digits}])"),
            re.compile(f"(?<=[{digits}]),$"),
        )

    def islower(self, text: str) -> bool:
        return self._lower.issuperset(text)

    def isanyalpha(self, text: str) -> bool:
        return not self._alpha.isdisjoint(text)

    def handles_nonbreaking_prefixes(self, text: str) -> str:
        """sacremoses' rule verbatim (split a final "." unless the word is an abbreviation)."""
        tokens = text.split()
        last = len(tokens) - 1
        for i, token in enumerate(tokens):
            if len(token) < 2 or token[-1] != ".":
                continue
            prefix = token[:-1]
            if self._keeps_full_stop(prefix, tokens[i + 1] if i < last else None):
                continue
            tokens[i] = prefix + " ."
        return " ".join(tokens)

    def _keeps_full_stop(self, prefix: str, following: str | None) -> bool:
        if "." in prefix and self.isanyalpha(prefix):
            return True
        if prefix in self._nonbreaking and prefix not in self._numeric_only:
            return True
        if following is not None and following[0] in self._lower:
            return True
        return (
            prefix in self._numeric_only and following is not None and following[0] in "0123456789"
        )

    def tokenize_biogpt(self, text: str) -> list[str]:
        """Exactly what ``transformers.BioGptTokenizer.moses_tokenize(text, "en")`` returns.

        That is ``self.tokenize(text, aggressive_dash_splits=True, escape=True)``, step for
        step, with these equivalent shortcuts:

        * a step is skipped when the character its pattern needs is absent (most abstracts
          have no apostrophe, no "..");
        * ``\\s+`` -> " " then strip is ``" ".join(text.split())`` (the same whitespace);
        * the hyphen and comma rules match with look-behinds instead of consuming the
          character before: the same positions, since a consumed character is never the
          one the next match needs (for commas only without ",,", else sacremoses' regexes);
        * the second space clean-up is dropped: ``handles_nonbreaking_prefixes`` has already
          re-joined the tokens with single spaces.
        """
        text = " ".join(text.split())
        text = _sub(self.ASCII_JUNK, text).strip()
        text = _sub(self.PAD_NOT_ISALNUM, text)
        if "-" in text:
            text = self._hyphen.sub(" @-@ ", text)
        if ".." in text:
            text = self.replace_multidots(text)
        if ",," in text:
            for rule in (self.COMMA_SEPARATE_1, self.COMMA_SEPARATE_2, self.COMMA_SEPARATE_3):
                text = _sub(rule, text)
        elif "," in text:
            for pattern in self._commas:
                text = pattern.sub(" , ", text)
        if "'" in text:
            for rule in self.ENGLISH_SPECIFIC_APOSTROPHE:
                text = _sub(rule, text)
        text = self.handles_nonbreaking_prefixes(text)
        if "'" in text:
            text = _sub(self.TRAILING_DOT_APOSTROPHE, text)
        if "MULTI" in text:
            text = self.restore_multidots(text)
        return escape(text).split()


def _sub(rule: tuple[re.Pattern[str], str], text: str) -> str:
    pattern, replacement = rule
    return pattern.sub(replacement, text)


def escape(text: str) -> str:
    """Moses' XML escaping of ``text`` (what BPE sees for the original characters)."""
    for char, entity in ESCAPES:
        if char in text:
            text = text.replace(char, entity)
    return text


def unescape(token: str) -> str:
    """The original characters of one Moses token (entities and ``@-@`` undone)."""
    if token == HYPHEN:
        return "-"
    if "&" not in token:
        return token
    return _ENTITY.sub(lambda m: _UNESCAPE[m.group()], token)


def moses_spans(text: str, moses: FastMosesTokenizer) -> list[MosesSpan]:
    """Moses-tokenize ``text`` and locate every token in it."""
    tokens = moses.tokenize_biogpt(text)
    spans = align(text, tokens)
    return [MosesSpan(start, end, token) for (start, end), token in zip(spans, tokens, strict=True)]


def align(text: str, tokens: list[str]) -> list[tuple[int, int]]:
    """Character span of each Moses token in ``text``, left to right.

    Most tokens sit verbatim right after the previous one or one space later; that case is
    tested first because it is nearly all of them. Otherwise :func:`locate` undoes the
    rewrites. Spans stay ordered and inside ``text`` whatever the input.
    """
    spans: list[tuple[int, int]] = []
    append = spans.append
    pos = 0
    for token in tokens:
        if "&" in token:  # escaped: never compare verbatim (the text may hold a literal "&amp;")
            pos, end = locate(text, pos, token)
        elif text.startswith(token, pos):
            end = pos + len(token)
        elif text.startswith(token, pos + 1) and text[pos] == " ":
            pos, end = pos + 1, pos + 1 + len(token)
        else:
            pos, end = locate(text, pos, token)
        append((pos, end))
        pos = end
    return spans


def locate(text: str, pos: int, token: str) -> tuple[int, int]:
    """Span of ``token`` at or after ``pos``: past whitespace and control characters, unescaped.

    A token that still does not match spans deleted control characters or a literal dot
    marker (:func:`match_loosely`); failing that it is searched for further on, or else given
    the next character, so that alignment never stops.
    """
    pos = _GAP.match(text, pos).end()
    original = unescape(token)
    if text.startswith(original, pos):
        return pos, pos + len(original)
    if (end := match_loosely(text, pos, original)) is not None:
        return pos, end
    return _resync(text, pos, original)


def match_loosely(text: str, pos: int, original: str) -> int | None:
    """End of ``original`` read from ``text[pos:]`` across Moses' lossy rewrites, or None.

    Two rewrites lose characters: control characters are deleted (so ``a<0x01>b`` becomes
    the token ``ab``) and literal ``DOT..MULTI`` markers become dots.
    """
    i = 0
    while i < len(original):
        if pos < len(text) and text[pos] == original[i]:
            pos, i = pos + 1, i + 1
        elif pos < len(text) and text[pos] in JUNK:
            pos += 1
        elif (marker := DOT_MARKER.match(text, pos)) and original.startswith(
            "." * _dots(marker.group()), i
        ):
            pos, i = marker.end(), i + _dots(marker.group())
        else:
            return None
    return pos


def _dots(marker: str) -> int:
    return (len(marker) - len("MULTI")) // len("DOT")


def _resync(text: str, pos: int, original: str) -> tuple[int, int]:
    found = text.find(original, pos) if original else -1
    if found >= 0:
        return found, found + len(original)
    return pos, min(pos + 1, len(text))
