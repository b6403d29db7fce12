"""Entities of several taggers as one list.

Each tagger is trained on its own corpus (BC5CDR, BC2GM), so each tags every document and
their entities are merged: a span found twice with one type is kept once (the higher score);
the same span with two types is kept twice, since a name can be both (PubTator does the same
for "insulin", chemical and gene), and overlapping spans of different taggers both stay.
"""

from __future__ import annotations

from collections.abc import Iterable

from mining.types import Entity


def merge_entities(entities: Iterable[Entity]) -> list[Entity]:
    """One entity per (span, type), the highest-scoring; sorted by start, end, type."""
    best: dict[tuple[int, int, str], Entity] = {}
    for e in entities:
        key = (e.start, e.end, e.label)
        if key not in best or e.score > best[key].score:
            best[key] = e
    return [best[k] for k in sorted(best)]
