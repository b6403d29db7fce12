"""Raw corpus fields -> core records: namespaced document ids and offset-checked mentions.

Document ids: a numeric id is a PubMed id (``pmid:12345``); an id that already has a
namespace (``pmid:1``, ``file:a``) is kept; any other id gets the format's namespace
(``bioc:PMC123``, ``pubtator:doc7``, ``jsonl:x``). Writers strip ``pmid:`` again.
"""

from __future__ import annotations

from typing import Any

from mining.errors import InputError, OnError, report
from mining.types import GOLD, Entity, pmid_id

# Composite mentions ("Ocular and auditory toxicity") keep their individual mentions
# under this meta key: a list of {"start", "end", "parts": [{"text", ["concept_id"],
# ["spans": [[start, end], ...]]}]}, spans in Document.text coordinates.
INDIVIDUAL_MENTIONS = "individual_mentions"

_NO_CONCEPT = frozenset({"", "-", "-1", "None"})
_PMID_PREFIX = "pmid:"


def namespaced_id(raw: str, namespace: str) -> str:
    raw = raw.strip()
    if raw.isascii() and raw.isdigit():
        return pmid_id(raw)
    return raw if ":" in raw else f"{namespace}:{raw}"


def external_id(doc_id: str) -> str:
    """The id as a corpus file writes it: ``pmid:123`` -> ``123``, others unchanged."""
    return doc_id.removeprefix(_PMID_PREFIX)


def concept_or_none(raw: Any) -> str | None:
    """Corpora write "no concept" as -1, -, empty or None."""
    if raw is None:
        return None
    raw = str(raw).strip()
    return None if raw in _NO_CONCEPT else raw


def span_error(text: str, start: int, end: int, mention: str) -> str | None:
    """Why ``text[start:end]`` cannot be ``mention``, or None when it is."""
    if not 0 <= start < end <= len(text):
        return f"mention {start}-{end} {mention!r} lies outside the {len(text)}-character text"
    found = text[start:end]
    if found != mention:
        return f"mention {start}-{end} is {found!r} in the text, not {mention!r}"
    return None


def checked_entity(
    doc_id: str,
    text: str,
    fields: tuple[int, int, str, str, str | None],
    where: tuple[str, int | None],
    on_error: OnError,
) -> Entity | None:
    """A gold Entity from (start, end, mention, label, concept_id), or None after reporting a
    mention whose offsets do not give its text: never kept silently."""
    start, end, mention, label, concept_id = fields
    problem = span_error(text, start, end, mention)
    if problem:
        name, line = where
        report(InputError(name, f"{doc_id}: {problem}; skipped", line), on_error)
        return None
    return Entity(doc_id, start, end, mention, label, concept_id, source=GOLD)
