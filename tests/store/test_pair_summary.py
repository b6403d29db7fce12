"""The Relations summary (relation_pairs, relation_pair_rows) stays exact through every write,
and relation_pairs read from it returns what summing the relations table returns, whatever
the filters, the sort, the page size and the way it is read (pair totals, rows summed
directly, the chunked scan, the scan falling back)."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import func, select

from mining.store import pair_ranking
from mining.store.database import _alembic_config, open_database
from mining.store.processed import write_results
from mining.store.queries import SORTS, relation_filters, relation_pairs
from mining.store.schema import concepts, entities
from mining.store.write_documents import store_documents
from mining.types import Document, Relation
from tests.store.random_relations import JOURNALS, NER, RE1, RE2, build_steps
from tests.store.relations_reference import (
    expected_rows,
    expected_summary,
    reference_pairs,
    stored_rows,
    stored_summary,
)

FILTERS = [
    {},
    {"labels": ["CID"]},
    {"head_types": ["Chemical"]},
    {"tail_types": ["Disease", "Drug"]},
    {"head_types": ["Gene"]},
    {"concept": "D001"},
    {"concept": "X001"},
    {"concept": "text:Chemical:zorbamycin"},
    {"min_score": 0.5},
    {"years": (1998, 2001)},
    {"years": (None, 1999)},
    {"years": (2003, None)},
    {"journals": [JOURNALS[0]]},
    {"journals": list(JOURNALS[1:])},
    {"sources": [RE1]},
    {"sources": ["gold"]},
    {"sources": [RE1, RE2]},
    {"min_score": 0.3, "journals": [JOURNALS[1]], "labels": ["treats"]},
    {"head_types": ["Chemical"], "years": (1996, 2004), "sources": [RE2, "gold"]},
]

# How relation_pairs is made to read: (FEW_ROWS, SCAN_ROWS, FIRST_CHUNK).
WAYS = {
    "as shipped": (pair_ranking.FEW_ROWS, pair_ranking.SCAN_ROWS, pair_ranking.FIRST_CHUNK),
    "rows summed directly": (10**9, 10**9, 2),
    "chunked scan": (0, 10**9, 2),
    "scan falling back": (0, 5, 2),
}


def _comparable(rows):
    """Rows with the mean rounded: it is a float sum, added up in another order."""
    return [
        (
            r.head, r.head_name, r.head_type, r.tail, r.tail_name, r.tail_type, r.label,
            r.abstracts, r.mentions, r.best_score, round(r.mean_score, 9), r.first_year,
            r.last_year,
        )
        for r in rows
    ]  # fmt: skip


def _paged(engine, size: int, **arguments):
    rows, after = [], None
    for _ in range(1000):
        page = relation_pairs(engine, limit=size, after=after, **arguments)
        assert len(page.rows) <= size
        rows += page.rows
        after = page.next
        if after is None:
            return rows
    raise AssertionError("paging did not end")


def _assert_summary_exact(engine, step: str) -> None:
    assert stored_summary(engine) == expected_summary(engine), step
    assert stored_rows(engine) == expected_rows(engine), step
    # And the mention counts concept autocomplete ranks by.
    counted = select(func.count()).where(entities.c.concept_id == concepts.c.id).scalar_subquery()
    with engine.connect() as connection:
        for concept, stored, actual in connection.execute(
            select(concepts.c.id, concepts.c.mentions, counted)
        ):
            assert stored == actual, (step, concept)


def _assert_ranking_matches(engine, monkeypatch, ways, sorts, sizes, step: str) -> None:
    for way in ways:
        few, scan, chunk = WAYS[way]
        monkeypatch.setattr(pair_ranking, "FEW_ROWS", few)
        monkeypatch.setattr(pair_ranking, "SCAN_ROWS", scan)
        monkeypatch.setattr(pair_ranking, "FIRST_CHUNK", chunk)
        for sort in sorts:
            for filters in FILTERS:
                expected = _comparable(reference_pairs(engine, sort, **filters))
                for size in sizes:
                    got = _comparable(_paged(engine, size, sort=sort, **filters))
                    assert got == expected, (step, way, sort, filters, size)


@pytest.mark.parametrize("seed", [3, 11])
def test_summary_and_ranking_follow_every_write(engine, monkeypatch, seed):
    steps = build_steps(engine, seed)
    for step in steps:
        _assert_summary_exact(engine, step)
        _assert_ranking_matches(engine, monkeypatch, ["as shipped"], ["abstracts"], [4], step)
    # The whole grid once the store has been through every step.
    _assert_ranking_matches(engine, monkeypatch, WAYS, SORTS, [1, 5, 1000], "end")


def test_a_pair_found_by_two_models_in_one_abstract_counts_it_once(engine):
    store_documents(engine, [Document("pmid:1", "T", "A", {"year": 2001})])
    both = {
        source: [Relation("pmid:1", "D001", "D101", "CID", score, None, source)]
        for source, score in ((RE1, 0.4), (RE2, 0.8))
    }
    write_results(engine, ["pmid:1"], {}, both)
    [row] = relation_pairs(engine).rows
    assert (row.abstracts, row.mentions, row.best_score) == (1, 2, 0.8)
    [row] = relation_pairs(engine, sources=[RE1]).rows
    assert (row.abstracts, row.mentions, row.best_score) == (1, 1, 0.4)
    # Re-running one model replaces its row only; the abstract still counts once.
    write_results(engine, ["pmid:1"], {}, {RE1: []})
    [row] = relation_pairs(engine).rows
    assert (row.abstracts, row.mentions, row.best_score) == (1, 1, 0.8)
    write_results(engine, ["pmid:1"], {}, {RE2: []})
    assert relation_pairs(engine).rows == []


def test_filter_options(engine):
    for _ in build_steps(engine, seed=3):
        pass
    offered = relation_filters(engine)
    assert offered.labels == ["CID", "treats"]
    assert {"Chemical", "Disease", "Gene", "Drug"} <= set(offered.entity_types)
    assert offered.sources == sorted(["gold", RE1, RE2])
    assert offered.journals == sorted(JOURNALS)
    assert offered.years[0] >= 1995 and offered.years[1] <= 2005
    assert NER not in offered.sources  # the tagger found mentions, not relations


def test_unknown_sort_is_refused(engine):
    with pytest.raises(ValueError, match="sort must be one of"):
        relation_pairs(engine, sort="random")


def test_migration_fills_the_summary_of_a_store_written_before_it(db_url):
    engine = open_database(db_url)
    for _ in build_steps(engine, seed=7):
        pass
    expected, rows = expected_summary(engine), expected_rows(engine)
    with engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0006")
    engine.dispose()
    engine = open_database(db_url)  # migrates to head: 0007 fills the tables again
    try:
        assert stored_summary(engine) == expected
        assert stored_rows(engine) == rows
        ranked = relation_pairs(engine, limit=1000).rows
        assert _comparable(ranked) == _comparable(reference_pairs(engine))
    finally:
        engine.dispose()
