"""A missing, empty or foreign database is one clear message on the page, not a traceback."""

from __future__ import annotations

import sqlite3

import pytest
from streamlit.testing.v1 import AppTest

from mining.store.database import ENV_VAR, open_database
from tests.app.conftest import APP_MAIN, TIMEOUT


def run_on(url: str, monkeypatch) -> AppTest:
    monkeypatch.setenv(ENV_VAR, url)
    return AppTest.from_file(str(APP_MAIN), default_timeout=TIMEOUT).run()


@pytest.mark.parametrize("kind", ["missing", "empty file", "unmigrated"])
def test_bad_database_is_a_clear_error(kind, tmp_path, monkeypatch):
    path = tmp_path / "biomine.db"
    if kind == "empty file":
        path.write_bytes(b"")
    elif kind == "unmigrated":
        with sqlite3.connect(path) as connection:
            connection.execute("CREATE TABLE notes (text TEXT)")
    at = run_on(f"sqlite:///{path}", monkeypatch)
    assert not at.exception
    assert "cannot open its database" in at.error[0].value
    expected = "no such database file" if kind == "missing" else "not a BioMine database"
    assert expected in at.code[0].value and str(path) in at.code[0].value


def test_database_without_relations_says_what_to_run(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'biomine.db'}"
    open_database(url).dispose()  # migrated, but nothing stored
    at = run_on(url, monkeypatch)
    assert not at.exception
    assert "biomine run" in at.error[0].value
