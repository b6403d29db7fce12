"""Relations pages: Next and Previous walk the keyset pages without losing or repeating a row."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from mining.store.database import ENV_VAR, open_database
from mining.store.write_documents import store_documents
from tests.app.conftest import APP_MAIN, TIMEOUT
from tests.app.seed import sentence_document

PAIRS = 55  # more than one page of 50


@pytest.fixture(scope="module")
def many_pairs_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('paging') / 'biomine.db'}"
    engine = open_database(url)
    docs = [
        sentence_document(
            f"pmid:{i}", f"Study {i}", f"Drug{i} caused illness{i}.",
            (f"Drug{i}", f"C{i:03d}"), (f"illness{i}", f"D{i:03d}"), 2000, 0.9,
        )
        for i in range(PAIRS)
    ]  # fmt: skip
    store_documents(engine, docs)
    engine.dispose()
    return url


def test_next_and_previous_pages(many_pairs_url, monkeypatch):
    monkeypatch.setenv(ENV_VAR, many_pairs_url)
    at = AppTest.from_file(str(APP_MAIN), default_timeout=TIMEOUT).run()
    first = list(at.dataframe[0].value["head id"])
    assert len(first) == 50
    at.button(key="next_page").click().run()
    second = list(at.dataframe[0].value["head id"])
    assert len(second) == 5 and not set(first) & set(second)
    assert sorted(first + second) == [f"C{i:03d}" for i in range(PAIRS)]
    assert at.button(key="next_page").disabled and "after" in at.query_params
    at.button(key="previous_page").click().run()
    assert list(at.dataframe[0].value["head id"]) == first
    assert "after" not in at.query_params


def test_a_return_visit_starts_on_the_first_page(many_pairs_url, monkeypatch):
    monkeypatch.setenv(ENV_VAR, many_pairs_url)
    at = AppTest.from_file(str(APP_MAIN), default_timeout=TIMEOUT).run()
    at.button(key="next_page").click().run()
    assert len(at.dataframe[0].value) == 5
    at.switch_page("views/overview.py").run()
    at.query_params.clear()  # a browser leaves the page's parameters behind with the page
    at.switch_page("views/relations.py").run()
    assert len(at.dataframe[0].value) == 50 and "after" not in at.query_params
