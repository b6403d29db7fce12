"""ChemProt (BioCreative VI CHEMPROT track): a folder of tab-separated files -> Documents.

A split folder holds four files, found by name pattern (the test split adds ``_gs``)::

    *_abstracts*.tsv       PMID  title  abstract
    *_entities*.tsv        PMID  T1  CHEMICAL|GENE-Y|GENE-N  start  end  text
    *_gold_standard*.tsv   PMID  CPR:4  Arg1:T1  Arg2:T7
    *_relations*.tsv       all annotated relations (CPR:0..10, fine types): not read

Offsets index ``title + " " + abstract``, end exclusive: ``Document.text`` as it is. The
gold standard holds the evaluated relations (CPR:3/4/5/6/9), the benchmark's target, so those
become the gold relations; Arg1 is the chemical and Arg2 the gene/protein. ChemProt's types
are mapped onto the store's labels (Chemical, Gene); the original type and term id of each
entity stay in ``meta["chemprot_entities"]``, so GENE-Y (normalisable) and GENE-N are not lost.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mining.corpus.open_source import READ_ERRORS, iter_lines, read_error, reader
from mining.corpus.records import checked_entity, namespaced_id
from mining.entity_types import store_type
from mining.errors import InputError, OnError, report
from mining.types import GOLD, Document, Entity, Relation

NAMESPACE = "chemprot"
TYPES = ("CHEMICAL", "GENE-Y", "GENE-N")  # the corpus's; store types by store_type
ENTITIES_META = "chemprot_entities"  # [{"term", "type", "start", "end"}], as doc.entities

_ABSTRACTS, _ENTITIES, _GOLD = "*_abstracts*.tsv", "*_entities*.tsv", "*_gold_standard*.tsv"
_ARGUMENTS = (("Arg1:", "Chemical"), ("Arg2:", "Gene"))

# A line kept for later: (file, line number, tab-separated fields).
_Line = tuple[str, int, list[str]]


@dataclass
class _Terms:
    """One abstract's entities by term id, and the term ids whose lines were skipped (so a
    relation to one is reported as such, not as a term the file never named)."""

    by_term: dict[str, Entity] = field(default_factory=dict)
    skipped: set[str] = field(default_factory=set)


@reader
def read_chemprot(
    folder: str | os.PathLike[str], on_error: OnError = None, name: str | None = None
) -> Iterator[Document]:
    """One Document per abstract, in file order, with gold entities and gold-standard
    relations. A folder without an abstracts or entities file is one error naming it; bad
    lines are reported (file and line) and skipped, and the rest goes on."""
    files = _split_files(Path(folder), name, on_error)
    if files is None:
        return
    abstracts, entities_file, gold_file = files
    # The abstracts stream; the entity and relation files are small (about 1 MB and 0.1 MB a
    # split) and in no particular order against it, so they are held grouped by PMID.
    entities = _grouped(entities_file, on_error)
    relations = _grouped(gold_file, on_error) if gold_file is not None else {}
    seen: set[str] = set()
    name_abstracts = str(abstracts)
    try:
        for number, line in iter_lines(abstracts, name_abstracts, on_error):
            read = _document(line, (name_abstracts, number), seen, on_error)
            if read is None:
                continue
            pmid, doc = read
            terms = _add_entities(doc, entities.pop(pmid, []), on_error)
            _add_relations(doc, terms, relations.pop(pmid, []), on_error)
            yield doc
    except READ_ERRORS as exc:
        report(read_error(name_abstracts, exc), on_error)
    _report_orphans(entities, "entity", on_error)
    _report_orphans(relations, "relation", on_error)


def _split_files(
    folder: Path, name: str, on_error: OnError
) -> tuple[Path, Path, Path | None] | None:
    """The abstracts, entities and (optional) gold-standard files; None after reporting a
    folder that lacks one it needs or holds two that fit one pattern."""
    if not folder.is_dir():
        why = "no such folder" if not folder.exists() else "not a folder"
        report(InputError(name, f"{why} (a ChemProt split folder is expected)"), on_error)
        return None
    matches = {
        pattern: sorted(p for p in folder.glob(pattern) if p.is_file())
        for pattern in (_ABSTRACTS, _ENTITIES, _GOLD)
    }
    problems = []
    for pattern, paths in matches.items():
        if len(paths) > 1:
            problems.append(f"several {pattern} files ({', '.join(p.name for p in paths)})")
        elif not paths and pattern != _GOLD:  # no gold standard: documents without relations
            problems.append(f"no {pattern} file")
    if problems:
        report(InputError(name, f"not a ChemProt split folder: {'; '.join(problems)}"), on_error)
        return None
    gold = matches[_GOLD]
    return matches[_ABSTRACTS][0], matches[_ENTITIES][0], gold[0] if gold else None


def _grouped(path: Path, on_error: OnError) -> dict[str, list[_Line]]:
    """The file's non-blank lines by PMID (first field), in file order."""
    name = str(path)
    groups: dict[str, list[_Line]] = defaultdict(list)
    try:
        for number, line in iter_lines(path, name, on_error):
            if line.strip():
                fields = line.split("\t")
                groups[fields[0].strip()].append((name, number, fields))
    except READ_ERRORS as exc:
        report(read_error(name, exc), on_error)
    return groups


def _document(
    line: str, where: tuple[str, int], seen: set[str], on_error: OnError
) -> tuple[str, Document] | None:
    """(PMID, Document) of an abstracts line; None for a blank line or after reporting."""
    if not line.strip():
        return None
    fields = line.split("\t")
    if len(fields) != 3:
        return _problem(where, f"{len(fields)} columns, not 3 (PMID, title, abstract)", on_error)
    pmid = fields[0].strip()
    if not pmid:
        return _problem(where, "no PMID", on_error)
    if pmid in seen:
        return _problem(where, f"PMID {pmid} again; the first abstract is kept", on_error)
    seen.add(pmid)
    return pmid, Document(namespaced_id(pmid, NAMESPACE), fields[1], fields[2])


def _add_entities(doc: Document, lines: list[_Line], on_error: OnError) -> _Terms:
    """Check and add the abstract's entities, sorted by offset, with their ChemProt type and
    term id in meta (in the same order)."""
    text, terms = doc.text, _Terms()
    kept: list[tuple[Entity, dict[str, Any]]] = []
    for name, number, fields in lines:
        problem = _entity_problem(fields, terms)
        if problem is None:
            _, term, kind, start, end, mention = fields
            entity = checked_entity(
                doc.id,
                text,
                (int(start), int(end), mention, store_type(kind.strip()), None),
                (name, number),
                on_error,
            )
            if entity is not None:
                terms.by_term[term.strip()] = entity
                info = {"term": term.strip(), "type": kind.strip()}
                kept.append((entity, info | {"start": entity.start, "end": entity.end}))
                continue
        else:
            report(InputError(name, f"{doc.id}: {problem}; skipped", number), on_error)
        if len(fields) > 1:
            terms.skipped.add(fields[1].strip())
    kept.sort(key=lambda pair: (pair[0].start, pair[0].end))  # stable: file order on ties
    doc.entities = [entity for entity, _ in kept]
    doc.meta[ENTITIES_META] = [info for _, info in kept]
    return terms


def _entity_problem(fields: list[str], terms: _Terms) -> str | None:
    if len(fields) != 6:
        return f"entity line with {len(fields)} columns, not 6"
    _, term, kind, start, end, _ = fields
    if kind.strip() not in TYPES:
        return f"entity type {kind.strip()!r} is not one of {', '.join(TYPES)}"
    if not (_is_offset(start) and _is_offset(end)):
        return f"offsets {start!r} {end!r} are not numbers"
    if term.strip() in terms.by_term:
        return f"term {term.strip()} named twice"
    return None


def _is_offset(field: str) -> bool:
    return field.isascii() and field.isdigit()


def _add_relations(doc: Document, terms: _Terms, lines: list[_Line], on_error: OnError) -> None:
    for name, number, fields in lines:
        relation = _relation(doc.id, fields, terms)
        if isinstance(relation, str):
            report(InputError(name, f"{doc.id}: {relation}; skipped", number), on_error)
        else:
            doc.relations.append(relation)


def _relation(doc_id: str, fields: list[str], terms: _Terms) -> Relation | str:
    """The gold relation of a gold-standard line, or the problem with it."""
    if len(fields) != 4:
        return f"relation line with {len(fields)} columns, not 4 (PMID, CPR group, Arg1, Arg2)"
    label = fields[1].strip()
    if not label:
        return "relation without a CPR group"
    mentions = []
    for raw, (prefix, expected) in zip(fields[2:], _ARGUMENTS, strict=True):
        raw = raw.strip()
        term = raw.removeprefix(prefix)
        if term == raw or not term:
            return f"argument {raw!r} is not {prefix}T<n>"
        entity = terms.by_term.get(term)
        if entity is None:
            why = "whose entity line was skipped" if term in terms.skipped else "not an entity"
            return f"relation names term {term}, {why}"
        if entity.label != expected:
            return f"{prefix.rstrip(':')} {term} is a {entity.label}, not a {expected}"
        mentions.append(entity)
    head, tail = mentions
    return Relation(
        doc_id,
        head.text,
        tail.text,
        label,
        score=1.0,
        evidence=None,
        source=GOLD,
        head_mention=head,
        tail_mention=tail,
    )


def _report_orphans(groups: dict[str, list[_Line]], kind: str, on_error: OnError) -> None:
    """Lines of PMIDs that have no abstract: never dropped silently."""
    for pmid, lines in groups.items():
        for name, number, _ in lines:
            message = f"{kind} of PMID {pmid}, which has no abstract; skipped"
            report(InputError(name, message, number), on_error)


def _problem(where: tuple[str, int], message: str, on_error: OnError) -> None:
    name, number = where
    report(InputError(name, f"{message}; skipped", number), on_error)
