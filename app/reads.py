"""The store queries the pages run, cached per database URL for a short time.

A minute's TTL keeps paging and reruns fast while a new `biomine run` still shows up
without restarting the app. Arguments are plain values (tuples, not cursor objects) so
Streamlit can hash them into the cache key.
"""

from __future__ import annotations

from typing import NamedTuple

import streamlit as st

from app.database import engine_for
from mining.store import queries

TTL_SECONDS = 60


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def relation_page(
    url: str,
    labels: tuple[str, ...],
    head_types: tuple[str, ...],
    tail_types: tuple[str, ...],
    concept: str | None,
    min_score: float | None,
    sources: tuple[str, ...],
    years: tuple[int, int] | None,
    after: tuple[int, str, str, str] | None,
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
        after=queries.RelationCursor(*after) if after else None,
        limit=limit,
    )


class FilterOptions(NamedTuple):
    """What the Relations filters offer: the values the store holds."""

    labels: list[str]  # relation types
    sources: list[str]  # models that found relations
    entity_types: list[str]
    years: tuple[int | None, int | None]  # first and last publication year


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def filter_options(url: str) -> FilterOptions:
    stats = queries.store_stats(engine_for(url))
    return FilterOptions(
        labels=sorted({label for _, label in stats.relations}),
        sources=sorted({source for source, _ in stats.relations}),
        entity_types=sorted({label for _, label in stats.entities}),
        years=stats.years,
    )


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def evidence(
    url: str, head: str, tail: str, label: str, source: str | None, limit: int
) -> list[queries.Evidence]:
    return queries.pair_evidence(engine_for(url), head, tail, label, source=source, limit=limit)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def concept_suggestions(url: str, prefix: str) -> list[queries.ConceptSuggestion]:
    return queries.suggest_concepts(engine_for(url), prefix)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def document(url: str, doc_id: str) -> queries.DocumentView | None:
    return queries.document_view(engine_for(url), doc_id)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def questions(url: str, limit: int) -> list[queries.QuestionRow]:
    return queries.recent_questions(engine_for(url), limit)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def answers(url: str, question_id: int) -> list[queries.AnswerRow]:
    return queries.question_answers(engine_for(url), question_id)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def concept(url: str, concept_id: str) -> queries.ConceptPage | None:
    return queries.concept_page(engine_for(url), concept_id)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def concept_documents(
    url: str, concept_id: str, after: tuple[int, str] | None, limit: int
) -> queries.DocumentPage:
    return queries.concept_documents(engine_for(url), concept_id, after=after, limit=limit)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def stats(url: str) -> queries.StoreStats:
    return queries.store_stats(engine_for(url))


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def runs(url: str, limit: int) -> list[queries.RunRow]:
    return queries.list_runs(engine_for(url), limit=limit)
