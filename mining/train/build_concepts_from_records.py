"""Build the concept dictionary from the user's ingested PubMed records as well as from the
gold corpora (``biomine concepts build``).

Three origins of rows, in order of trust; a later origin never overrides a (type, text) an
earlier one already matches (exactly or normalised), so adding records only adds coverage:

1. ``gold``: the gold-annotated corpora (``build_concept_dictionary``);
2. ``records``: the names of the MeSH descriptors and substances NLM indexed the records
   with, typed by ``mesh_types`` (count: the records indexed with the id);
3. ``distant``: tagged mentions stored in the database (``biomine run``) that 1 and 2 do not
   match, linked by ``distant_supervision`` (count: the records where the link was made).

Two streaming passes over the stored documents (ids and names, then mentions), so memory
holds only the counters, however large the database.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from mining.nlp.normalise import ConceptNormaliser
from mining.store.read_documents import iter_documents
from mining.train.build_concept_dictionary import (
    count_mentions,
    dictionary_rows,
    gold_concept,
    read_gold,
    write_dictionary,
)
from mining.train.distant_supervision import matching_concepts
from mining.train.mesh_indexing import IndexedConcept, record_concepts, written_forms
from mining.train.mesh_types import CHEMICAL, DISEASE, TypeEvidence, gold_types
from mining.types import Document, Entity

Row = tuple[str, str, str, int]
GOLD, RECORDS, DISTANT = "gold", "records", "distant"
ORIGINS = (GOLD, RECORDS, DISTANT)
TYPES = (CHEMICAL, DISEASE)


@dataclass
class RecordsBuild:
    """The rows of each origin and what the records held."""

    rows: dict[str, list[Row]]
    counts: dict[str, int | dict[str, int]] = field(default_factory=dict)

    @property
    def all_rows(self) -> list[Row]:
        return sorted(row for origin in ORIGINS for row in self.rows[origin])


def build_with_records(
    engine: Engine,
    train: Iterable[str | Path],
    out: str | Path,
    taggers: Sequence[str] | None = None,
    batch_size: int = 500,
) -> tuple[Path, RecordsBuild]:
    """Write ``out/concepts.tsv.gz`` from the gold corpora ``train`` and the records stored
    in ``engine``; ``taggers`` limits distant supervision to the mentions of those models
    (a source such as ``ner-chem-disease-train@1.0``, or its name before the "@")."""
    gold_counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for path in train:
        for key, ids in count_mentions(read_gold(Path(path))).items():
            gold_counts[key].update(ids)
    gold_rows = dictionary_rows(gold_counts)
    counts: dict[str, int | dict[str, int]] = {}

    names, evidence = _read_indexing(engine, batch_size, counts)
    typed = evidence.types(gold_types(gold_counts))
    by_rule = sorted(Counter(typed.values()).items())
    counts["typed ids"] = {f"{label} by {rule}": n for (label, rule), n in by_rule}
    counts["typed ids, all"] = len(typed)
    counts["untyped ids"] = len(evidence.seen) - len(typed)

    record_rows, inverted = _name_rows(names, typed, ConceptNormaliser(gold_rows))
    counts["inverted names read in order"] = inverted
    known = ConceptNormaliser(gold_rows + record_rows)
    link_counts, distant = _distant_links(engine, typed, known, taggers, batch_size)
    counts["distant supervision"] = distant
    build = RecordsBuild(
        {GOLD: gold_rows, RECORDS: record_rows, DISTANT: dictionary_rows(link_counts)}, counts
    )
    counts["rows"] = {origin: len(build.rows[origin]) for origin in ORIGINS}
    counts["rows"]["all"] = len(build.all_rows)
    counts["ids"] = {origin: len({row[2] for row in build.rows[origin]}) for origin in ORIGINS}
    counts["ids new to the gold corpora"] = len(
        {row[2] for origin in (RECORDS, DISTANT) for row in build.rows[origin]}
        - {row[2] for row in gold_rows}
    )
    return write_dictionary(build.all_rows, Path(out)), build


def _read_indexing(
    engine: Engine, batch_size: int, counts: dict
) -> tuple[Counter[tuple[str, str]], TypeEvidence]:
    """Pass 1: how many records name each (id, name), and the evidence for each id's type."""
    names: Counter[tuple[str, str]] = Counter()
    evidence = TypeEvidence()
    headings: set[str] = set()
    substances: set[str] = set()
    records = indexed = 0
    for doc in iter_documents(engine, batch_size=batch_size, with_annotations=False):
        records += 1
        concepts = record_concepts(doc.meta)
        indexed += bool(concepts)
        evidence.add(concepts)
        for concept in concepts:
            names[concept.ui, concept.name] += 1
        headings.update(m["ui"] for m in doc.meta.get("mesh") or () if m.get("ui"))
        substances.update(c["ui"] for c in doc.meta.get("chemicals") or () if c.get("ui"))
    counts["records"] = records
    counts["records indexed"] = indexed
    counts["distinct descriptors (MeshHeadingList)"] = len(headings)
    counts["distinct substances (ChemicalList)"] = len(substances)
    counts["of them supplementary concepts (C...)"] = sum(ui.startswith("C") for ui in substances)
    return names, evidence


def _name_rows(
    names: Counter[tuple[str, str]], typed: dict[str, tuple[str, str]], gold: ConceptNormaliser
) -> tuple[list[Row], int]:
    """Rows for the typed ids' names (and inverted names in reading order) that the gold
    table does not match already; and how many reading-order forms were added."""
    counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    reordered: set[tuple[str, str]] = set()
    for (ui, name), n in names.items():
        if ui not in typed:
            continue
        label = typed[ui][0]
        for form in written_forms(name):
            if "\t" not in form and gold.lookup(label, form) is None:
                counts[label, form][ui] += n
                if form != name:
                    reordered.add((label, form))
    rows = dictionary_rows(counts)
    inverted = len(reordered)
    return rows, inverted


def _distant_links(
    engine: Engine,
    typed: dict[str, tuple[str, str]],
    known: ConceptNormaliser,
    taggers: Sequence[str] | None,
    batch_size: int,
) -> tuple[dict[tuple[str, str], Counter[str]], dict[str, int]]:
    """Pass 2: link the stored mentions no row matches (once per record and text)."""
    links: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    counts: Counter[str] = Counter()
    for doc in iter_documents(engine, batch_size=batch_size):
        concepts = [c for c in record_concepts(doc.meta) if c.ui in typed]
        by_type: dict[str, list[IndexedConcept]] = defaultdict(list)
        for concept in concepts:
            by_type[typed[concept.ui][0]].append(concept)
        mentions = {(e.label, e.text) for e in doc.entities if _tagged(e, taggers)}
        for label, text in sorted(mentions):
            counts["mentions (distinct per record)"] += 1
            if known.lookup(label, text) is not None:
                counts["matched by gold or record names"] += 1
                continue
            found = matching_concepts(text, by_type.get(label, ()))
            if len(found) == 1:
                links[label, text][found[0].ui] += 1
                counts[f"linked ({found[0].how})"] += 1
            elif found:
                counts["left: several concepts match"] += 1
            else:
                counts["left: no concept matches"] += 1
    return links, dict(sorted(counts.items()))


def _tagged(entity: Entity, taggers: Sequence[str] | None) -> bool:
    if entity.label not in TYPES:
        return False
    if taggers is None:
        return True
    source = entity.source or ""
    return source in taggers or source.split("@")[0] in taggers


def origin_accuracy(build: RecordsBuild, docs: Iterable[Document]) -> dict[str, dict[str, int]]:
    """On gold mentions (gold spans and types): how many each origin's rows decide by exact
    or normalised lookup (the first origin that matches decides, as in the built table) and
    how many of those get the gold id."""
    tables = [(origin, ConceptNormaliser(build.rows[origin])) for origin in ORIGINS]
    decided: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for doc in docs:
        for e in doc.entities:
            gold = gold_concept(e.concept_id)
            if gold is None:
                continue
            for origin, table in tables:
                match = table.lookup(e.label, e.text)
                if match is not None:
                    decided[origin] += 1
                    right[origin] += match.concept_id == gold
                    break
    return {origin: {"decided": decided[origin], "right": right[origin]} for origin in ORIGINS}
