"""One BioC document, in the BioC JSON layout of plain dicts, to and from a Document.

Shared by the BioC XML reader/writer and the BioC JSON reader, which only translate their
syntax to and from this layout::

    {"id", "infons", "passages": [{"infons", "offset", "text",
        "annotations": [{"id", "infons", "text", "locations": [{"offset", "length"}]}],
        "relations": [...]}],
     "relations": [{"id", "infons", "nodes": [{"refid", "role"}]}]}

BioC offsets are document offsets: each passage's text starts at its own ``offset``. The
passage typed ``title`` (else the first) becomes the title and the others, joined by a
space, the abstract; every offset is mapped through its passage into ``Document.text``,
never assumed. Composite mentions: annotations with infon ``CompositeRole`` =
``IndividualMention`` are the parts of the composite annotation before them (BC5CDR) and go
to ``meta["individual_mentions"]``, so the entities are the same as PubTator's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mining.corpus.records import (
    INDIVIDUAL_MENTIONS,
    checked_entity,
    concept_or_none,
    external_id,
    namespaced_id,
)
from mining.errors import InputError, OnError, report
from mining.types import GOLD, Document, Entity, Relation

NAMESPACE = "bioc"
LINE = "_line"  # where an XML reader found an item; not part of BioC
_TITLE_TYPES = frozenset({"title", "front"})
_CONCEPT_KEYS = ("identifier", "MESH", "mesh", "concept_id", "Identifier")
_ROLE = "CompositeRole"
_NOT_ARGUMENTS = frozenset({"relation", "type", "score", "role1", "role2", "evidence"})


@dataclass
class _Reading:
    """What turning one BioC document into a Document needs to hand around."""

    doc: Document
    name: str
    on_error: OnError
    by_annotation_id: dict[str, Entity] = field(default_factory=dict)
    text: str = ""  # doc.text once laid out (the property builds a new string each call)

    def problem(self, message: str, item: dict[str, Any] | None = None) -> None:
        line = item.get(LINE) if item else None
        report(InputError(self.name, f"{self.doc.id}: {message}", line), self.on_error)


def document_from_bioc(raw: dict[str, Any], name: str, on_error: OnError) -> Document | None:
    """The Document of one BioC document; None (reported) when it has no usable id or text."""
    raw_id = raw.get("id", raw.get("pmid"))
    passages = raw.get("passages") or []
    if raw_id is None or not passages:
        what = "no id" if raw_id is None else "no passages"
        report(
            InputError(name, f"BioC document {raw_id or ''} has {what}", raw.get(LINE)), on_error
        )
        return None
    doc = Document(namespaced_id(str(raw_id), NAMESPACE), "")
    doc.meta.update(raw.get("infons") or {})
    reading = _Reading(doc, name, on_error)
    placed = _lay_out(passages, reading)
    if placed is None:
        return None
    for passage, start in placed:
        _read_annotations(passage, start, reading)
    for rel in [*raw.get("relations", []), *(r for p in passages for r in p.get("relations", []))]:
        relation = _relation(rel, reading)
        if relation is not None:
            doc.relations.append(relation)
    return doc


def _lay_out(passages: list[dict], reading: _Reading) -> list[tuple[dict, int]] | None:
    """Set title and abstract; each passage with where its text starts in Document.text."""
    for passage in passages:
        if passage.get("sentences") and passage.get("text") is None:
            reading.problem("passages split into sentences are not supported; skipped", passage)
            return None
    title_at = next((i for i, p in enumerate(passages) if _passage_type(p) in _TITLE_TYPES), 0)
    rest = [p for i, p in enumerate(passages) if i != title_at]
    title = passages[title_at].get("text") or ""
    placed, cursor, pieces = [(passages[title_at], 0)], len(title) + 1, []
    for passage in rest:
        placed.append((passage, cursor))
        pieces.append(passage.get("text") or "")
        cursor += len(pieces[-1]) + 1
    reading.doc.title, reading.doc.abstract = title, " ".join(pieces)
    reading.text = reading.doc.text
    return placed


def _passage_type(passage: dict) -> str:
    infons = passage.get("infons") or {}
    return str(infons.get("type") or infons.get("section_type") or "").lower()


def _read_annotations(passage: dict, start: int, reading: _Reading) -> None:
    """Entities of one passage, and composite parts into meta."""
    shift = start - _int(passage.get("offset"), 0)
    composite: dict | None = None  # meta entry of the last composite mention
    for ann in passage.get("annotations") or []:
        infons = ann.get("infons") or {}
        spans = _spans(ann, shift, reading)
        if spans is None:
            continue
        if infons.get(_ROLE) == "IndividualMention":
            _add_part(composite, ann, spans, reading)
            continue
        entity = _entity(ann, spans, reading)
        if entity is None:
            continue
        reading.doc.entities.append(entity)
        if ann.get("id") is not None:
            reading.by_annotation_id[str(ann["id"])] = entity
        if infons.get(_ROLE) == "CompositeMention":
            composite = {"start": entity.start, "end": entity.end, "parts": []}


def _spans(ann: dict, shift: int, reading: _Reading) -> list[list[int]] | None:
    spans = []
    for loc in ann.get("locations") or []:
        offset, length = _int(loc.get("offset")), _int(loc.get("length"))
        if offset is None or length is None:
            reading.problem(f"annotation {ann.get('id')} has a bad location {loc}", ann)
            return None
        spans.append([offset + shift, offset + shift + length])
    return spans


def _entity(ann: dict, spans: list[list[int]], reading: _Reading) -> Entity | None:
    infons = ann.get("infons") or {}
    label = infons.get("type")
    if not label or len(spans) != 1:
        why = "no type" if not label else f"{len(spans)} locations (one contiguous span needed)"
        reading.problem(f"annotation {ann.get('id')} has {why}; skipped", ann)
        return None
    (start, end), text = spans[0], reading.text
    mention = ann.get("text")
    fields = (start, end, text[start:end] if mention is None else mention, str(label), None)
    entity = checked_entity(
        reading.doc.id, text, fields, (reading.name, ann.get(LINE)), reading.on_error
    )
    if entity is not None:
        entity.concept_id = concept_or_none(_first(infons, _CONCEPT_KEYS))
        entity.score = _float(infons.get("score"), 1.0)
    return entity


def _add_part(composite: dict | None, ann: dict, spans: list[list[int]], reading: _Reading) -> None:
    """An individual mention of the composite before it: its text, concept and spans (spans
    that do not give its text are reported and dropped; the text is kept)."""
    if composite is None:
        reading.problem(f"individual mention {ann.get('id')} follows no composite mention", ann)
        return
    part: dict[str, Any] = {"text": ann.get("text") or ""}
    concept = concept_or_none(_first(ann.get("infons") or {}, _CONCEPT_KEYS))
    if concept is not None:
        part["concept_id"] = concept
    if spans:
        problem = _parts_error(reading.text, spans, part["text"], composite)
        if problem:
            reading.problem(f"individual mention {ann.get('id')}: {problem}; spans dropped", ann)
        else:
            part["spans"] = spans
    if not composite["parts"]:
        reading.doc.meta.setdefault(INDIVIDUAL_MENTIONS, []).append(composite)
    composite["parts"].append(part)


def _parts_error(text: str, spans: list[list[int]], mention: str, composite: dict) -> str | None:
    if not all(composite["start"] <= s < e <= composite["end"] for s, e in spans):
        return f"spans {spans} leave the composite mention {composite['start']}-{composite['end']}"
    joined = " ".join(text[s:e] for s, e in spans)
    return None if joined == mention else f"its spans give {joined!r}, not {mention!r}"


def _relation(rel: dict, reading: _Reading) -> Relation | None:
    """A relation from its infons (BC5CDR: relation=CID, Chemical, Disease; PubTator3: type,
    role1, role2) and/or its nodes (annotation ids, which also give the mentions)."""
    infons = rel.get("infons") or {}
    label = infons.get("relation") or infons.get("type")
    nodes = [_node(n, reading) for n in rel.get("nodes") or []]
    heads = _argument_infons(infons)
    if len(heads) != 2:
        heads = [concept for concept, _ in nodes]
    if not label or len(heads) != 2:
        reading.problem(f"relation {rel.get('id')} needs a label and two arguments; skipped", rel)
        return None
    mentions = [n[1] for n in nodes] if len(nodes) == 2 else [None, None]
    return Relation(
        reading.doc.id,
        heads[0],
        heads[1],
        str(label),
        score=_float(infons.get("score"), 1.0),
        source=GOLD,
        head_mention=mentions[0],
        tail_mention=mentions[1],
    )


def _argument_infons(infons: dict) -> list[str]:
    if "role1" in infons and "role2" in infons:
        return [_role_concept(infons["role1"]), _role_concept(infons["role2"])]
    return [str(v) for k, v in infons.items() if k not in _NOT_ARGUMENTS]


def _role_concept(role: Any) -> str:
    # PubTator3 gives {"identifier", "type", "name"}; plain BioC a string.
    if isinstance(role, dict):
        return str(role.get("identifier") or role.get("name") or "")
    return str(role)


def _node(node: dict, reading: _Reading) -> tuple[str, Entity | None]:
    """(concept, mention) of a node: its annotation when the refid names one, else the
    refid itself is the concept (as the ``bioc`` package writes PubTator relations)."""
    refid = str(node.get("refid", ""))
    entity = reading.by_annotation_id.get(refid)
    if entity is None:
        return refid, None
    return entity.concept_id or entity.text.lower(), entity


def _first(infons: dict, keys: tuple[str, ...]) -> Any:
    return next((infons[k] for k in keys if k in infons), None)


def _int(value: Any, default: int | None = None) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _float(value: Any, default: float) -> float:
    if value is None:
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def document_to_bioc(doc: Document) -> dict[str, Any]:
    """A Document in the BioC layout: title passage at offset 0, abstract at len(title) + 1,
    so BioC offsets equal Document.text offsets. Meta values that are not scalars (other
    than the individual mentions) and relation evidence have no place in BioC."""
    title_end = len(doc.title) + 1
    passages = [_passage("title", 0, doc.title)]
    if doc.abstract:
        passages.append(_passage("abstract", title_end, doc.abstract))
    ids: dict[tuple, str] = {}  # mention key -> annotation id, for relation nodes
    parts = {(m["start"], m["end"]): m["parts"] for m in doc.meta.get(INDIVIDUAL_MENTIONS, [])}
    for n, entity in enumerate(doc.entities):
        target = passages[0] if entity.start < title_end or len(passages) == 1 else passages[1]
        ids.setdefault(_mention_key(entity), str(n))
        individual = parts.pop((entity.start, entity.end), None)
        target["annotations"].append(_annotation(str(n), entity, bool(individual)))
        for k, part in enumerate(individual or []):
            target["annotations"].append(_part_annotation(f"{n}.{k}", entity, part))
    types = _concept_types(doc)
    return {
        "id": external_id(doc.id),
        "infons": {k: str(v) for k, v in doc.meta.items() if isinstance(v, str | int | float)},
        "passages": passages,
        "relations": [_bioc_relation(f"R{n}", r, types, ids) for n, r in enumerate(doc.relations)],
    }


def _mention_key(entity: Entity) -> tuple:
    return entity.start, entity.end, entity.label, entity.concept_id


def _passage(kind: str, offset: int, text: str) -> dict[str, Any]:
    return {"infons": {"type": kind}, "offset": offset, "text": text, "annotations": []}


def _annotation(ann_id: str, entity: Entity, composite: bool) -> dict[str, Any]:
    infons = {"type": entity.label}
    if composite:
        infons[_ROLE] = "CompositeMention"
    if entity.concept_id is not None:
        infons["identifier"] = entity.concept_id
    if entity.score != 1.0:
        infons["score"] = repr(entity.score)
    location = {"offset": entity.start, "length": entity.end - entity.start}
    return {"id": ann_id, "infons": infons, "text": entity.text, "locations": [location]}


def _part_annotation(ann_id: str, composite: Entity, part: dict[str, Any]) -> dict[str, Any]:
    infons = {"type": composite.label, _ROLE: "IndividualMention"}
    if part.get("concept_id") is not None:
        infons["identifier"] = part["concept_id"]
    locations = [{"offset": s, "length": e - s} for s, e in part.get("spans", [])]
    return {"id": ann_id, "infons": infons, "text": part["text"], "locations": locations}


def _bioc_relation(rel_id: str, rel: Relation, types: dict[str, str], ids: dict) -> dict:
    """Arguments named after their entity types where both are known and differ (BC5CDR's
    Chemical/Disease), else role1/role2; mentions, when present, as nodes."""
    keys = (types.get(rel.head), types.get(rel.tail))
    if None in keys or keys[0] == keys[1] or set(keys) & _NOT_ARGUMENTS:
        keys = ("role1", "role2")
    infons = {"relation": rel.label, keys[0]: rel.head, keys[1]: rel.tail}
    if rel.score != 1.0:
        infons["score"] = repr(rel.score)
    mentions = [
        ids.get(_mention_key(m)) if m else None for m in (rel.head_mention, rel.tail_mention)
    ]
    nodes = [{"refid": ref, "role": role} for ref, role in zip(mentions, keys, strict=True) if ref]
    return {"id": rel_id, "infons": infons, "nodes": nodes if len(nodes) == 2 else []}


def _concept_types(doc: Document) -> dict[str, str]:
    types: dict[str, str] = {}
    for e in doc.entities:
        for concept in (e.concept_id or "").split("|"):
            types.setdefault(concept, e.label)
    types.pop("", None)
    return types
