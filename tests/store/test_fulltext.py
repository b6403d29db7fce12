"""Ranked full-text search on both databases; user text never breaks the query."""

from __future__ import annotations

import pytest

from mining.errors import BioMineError
from mining.store.fulltext import search_documents
from mining.store.write_documents import store_documents
from mining.types import Document

DOCS = [
    Document("pmid:1", "Haloperidol and tardive dyskinesia", "A cohort of 200 patients."),
    Document("pmid:2", "Antipsychotic drugs", "Haloperidol was associated with dyskinesia."),
    Document("pmid:3", "Interleukin signalling", "IL-2 receptor expression rose after dosing."),
    Document("pmid:4", "Unrelated", "Nothing about those drugs here; 5-HT levels were normal."),
]


@pytest.fixture
def filled(engine):
    store_documents(engine, DOCS)
    return engine


def test_title_matches_rank_above_abstract_matches(filled):
    hits = search_documents(filled, "haloperidol dyskinesia")
    assert [hit.doc_id for hit in hits] == ["pmid:1", "pmid:2"]
    assert hits[0].score > hits[1].score
    assert "[" in hits[1].snippet  # matches are marked in the snippet


def test_every_word_must_match(filled):
    assert [hit.doc_id for hit in search_documents(filled, "haloperidol cohort")] == ["pmid:1"]


def test_stemming_finds_inflected_forms(filled):
    assert {hit.doc_id for hit in search_documents(filled, "drug")} >= {"pmid:2", "pmid:4"}


@pytest.mark.parametrize("query", ["IL-2", '"IL-2" receptor', "5-HT", "IL-2 AND (", "NOT"])
def test_punctuation_and_operators_never_raise(filled, query):
    hits = search_documents(filled, query)
    assert all(hit.doc_id in {"pmid:3", "pmid:4"} for hit in hits)


def test_il2_is_found(filled):
    assert [hit.doc_id for hit in search_documents(filled, "IL-2")] == ["pmid:3"]


def test_limit_and_empty_query(filled):
    assert len(search_documents(filled, "haloperidol", limit=1)) == 1
    with pytest.raises(BioMineError):
        search_documents(filled, "   ")


# The same answers on SQLite and PostgreSQL (each case runs on both through `engine`).
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("!!!", []),
        ("-- ; () ?", []),
        ("the", []),  # stop words alone match nothing
        ("<b>haloperidol</b>", ["pmid:1", "pmid:2"]),  # tags are not words
        ("<haloperidol>", []),  # a tag and nothing else
        ('"tardive dyskinesia"', ["pmid:1"]),
        ('"dyskinesia tardive"', []),
        ("haloperidol and dyskinesia", ["pmid:1", "pmid:2"]),
        ("IL-2", ["pmid:3"]),
        ("5-HT", ["pmid:4"]),
        ("receptor IL-2", ["pmid:3"]),
        ("IL-3", []),
    ],
)
def test_both_backends_agree(filled, query, expected):
    assert [hit.doc_id for hit in search_documents(filled, query)] == expected
