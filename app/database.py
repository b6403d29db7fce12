"""The app's database: opened read-only once per URL; a bad one is a message, not a traceback."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from mining.errors import BioMineError
from mining.store.database import open_database, resolve_url


def database_url() -> str:
    """The URL `biomine ui --db` passed down in $BIOMINE_DB (else biomine.db here)."""
    return resolve_url(None)


@st.cache_resource(show_spinner=False)
def engine_for(url: str) -> Engine:
    # read_only: the app never writes, and SQLite (mode=ro) or PostgreSQL enforce it.
    return open_database(url, read_only=True)


def app_engine() -> Engine:
    """The engine, or a clear error on the page and the end of this run."""
    try:
        return engine_for(database_url())
    except BioMineError as error:
        # st.error renders Markdown; the message goes in a code block, as plain text.
        st.error(
            "BioMine cannot open its database. Build one with `biomine ingest` and "
            "`biomine run`, then start the app with `biomine ui --db URL`."
        )
        st.code(str(error), language=None)
        st.stop()
