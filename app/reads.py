"""The store queries the pages run, cached per database URL and data version.

Each page reads the store's data version first (``data_version``: one indexed row, read on
every run, never cached) and passes it to these functions: the version is part of every
cache key, and every write that changes what the app shows increments it in the write's own
transaction (``mining.store.data_version``). So a new `biomine run`, even a batch of one
still running, shows on the next rerun, without a restart, and a cached result is never
older than the data. The TTL and entry cap only bound the memory of keys gone stale.
Arguments are plain values (tuples, not cursor objects) so Streamlit can hash them.
"""

from __future__ import annotations

import streamlit as st

from app.database import engine_for
from mining.store import queries
from mining.store.data_version import read_data_version

TTL_SECONDS = 600
MAX_ENTRIES = 500  # per function


def data_version(url: str) -> int:
    """The store's data version: the cache key that a write moves on (not cached)."""
    return read_data_version(engine_for(url))


def _cached(function):
    return st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)(function)


@_cached
def relation_page(
    url: str,
    version: int,
    labels: tuple[str, ...],
    head_types: tuple[str, ...],
    tail_types: tuple[str, ...],
    concept: str | None,
    min_score: float | None,
    sources: tuple[str, ...],
    years: tuple[int, int] | None,
    journals: tuple[str, ...],
    sort: str,
    after: tuple[int | float | str, str, str, str] | None,
    limit: int,
) -> queries.RelationPage:
    return queries.relation_pairs(
        engine_for(url),
        labels=labels or None,
        head_types=head_types or None,
        tail_types=tail_types or None,
        concept=concept,
        min_score=min_score,
        sources=sources or None,
        years=years,
        journals=journals or None,
        sort=sort,
        after=queries.RelationCursor(*after) if after else None,
        limit=limit,
    )


@_cached
def filter_options(url: str, version: int) -> queries.RelationFilters:
    """What the Relations filters offer: the values the store holds."""
    return queries.relation_filters(engine_for(url))


@_cached
def evidence(
    url: str, version: int, head: str, tail: str, label: str, source: str | None, limit: int
) -> list[queries.Evidence]:
    return queries.pair_evidence(engine_for(url), head, tail, label, source=source, limit=limit)


@_cached
def concept_suggestions(url: str, version: int, prefix: str) -> list[queries.ConceptSuggestion]:
    return queries.suggest_concepts(engine_for(url), prefix)


@_cached
def document(url: str, version: int, doc_id: str) -> queries.DocumentView | None:
    return queries.document_view(engine_for(url), doc_id)


@_cached
def questions(url: str, version: int, limit: int) -> list[queries.QuestionRow]:
    return queries.recent_questions(engine_for(url), limit)


@_cached
def answers(url: str, version: int, question_id: int) -> list[queries.AnswerRow]:
    return queries.question_answers(engine_for(url), question_id)


@_cached
def concept(url: str, version: int, concept_id: str) -> queries.ConceptPage | None:
    return queries.concept_page(engine_for(url), concept_id)


@_cached
def concept_documents(
    url: str, version: int, concept_id: str, after: tuple[int, str] | None, limit: int
) -> queries.DocumentPage:
    return queries.concept_documents(engine_for(url), concept_id, after=after, limit=limit)


@_cached
def stats(url: str, version: int) -> queries.StoreStats:
    return queries.store_stats(engine_for(url))


@_cached
def runs(url: str, version: int, limit: int) -> list[queries.RunRow]:
    return queries.list_runs(engine_for(url), limit=limit)
