"""What NLM's indexing of one PubMed record says about concepts: its MeSH descriptors (with
their qualifiers) and its substances, as the PubMed XML reader stores them in ``meta``.

Why: every MEDLINE record is indexed by NLM with MeSH descriptors (``MeshHeadingList``) and
substances (``ChemicalList``: descriptors, D..., and supplementary concepts, C...), each with
its unique id. Those names and ids, and the mentions they pin down in the abstract, are free
concept-dictionary entries from the user's own PubMed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple


class IndexedConcept(NamedTuple):
    ui: str  # MeSH unique id: D... descriptor, C... supplementary concept
    name: str
    qualifiers: frozenset[str]  # qualifier names of a MeSH heading ("drug therapy")
    substance: bool  # listed in the record's ChemicalList


def record_concepts(meta: Mapping[str, Any]) -> list[IndexedConcept]:
    """The record's descriptors and substances, one entry per id (a descriptor that is also
    a substance is one entry with ``substance`` set), in the order NLM lists them."""
    found: dict[str, IndexedConcept] = {}
    for heading in meta.get("mesh") or ():
        ui, name = heading.get("ui"), heading.get("descriptor")
        if ui and name:
            qualifiers = frozenset(q["name"] for q in heading.get("qualifiers") or () if q["name"])
            found[ui] = IndexedConcept(ui, name, qualifiers, False)
    for chemical in meta.get("chemicals") or ():
        ui, name = chemical.get("ui"), chemical.get("name")
        if not (ui and name):
            continue
        heading = found.get(ui)
        qualifiers = heading.qualifiers if heading else frozenset()
        found[ui] = IndexedConcept(ui, heading.name if heading else name, qualifiers, True)
    return list(found.values())


def written_forms(name: str) -> list[str]:
    """The ways a MeSH name is written in text: as it is, and, for an inverted heading
    ("Leukemia, Myeloid, Acute"), in reading order ("Acute Myeloid Leukemia"). Only ", "
    inverts: commas inside chemical names ("1,2-dichloroethane") have no space after them."""
    parts = name.split(", ")
    if len(parts) == 1 or not all(parts):
        return [name]
    return [name, " ".join(reversed(parts))]
