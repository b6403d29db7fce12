"""A concept chosen by typing part of its name or id: the store's suggestions in a box."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from app import reads


def _named(url: str, version: int, concept_id: str) -> str:
    """How a concept is shown: name, id and type when the store's suggestions know it."""
    known = {s.concept_id: s for s in reads.concept_suggestions(url, version, concept_id)}
    found = known.get(concept_id)
    return f"{found.name} ({concept_id}, {found.label})" if found else concept_id


def concept_picker(
    url: str,
    version: int,
    *,
    key: str,
    label: str,
    empty: str,
    on_change: Callable[[], None] | None = None,
) -> str | None:
    """A text box (``<key>_query``) whose prefix fills a box of matching concepts (``key``);
    the chosen concept id, None for ``empty``. The chosen id stays among the options while
    the text changes, so a concept restored from a link is kept."""
    query = st.text_input(
        f"Find a {label.lower()}", key=f"{key}_query", placeholder="name or MeSH id, e.g. D008094"
    )
    suggestions = reads.concept_suggestions(url, version, query) if query.strip() else []
    names = {s.concept_id: f"{s.name} ({s.concept_id}, {s.label})" for s in suggestions}
    current = st.session_state.get(key)
    if current and current not in names:
        names[current] = _named(url, version, current)
    options = [None, *([current] if current else []), *(k for k in names if k != current)]
    return st.selectbox(
        label,
        options,
        key=key,
        format_func=lambda value: empty if value is None else names.get(value, value),
        on_change=on_change,
    )
