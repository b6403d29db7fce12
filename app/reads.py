"""The store queries the pages run, cached per database URL for a short time.

A minute's TTL keeps paging and reruns fast while a new `biomine run` still shows up
without restarting the app. Arguments are plain values (tuples, not cursor objects) so
Streamlit can hash them into the cache key.
"""

from __future__ import annotations

import streamlit as st

from app.database import engine_for
from mining.store import queries

TTL_SECONDS = 60


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def relation_page(
    url: str,
    labels: tuple[str, ...],
    concept: str | None,
    min_score: float | None,
    sources: tuple[str, ...],
    after: tuple[int, str, str, str] | None,
    limit: int,
) -> queries.RelationPage:
    return queries.relation_pairs(
        engine_for(url),
        labels=labels or None,
        concept=concept,
        min_score=min_score,
        sources=sources or None,
        after=queries.RelationCursor(*after) if after else None,
        limit=limit,
    )


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def relation_labels_and_sources(url: str) -> tuple[list[str], list[str]]:
    """The relation types and the models that found relations, for the filters."""
    counts = queries.store_stats(engine_for(url)).relations
    return sorted({label for _, label in counts}), sorted({source for source, _ in counts})


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def evidence(
    url: str, head: str, tail: str, label: str, source: str | None
) -> list[queries.Evidence]:
    return queries.pair_evidence(engine_for(url), head, tail, label, source=source)


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
