"""Sentence splitting for biomedical abstracts: character spans, no model.

Why rules and not a trained splitter: the NER tagger is trained on the windows this
function produces (``mining.train.ner_data``), so what matters most is that training and
inference split the same way; a few rules on top of spaCy's blank English tokenizer get
close to the BC5CDR gold sentence breaks (see the model card for the measured accuracy)
without a model download.

A sentence ends at a token ".", "!" or "?" (and any closing brackets/quotes right after
it) when the next token looks like a sentence start (upper-case letter, digit, opening
bracket) and the "." does not close a known abbreviation ("e.g.", "i.v.", "vs.", "Fig.",
"approx.", "et al.", "i.e.", ...) or a single initial ("E. coli").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from mining.nlp.component import SENTENCES, Component
from mining.types import Document

# Lower-cased abbreviations (with their final ".") after which a "." never ends a sentence.
ABBREVIATIONS: frozenset[str] = frozenset(
    """
    e.g. i.e. i.v. i.p. i.m. s.c. p.o. b.i.d. t.i.d. q.i.d. vs. v. fig. figs. approx. al. etc.
    cf. ca. resp. no. nos. vol. ref. refs. eq. dr. prof. mr. mrs. ms. st. sp. spp. var. subsp.
    inc. ltd. co. corp. jan. feb. mar. apr. jun. jul. aug. sep. sept. oct. nov. dec. u.s. u.k.
    e.u. s.d. s.e. s.e.m. ed. eds.
    """.split()
)
# Routes of administration end a sentence when a capitalised word follows ("... 10 mg i.v.
# Five patients"); other abbreviations never do.
ROUTES: frozenset[str] = frozenset({"i.v.", "i.p.", "i.m.", "s.c.", "p.o.", "b.i.d.", "t.i.d."})
_GREEK = ("alpha", "beta", "gamma", "delta", "kappa", "epsilon", "omega", "mu")

_ENDERS = frozenset({".", "!", "?"})
_CLOSERS = frozenset({")", "]", "}", '"', "'", "\u201d", "\u2019"})
_OPENERS = frozenset({"(", "[", "{", '"', "'", "\u201c", "\u2018"})


@lru_cache(maxsize=1)
def _tokenizer():
    import spacy

    nlp = spacy.blank("en")
    # Keep multi-dot abbreviations as one token so their inner dots are never candidates.
    for abbr in ABBREVIATIONS:
        if abbr.count(".") > 1:
            for form in {abbr, abbr.upper(), abbr.capitalize()}:
                nlp.tokenizer.add_special_case(form, [{"ORTH": form}])
    return nlp.tokenizer


def _starts_sentence(token_text: str) -> bool:
    c = token_text[0]
    if c.isupper() or c.isdigit() or c in _OPENERS:
        return True
    # Lower-case starts that biomedical sentences do have: "mRNA ...", "qRT-PCR ...",
    # "beta-Blocker ...", "alpha-TC ...".
    rest = token_text[1:]
    return (
        any(ch.isupper() for ch in rest)
        or token_text.lower().startswith(_GREEK)
        and ("-" in token_text or token_text[-1].isdigit())
    )


def _closes_abbreviation(prev_text: str, dot_attached: bool) -> bool:
    """Is a "." right after ``prev_text`` (no space between) part of an abbreviation?"""
    if not dot_attached:
        return False
    tail = re.search(r"[A-Za-z][A-Za-z.]*$", prev_text)  # "/-s.d" -> "s.d"
    return bool(tail) and tail.group().lower() + "." in ABBREVIATIONS


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of the sentences of ``text``, whitespace trimmed.

    Spans are in order, do not overlap and cover every non-space character of ``text``.
    """
    if not text.strip():
        return []
    tokens = list(_tokenizer()(text))
    boundaries: list[int] = []  # character offsets where a new sentence starts
    n = len(tokens)
    i = 0
    while i < n:
        tok = tokens[i]
        t = tok.text
        is_end = t in _ENDERS
        strict = False  # the next token must start with a capital letter
        if t.lower() in ROUTES:
            is_end, strict = True, True
        elif len(t) > 1 and t[-1] == "." and t.lower() not in ABBREVIATIONS:
            # spaCy leaves the dot on some tokens ("AmB.", "mg/dL."): an end unless the token
            # is a dotted abbreviation ("U.S.") or an initial before a lower-case word.
            is_end = t.count(".") == 1
            strict = True
        elif is_end and t == "." and i > 0:
            prev = tokens[i - 1]
            attached = prev.idx + len(prev.text) == tok.idx
            if _closes_abbreviation(prev.text, attached):
                is_end = False
            elif attached and prev.text[-1].isdigit():
                strict = True  # "0.91-0. 96" is a broken number, not a sentence end
        if not is_end:
            i += 1
            continue
        j = i + 1
        end = tok.idx + len(t)
        # Closing brackets/quotes attached to the end mark stay in this sentence.
        while (
            j < n
            and tokens[j].idx == end
            and (tokens[j].text in _ENDERS or tokens[j].text in _CLOSERS)
        ):
            if tokens[j].text in _ENDERS:
                strict = False  # "(... i.p.)." ends for sure
            end = tokens[j].idx + len(tokens[j].text)
            j += 1
        # Skip whitespace tokens (spaCy keeps runs of extra spaces/newlines as tokens).
        k = j
        while k < n and tokens[k].is_space:
            k += 1
        if k < n and tokens[k].idx > end:  # "methods.A" (no space) is not a boundary
            nxt = text[tokens[k].idx :].split(None, 1)[0]  # the whole word: "gamma-ENaC"
            if nxt[0].isupper() if strict else _starts_sentence(nxt):
                boundaries.append(tokens[k].idx)
        i = j
    spans: list[tuple[int, int]] = []
    starts = [0, *boundaries]
    ends = [*boundaries, len(text)]
    for s, e in zip(starts, ends, strict=True):
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            spans.append((s, e))
    return spans


def split_document(title: str, abstract: str) -> list[tuple[int, int]]:
    """Sentence spans of ``Document.text`` (title + " " + abstract): the title is always its
    own sentence(s), whatever punctuation it ends with."""
    spans = split_sentences(title)
    if abstract:
        off = len(title) + 1
        spans += [(s + off, e + off) for s, e in split_sentences(abstract)]
    return spans


class SentenceSplitter(Component):
    """The splitter as the pipeline's first component: writes ``meta["sentences"]`` (document
    offsets) where the corpus gave none, so every later component reads the same sentences
    and none splits again. It stores no rows, so it leaves no processed marks (``marks``)."""

    kind = "sentence splitter"
    assigns = (SENTENCES,)
    source = "sentences"
    marks = False

    @classmethod
    def from_pretrained(cls, path_or_id=None, *, device=None, dtype=None) -> SentenceSplitter:
        return cls()  # rules, no model

    def pipe(self, docs: Iterable[Document], batch_size: int = 32) -> Iterator[Document]:
        for doc in docs:
            if not doc.meta.get("sentences"):
                doc.meta["sentences"] = [list(s) for s in split_document(doc.title, doc.abstract)]
            yield doc

    def __repr__(self) -> str:
        return self.kind
