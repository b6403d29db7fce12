"""Which entity type (Chemical or Disease) a MeSH id indexed in PubMed records takes.

The XML carries no tree numbers, so the type comes from three real signals, first hit wins:

1. ``gold``: the id's type in the gold-annotated training corpora (BC5CDR, NCBI disease
   annotate with MeSH ids);
2. ``substance``: the id is listed in some record's ``ChemicalList``, which NLM fills with
   the record's substances (chemical descriptors and supplementary concepts);
3. ``disease qualifier``: the descriptor carries, in some record, a qualifier NLM allows only
   with Diseases [C] and Mental Disorders [F03] (NLM's qualifier scope notes and "Allowable
   Categories"; e.g. /drug therapy: "C & F3 1990 forward"). On the 2018 NLM sample every
   descriptor this rule types that the training corpora also type is a Disease there.

Anything else (check tags such as Humans, anatomy, organisms, procedures, and diseases
indexed without such a qualifier) stays untyped and adds no entry.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from mining.train.mesh_indexing import IndexedConcept

CHEMICAL, DISEASE = "Chemical", "Disease"
GOLD, SUBSTANCE, DISEASE_QUALIFIER = "gold", "substance", "disease qualifier"
RULES = (GOLD, SUBSTANCE, DISEASE_QUALIFIER)

# Qualifiers allowed only with Category C and F03 headings. Left out, though disease-like:
# /epidemiology (also used with places: "India/epidemiology"), /prevention & control (with
# behaviours: "Alcohol Drinking"), /mortality (with procedures), /pathology and
# /physiopathology (with anatomy: "Myocardium/pathology").
DISEASE_QUALIFIERS = frozenset(
    {"chemically induced", "complications", "diagnosis", "drug therapy", "etiology", "therapy"}
)


class TypeEvidence:
    """What the records say about each id, gathered one record at a time."""

    def __init__(self) -> None:
        self.substances: set[str] = set()
        self.disease_qualified: set[str] = set()
        self.seen: set[str] = set()

    def add(self, concepts: Iterable[IndexedConcept]) -> None:
        for concept in concepts:
            self.seen.add(concept.ui)
            if concept.substance:
                self.substances.add(concept.ui)
            if concept.qualifiers & DISEASE_QUALIFIERS:
                self.disease_qualified.add(concept.ui)

    def types(self, gold: Mapping[str, str]) -> dict[str, tuple[str, str]]:
        """id -> (type, rule) for every id seen that a rule types."""
        typed: dict[str, tuple[str, str]] = {}
        for ui in sorted(self.seen):
            if ui in gold:
                typed[ui] = (gold[ui], GOLD)
            elif ui in self.substances:
                typed[ui] = (CHEMICAL, SUBSTANCE)
            elif ui in self.disease_qualified:
                typed[ui] = (DISEASE, DISEASE_QUALIFIER)
        return typed


def gold_types(counts: Mapping[tuple[str, str], Counter[str]]) -> dict[str, str]:
    """id -> the type the gold corpora give it most often (ties: the smaller type name), from
    ``build_concept_dictionary.count_mentions``' (label, text) -> id counts. Composite ids
    ("A|B") name no single concept and are left out."""
    by_id: dict[str, Counter[str]] = defaultdict(Counter)
    for (label, _), ids in counts.items():
        for concept, n in ids.items():
            if "|" not in concept:
                by_id[concept][label] += n
    return {
        ui: min(labels.items(), key=lambda kv: (-kv[1], kv[0]))[0] for ui, labels in by_id.items()
    }
