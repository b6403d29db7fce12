"""Stored text is untrusted: a hostile title and concept name render as text, never HTML."""

from __future__ import annotations

import html

from tests.app.conftest import page_html
from tests.app.seed import HOSTILE_CONCEPT, HOSTILE_NAME, HOSTILE_TITLE


def assert_inert(at) -> None:
    for body in page_html(at):
        assert "<script" not in body.lower()
        assert "<img" not in body.lower()


def test_hostile_document_renders_as_text(app):
    app.query_params["doc"] = "pmid:104"
    app.switch_page("views/document.py")
    at = app.run()
    assert not at.exception
    body = page_html(at)
    assert any(html.escape(HOSTILE_TITLE) in h for h in body)
    assert any(html.escape(HOSTILE_NAME) in h for h in body)
    assert_inert(at)


def test_hostile_concept_renders_as_text_in_evidence(app):
    at = app.run()
    assert HOSTILE_NAME in list(at.dataframe[0].value["head"])  # a table cell is plain text
    at.selectbox(key="pair").set_value((HOSTILE_CONCEPT, "D007674", "CID")).run()
    assert not at.exception
    body = page_html(at)
    assert any(
        f'<mark class="ent-chemical" title="Chemical">{html.escape(HOSTILE_NAME)}</mark>' in h
        for h in body
    )
    assert any(html.escape(HOSTILE_TITLE) in h for h in body)
    assert_inert(at)


def test_hostile_concept_suggested_as_text(app):
    at = app.run()
    at.text_input(key="concept_query").input("D9999").run()
    assert HOSTILE_NAME in at.selectbox(key="concept").options[1]
    assert_inert(at)
