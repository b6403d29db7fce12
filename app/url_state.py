"""A page's state in the URL (st.query_params), so that a view is a link that reopens it.

Widgets keep their own state in st.session_state under their key; the URL seeds that
state the first time a session shows the widget, and is rewritten from it on every run.
Values from a URL are untrusted: parsers return None for anything malformed.
"""

from __future__ import annotations

import json
import math
from typing import Any

import streamlit as st


def seed(key: str, value: Any) -> None:
    """Start widget ``key`` at ``value`` (from the URL) unless this session already has it."""
    if key not in st.session_state:
        st.session_state[key] = value


def one(name: str) -> str | None:
    return st.query_params.get(name) or None


def many(name: str) -> list[str]:
    return [value for value in st.query_params.get_all(name) if value]


def number(name: str) -> float | None:
    """A finite number: "nan" and "inf" parse as floats but break any widget given them."""
    try:
        value = float(st.query_params[name])
    except (KeyError, ValueError):
        return None
    return value if math.isfinite(value) else None


def integer(name: str) -> int | None:
    value = st.query_params.get(name) or ""
    return int(value) if value.isascii() and value.isdigit() else None


def year_range(name: str) -> tuple[int, int] | None:
    """``2001-2005`` as (2001, 2005)."""
    first, _, last = (st.query_params.get(name) or "").partition("-")
    if first.isascii() and first.isdigit() and last.isascii() and last.isdigit():
        return int(first), int(last)
    return None


def json_list(name: str, length: int) -> list | None:
    """A JSON list of ``length`` items (a cursor, a pair), or None."""
    try:
        value = json.loads(st.query_params.get(name) or "null")
    except ValueError:
        return None
    return value if isinstance(value, list) and len(value) == length else None


def sort_value(value: Any, *, text: bool) -> bool:
    """Whether a cursor's sort value from a URL fits its sort: a string for a name sort, a
    finite number (not a boolean) for the others."""
    if text:
        return isinstance(value, str)
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return number and math.isfinite(value)


def write(params: dict[str, str | list[str] | None]) -> None:
    """Make the URL say what the page shows: set each value given (a list as a repeated
    parameter), drop the empty ones."""
    for name, value in params.items():
        if not value:
            if name in st.query_params:
                del st.query_params[name]
        elif (st.query_params.get_all(name) if isinstance(value, list) else one(name)) != value:
            st.query_params[name] = value


def as_json(value: list | tuple | None) -> str | None:
    return json.dumps(list(value)) if value else None
