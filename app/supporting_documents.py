"""The documents behind a relation, with their annotations, as PubTator or BioC JSON files
(the formats `biomine export` writes and PubTator3 offers), built from the read API's views."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable

from mining.corpus.bioc_document import document_to_bioc
from mining.corpus.pubtator import write_pubtator
from mining.store.queries import DocumentView
from mining.types import Document, Entity, Relation


def as_document(view: DocumentView) -> Document:
    """A stored document back as the shared Document type, with its entities and relations
    (each relation pointing at the mentions it was read from)."""
    meta = dict(view.meta)
    for key, value in (("year", view.year), ("journal", view.journal)):
        if value is not None:
            meta.setdefault(key, value)
    doc = Document(view.id, view.title, view.abstract, meta=meta)
    mentions = {
        e.id: Entity(view.id, e.start, e.end, e.text, e.label, e.concept_id, e.score, e.source)
        for e in view.entities
    }
    doc.entities = list(mentions.values())
    doc.relations = [
        Relation(
            view.id,
            r.head,
            r.tail,
            r.label,
            r.score,
            (r.evidence.start, r.evidence.end) if r.evidence else None,
            r.source,
            mentions.get(r.head_entity_id) if r.head_entity_id is not None else None,
            mentions.get(r.tail_entity_id) if r.tail_entity_id is not None else None,
        )
        for r in view.relations
    ]
    return doc


def pubtator(views: Iterable[DocumentView]) -> str:
    out = io.StringIO()
    write_pubtator((as_document(v) for v in views), out)
    return out.getvalue()


def bioc_json(views: Iterable[DocumentView]) -> str:
    """A BioC JSON collection (the layout PubTator3's API returns)."""
    documents = [document_to_bioc(as_document(v)) for v in views]
    return json.dumps({"source": "BioMine", "documents": documents}, ensure_ascii=False)
