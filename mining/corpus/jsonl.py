"""JSON Lines: one document object per line; read and write, round-tripping everything.

``{"id", "title", "abstract", <meta keys>..., "entities": [...], "relations": [...]}``:
keys other than these are the document's meta; ``pmid`` stands in for a missing ``id``.
Entities are ``{"start", "end", "text", "label", "concept_id", "score", "source"}`` and
relations ``{"head", "tail", "label", "score", "evidence", "source", "head_mention",
"tail_mention"}`` (mentions as entity objects or null), as ``write_jsonl`` writes them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from mining.corpus.open_source import Source, iter_lines, reader
from mining.corpus.records import namespaced_id, span_error
from mining.errors import InputError, OnError, report
from mining.types import Document, Entity, Relation

NAMESPACE = "jsonl"
_DOC_KEYS = frozenset({"id", "title", "abstract", "entities", "relations"})
_ENTITY_KEYS = ("start", "end", "text", "label", "concept_id", "score", "source")
_RELATION_KEYS = ("head", "tail", "label", "score", "evidence", "source")


class _BadRecord(ValueError):
    """A line that is JSON but not a document as this format defines it."""


@reader
def read_jsonl(
    source: Source, on_error: OnError = None, name: str | None = None
) -> Iterator[Document]:
    """Documents, one per line; a bad line (not JSON, not a document, a mention whose offsets
    do not give its text) is reported with its line number (and, for JSON, the column) and
    skipped whole.

    Bytes that are not UTF-8 are one behaviour wherever they sit, in the first kilobyte that
    format detection looks at or deep in the file: each is replaced with U+FFFD and the record
    is kept, with one warning naming the file and line. Refusing the record would lose a whole
    abstract over one mis-encoded character (a Latin-1 "é" in an author name, typically);
    replacing keeps the text, its offsets (one character per bad byte) and says where to look.
    """
    for number, line in iter_lines(source, name, on_error):
        if not line.strip():
            continue
        try:
            yield _document(json.loads(line))
        except json.JSONDecodeError as exc:
            # Each line is parsed alone, so json's own line is always 1: say the file line.
            message = f"malformed JSON: {exc.msg} at column {exc.colno} (char {exc.pos})"
            report(InputError(name, message, number), on_error)
        except _BadRecord as exc:
            report(InputError(name, str(exc), number), on_error)


def _document(obj: Any) -> Document:
    if not isinstance(obj, dict):
        raise _BadRecord("a line must hold a JSON object")
    obj = dict(obj)
    raw_id = obj.pop("id", None)
    raw_id = obj.pop("pmid") if raw_id is None and "pmid" in obj else raw_id
    title, abstract = obj.pop("title", None), obj.pop("abstract", "") or ""
    if raw_id is None or not isinstance(title, str) or not isinstance(abstract, str):
        raise _BadRecord("a document needs an id and a string title (and string abstract)")
    entities, relations = obj.pop("entities", None) or [], obj.pop("relations", None) or []
    doc = Document(namespaced_id(str(raw_id), NAMESPACE), title, abstract, meta=obj)
    doc.entities = [_entity(doc, e) for e in entities]
    doc.relations = [_relation(doc, r) for r in relations]
    return doc


def _entity(doc: Document, obj: Any) -> Entity:
    try:
        entity = Entity(doc.id, **{k: obj[k] for k in _ENTITY_KEYS if k in obj})
    except (TypeError, KeyError) as exc:
        raise _BadRecord(f"{doc.id}: bad entity {obj!r} ({exc})") from None
    typed = (entity.start, int), (entity.end, int), (entity.text, str), (entity.label, str)
    if not all(isinstance(value, kind) for value, kind in typed):
        raise _BadRecord(f"{doc.id}: entity {obj!r} needs integer offsets and string text/label")
    problem = span_error(doc.text, entity.start, entity.end, entity.text)
    if problem:
        raise _BadRecord(f"{doc.id}: {problem}")
    return entity


def _relation(doc: Document, obj: Any) -> Relation:
    try:
        fields = {k: obj[k] for k in _RELATION_KEYS if k in obj}
        mentions = {k: obj.get(k) for k in ("head_mention", "tail_mention")}
        relation = Relation(doc.id, **fields)
    except (TypeError, KeyError, AttributeError) as exc:
        raise _BadRecord(f"{doc.id}: bad relation {obj!r} ({exc})") from None
    if relation.evidence is not None:
        relation.evidence = tuple(relation.evidence)  # JSON has no tuples
    relation.head_mention, relation.tail_mention = (
        _entity(doc, m) if m is not None else None for m in mentions.values()
    )
    return relation


def write_jsonl(docs: Iterable[Document], out: TextIO) -> int:
    """Write one JSON object per document; returns how many were written."""
    count = 0
    for doc in docs:
        out.write(json.dumps(document_record(doc), ensure_ascii=False) + "\n")
        count += 1
    return count


def document_record(doc: Document) -> dict[str, Any]:
    """The JSON object of a document (meta keys at the top level)."""
    clash = _DOC_KEYS & doc.meta.keys()
    if clash:
        raise ValueError(f"{doc.id}: meta keys {sorted(clash)} would hide document fields")
    record: dict[str, Any] = {"id": doc.id, "title": doc.title, "abstract": doc.abstract}
    record.update(doc.meta)
    if doc.entities:
        record["entities"] = [_entity_record(e) for e in doc.entities]
    if doc.relations:
        record["relations"] = [_relation_record(r) for r in doc.relations]
    return record


def _entity_record(entity: Entity) -> dict[str, Any]:
    return {k: getattr(entity, k) for k in _ENTITY_KEYS}


def _relation_record(relation: Relation) -> dict[str, Any]:
    record = {k: getattr(relation, k) for k in _RELATION_KEYS}
    for key in ("head_mention", "tail_mention"):
        mention = getattr(relation, key)
        record[key] = _entity_record(mention) if mention is not None else None
    return record
