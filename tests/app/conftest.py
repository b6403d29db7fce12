"""The app under Streamlit's AppTest, on a seeded SQLite store passed in $BIOMINE_DB."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("streamlit", reason="the web app needs streamlit (a BioMine dependency)")

from streamlit.testing.v1 import AppTest  # noqa: E402

from mining.store.database import ENV_VAR  # noqa: E402
from tests.app.seed import seed_store  # noqa: E402

APP_MAIN = Path(__file__).resolve().parents[2] / "app" / "main.py"
TIMEOUT = 60  # seconds per script run: the test machines are slow and shared


@pytest.fixture(scope="module")
def store_url(tmp_path_factory) -> str:
    return seed_store(tmp_path_factory.mktemp("app") / "biomine.db")


@pytest.fixture
def app(store_url, monkeypatch):
    """A fresh app session on the seeded store; set query_params, then run()."""
    monkeypatch.setenv(ENV_VAR, store_url)
    return AppTest.from_file(str(APP_MAIN), default_timeout=TIMEOUT)


def page_html(at) -> list[str]:
    """The body of every HTML and Markdown element the page rendered."""
    return [element.value for element in [*at.get("html"), *at.markdown]]
