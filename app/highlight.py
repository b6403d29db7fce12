"""Stored text as HTML with entity mentions marked: every piece of text is escaped first.

Abstracts, titles and mention texts come from files anyone can write, so nothing stored
reaches the page unescaped; a type becomes a CSS class only through ``type_class``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import NamedTuple

# Colours for the common BioCreative/PubTator types; any other type gets the fallback.
TYPE_COLOURS = {
    "chemical": "#ffd6a5",
    "disease": "#caffbf",
    "gene": "#bde0fe",
    "species": "#e4c1f9",
    "mutation": "#ffadad",
    "cellline": "#fdffb6",
}
FALLBACK_COLOUR = "#e0e0e0"


class Mark(NamedTuple):
    """A span to highlight: character offsets into the full document text and its type."""

    start: int
    end: int
    label: str


def type_class(label: str) -> str:
    """The CSS class of an entity type: letters and digits only, so it cannot break out."""
    return "ent-" + (re.sub(r"[^a-z0-9]+", "", label.lower()) or "other")


def stylesheet() -> str:
    rules = [
        f"mark.ent-{name} {{ background: {colour}; }}" for name, colour in TYPE_COLOURS.items()
    ]
    return (
        "<style>mark[class^='ent-'] { background: " + FALLBACK_COLOUR + "; padding: 0 0.15em; "
        "border-radius: 0.2em; }\n" + "\n".join(rules) + "</style>"
    )


def _non_overlapping(marks: Iterable[Mark], start: int, end: int) -> list[Mark]:
    """Marks inside [start, end), leftmost first and longest at a tie; a mark overlapping
    one already kept is dropped (HTML cannot nest overlapping elements)."""
    kept: list[Mark] = []
    for mark in sorted(marks, key=lambda m: (m.start, -m.end)):
        if mark.start < start or mark.end > end or mark.start >= mark.end:
            continue
        if kept and mark.start < kept[-1].end:
            continue
        kept.append(mark)
    return kept


def highlight(text: str, marks: Iterable[Mark], offset: int = 0) -> str:
    """``text`` (which starts at ``offset`` of the document text) as escaped HTML with each
    mark inside it wrapped in ``<mark class="ent-<type>" title="<type>">``."""
    pieces, at = [], offset
    for mark in _non_overlapping(marks, offset, offset + len(text)):
        pieces.append(html.escape(text[at - offset : mark.start - offset]))
        label = html.escape(mark.label, quote=True)
        inner = html.escape(text[mark.start - offset : mark.end - offset])
        pieces.append(f'<mark class="{type_class(mark.label)}" title="{label}">{inner}</mark>')
        at = mark.end
    pieces.append(html.escape(text[at - offset :]))
    return "".join(pieces)


def legend(labels: Iterable[str]) -> str:
    """One marked sample per entity type, for the reader to match colours to types."""
    return " ".join(
        f'<mark class="{type_class(label)}">{html.escape(label)}</mark>'
        for label in sorted(set(labels))
    )
