"""Distant supervision of concept names: a tagged mention that no dictionary entry matches
takes the id of the one MeSH concept of its type its record is indexed with that it matches.

Why: NLM indexers read the whole article and name its concepts with MeSH ids; the abstract
writes them in its own words ("hypotensive", "cardiomyopathy", "AML"). When exactly one of a
record's concepts of the mention's type is close to the mention's text, that pairing is
very likely right (the idea of distant supervision, Mintz et al. 2009, applied to entity
linking); when two or more are, the mention is left alone.

A mention matches a concept when
- ``similar``: the normalised texts (``mining.nlp.normalise.normalise_text``) of the mention
  and of one of the concept's written forms have a ``difflib`` ratio of at least
  ``MIN_SIMILARITY``; or
- ``abbreviation``: the mention is a short form (2-6 letters or digits, an upper-case letter)
  spelling the initials of one of the concept's written forms ("AML", Acute Myeloid
  Leukemia), with or without its small words ("of", "and", ...).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from difflib import SequenceMatcher
from typing import NamedTuple

from mining.nlp.normalise import normalise_text
from mining.train.mesh_indexing import IndexedConcept, written_forms

SIMILAR, ABBREVIATION = "similar", "abbreviation"
MIN_SIMILARITY = 0.8
_WORD = re.compile(r"[^\W_]+")
_SMALL_WORDS = frozenset(
    {"a", "an", "and", "by", "for", "in", "of", "on", "or", "the", "to", "with"}
)


class Candidate(NamedTuple):
    ui: str
    how: str  # SIMILAR or ABBREVIATION


def similarity(mention: str, name: str) -> float:
    """How alike two texts are once case, punctuation, spacing and a plural "s" are gone."""
    a, b = normalise_text(mention), normalise_text(name)
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def initials(name: str, small_words: bool = True) -> str:
    """The first letters of a name's words, lower case ("Acute Myeloid Leukemia" -> "aml")."""
    words = _WORD.findall(name.casefold())
    return "".join(w[0] for w in words if small_words or w not in _SMALL_WORDS)


def is_abbreviation(mention: str, name: str) -> bool:
    """``mention`` is a short form of ``name``: its letters are the name's initials."""
    short = "".join(_WORD.findall(mention))
    if not 2 <= len(short) <= 6 or short.lower() == short:
        return False
    return short.casefold() in {initials(name), initials(name, small_words=False)}


def how_it_matches(mention: str, concept: IndexedConcept) -> str | None:
    forms = written_forms(concept.name)
    if any(similarity(mention, form) >= MIN_SIMILARITY for form in forms):
        return SIMILAR
    if any(is_abbreviation(mention, form) for form in forms):
        return ABBREVIATION
    return None


def matching_concepts(mention: str, concepts: Iterable[IndexedConcept]) -> list[Candidate]:
    """The record's concepts (already of the mention's type) that the mention matches; the
    caller links only when there is exactly one."""
    found = []
    for concept in concepts:
        how = how_it_matches(mention, concept)
        if how is not None:
            found.append(Candidate(concept.ui, how))
    return found
