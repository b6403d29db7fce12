"""Bulk writes are idempotent, versions replace, deletions cascade — on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select

from mining.store.fulltext import search_documents
from mining.store.read_documents import iter_documents
from mining.store.schema import concepts, documents, entities, relations
from mining.store.write_annotations import replace_annotations
from mining.store.write_documents import store_documents
from mining.types import Deletion, Document, Entity, Relation


def make_doc(pmid: int, version: int = 1, title: str | None = None, gold: bool = True) -> Document:
    doc_id = f"pmid:{pmid}"
    title = title or f"Cisplatin nephrotoxicity study {pmid}"
    doc = Document(
        doc_id, title, "Cisplatin caused acute kidney injury in rats.", {"version": version}
    )
    if gold:
        start = len(title) + 1
        doc.entities = [
            Entity(doc_id, start, start + 9, "Cisplatin", "Chemical", "D002945"),
            Entity(doc_id, start + 17, start + 36, "acute kidney injury", "Disease", "D058186"),
        ]
        doc.relations = [Relation(doc_id, "D002945", "D058186", "CID")]
    return doc


def count(engine, table) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def test_insert_then_reingest_changes_nothing(engine):
    docs = [make_doc(i) for i in range(1, 26)]
    first = store_documents(engine, docs, batch_size=10)
    assert (first.inserted, first.entities, first.relations) == (25, 50, 25)
    again = store_documents(engine, [make_doc(i) for i in range(1, 26)], batch_size=7)
    assert (again.inserted, again.replaced, again.unchanged, again.entities) == (0, 0, 25, 0)
    assert (count(engine, documents), count(engine, entities), count(engine, relations)) == (
        25,
        50,
        25,
    )
    assert count(engine, concepts) == 2


def test_gold_offsets_survive_the_round_trip(engine):
    store_documents(engine, [make_doc(7)])
    [doc] = iter_documents(engine)
    assert [doc.text[e.start : e.end] for e in doc.entities] == ["Cisplatin", "acute kidney injury"]
    assert [(r.head, r.tail, r.label) for r in doc.relations] == [("D002945", "D058186", "CID")]


def test_newer_version_replaces_and_drops_derived_rows(engine):
    store_documents(engine, [make_doc(1), make_doc(2)])
    model_entity = Entity("pmid:1", 0, 9, "Cisplatin", "Chemical", None, 0.9, "model-a")
    with engine.begin() as connection:
        replace_annotations(connection, ["pmid:1"], "model-a", [model_entity], [])
    assert count(engine, entities) == 5

    counts = store_documents(engine, [make_doc(1, version=2, title="Revised title", gold=False)])
    assert (counts.replaced, counts.inserted) == (1, 0)
    by_id = {doc.id: doc for doc in iter_documents(engine)}
    assert by_id["pmid:1"].title == "Revised title"
    assert by_id["pmid:1"].entities == []  # stale gold and model rows are gone
    assert len(by_id["pmid:2"].entities) == 2  # other documents untouched
    assert search_documents(engine, "revised")[0].doc_id == "pmid:1"
    assert not [hit for hit in search_documents(engine, "nephrotoxicity") if hit.doc_id == "pmid:1"]


def test_older_version_is_ignored_and_same_version_change_replaces(engine):
    store_documents(engine, [make_doc(1, version=3)])
    older = store_documents(engine, [make_doc(1, version=2, title="Old title")])
    assert older.older == 1
    changed = store_documents(engine, [make_doc(1, version=3, title="Corrected title")])
    assert changed.replaced == 1
    [doc] = iter_documents(engine)
    assert (doc.title, doc.version) == ("Corrected title", 3)


def test_duplicates_within_a_batch_keep_the_newest(engine):
    batch = [make_doc(5, 2, "second"), make_doc(5, 1, "first"), make_doc(5, 2, "last copy")]
    counts = store_documents(engine, batch)
    assert (counts.inserted, counts.duplicates) == (1, 2)
    [doc] = iter_documents(engine)
    assert doc.title == "last copy"


def test_deletion_removes_document_and_annotations(engine):
    store_documents(engine, [make_doc(1), make_doc(2)])
    counts = store_documents(engine, [Deletion("pmid:1"), Deletion("pmid:404")])
    assert counts.deleted == 1
    assert [doc.id for doc in iter_documents(engine)] == ["pmid:2"]
    assert count(engine, entities) == 2 and count(engine, relations) == 1
    assert all(hit.doc_id != "pmid:1" for hit in search_documents(engine, "cisplatin"))


def test_a_deletion_after_a_record_in_the_same_batch_wins(engine):
    counts = store_documents(engine, [make_doc(1), make_doc(2), Deletion("pmid:1")])
    assert counts.inserted == 1
    assert [doc.id for doc in iter_documents(engine)] == ["pmid:2"]


def test_replacing_a_models_rows_is_idempotent(engine):
    store_documents(engine, [make_doc(1, gold=False)])
    head = Entity("pmid:1", 0, 9, "Cisplatin", "Chemical", "D002945", 0.9, "m")
    tail = Entity("pmid:1", 26, 39, "nephrotoxicit", "Disease", None, 0.8, "m")
    relation = Relation("pmid:1", "D002945", "nephro", "CID", 0.7, (0, 40), "m", head, tail)
    for _ in range(2):
        with engine.begin() as connection:
            replace_annotations(connection, ["pmid:1"], "m", [head, tail], [relation])
    assert (count(engine, entities), count(engine, relations)) == (2, 1)
    [doc] = iter_documents(engine)
    [stored] = doc.relations
    assert (stored.head_mention.text, stored.tail_mention.label) == ("Cisplatin", "Disease")
    assert stored.evidence == (0, 40)


def test_iter_documents_pages_through_everything(engine):
    store_documents(engine, [make_doc(i) for i in range(1, 12)])
    ids = [doc.id for doc in iter_documents(engine, batch_size=4)]
    assert ids == [f"pmid:{i}" for i in range(1, 12)]
    only_model = list(iter_documents(engine, sources=["some-model"]))
    assert all(not doc.entities and not doc.relations for doc in only_model)


def test_a_one_megabyte_abstract_is_stored_and_searchable(engine):
    words = " ".join(f"token{i}" for i in range(120_000))  # ~1.1 MB, all distinct words
    huge = Document("pmid:9", "Huge record", words)
    counts = store_documents(engine, [huge, make_doc(10)])
    assert counts.inserted == 2
    [stored] = [doc for doc in iter_documents(engine) if doc.id == "pmid:9"]
    assert len(stored.abstract) == len(words)
    assert [hit.doc_id for hit in search_documents(engine, "token7")] == ["pmid:9"]


def test_a_value_wider_than_the_store_is_refused_by_name(engine):
    import pytest

    from mining.errors import InputError

    wide = make_doc(2)
    wide.entities[0].concept_id = "D" * 600
    errors: list[InputError] = []
    counts = store_documents(
        engine, [make_doc(1), wide, make_doc(3)], source_file="f.jsonl", on_error=errors.append
    )
    assert counts.inserted == 2 and count(engine, documents) == 2
    assert [str(e) for e in errors] == [
        "f.jsonl: record 'pmid:2': concept id is 600 bytes long, the store holds at most 512;"
        " record skipped"
    ]
    with pytest.raises(InputError, match="document id is 300 bytes"):
        store_documents(engine, [make_doc(4), Document("x:" + "a" * 298, "T")])
    assert count(engine, documents) == 2  # the whole batch refused, nothing half-written
