"""The Entity page: a concept's names, mention count, abstracts and related concepts."""

from __future__ import annotations

import html

from tests.app.conftest import page_html
from tests.app.seed import HOSTILE_CONCEPT, HOSTILE_NAME, HOSTILE_TITLE


def open_entity(app, concept_id: str):
    app.query_params["concept"] = concept_id
    app.switch_page("views/entity.py")
    return app.run()


def test_lists_the_abstracts_that_mention_it(app):
    at = open_entity(app, "D008094")
    assert not at.exception and not at.error
    body = page_html(at)
    assert any("<h2>Lithium</h2>" in h for h in body)
    assert [m.value for m in at.metric] == ["2", "2"]  # mentions, abstracts
    doc_links = [link.proto.query_string for link in at.get("page_link")][1:]
    assert doc_links == ["doc=pmid%3A102", "doc=pmid%3A101"]  # newest first
    assert list(at.dataframe[0].value["name"]) == ["Lithium"]


def test_related_concepts_grouped_by_relation_type(app):
    at = open_entity(app, "D011141")  # polyuria: the tail of lithium's CID relation
    related = at.dataframe[1].value  # [0]: the names it is written as
    assert list(related["id"]) == ["D008094"] and list(related["side"]) == ["head"]
    assert list(related["abstracts"]) == [2]


def test_choosing_a_concept_by_name(app):
    app.switch_page("views/entity.py")
    at = app.run()
    at.text_input(key="entity_query").input("halo").run()
    at.selectbox(key="entity").select_index(1).run()
    assert at.query_params["concept"] == "D006220"
    assert any("<h2>Haloperidol</h2>" in h for h in page_html(at))


def test_unknown_concept_is_a_warning(app):
    at = open_entity(app, "D000000")
    assert not at.exception and at.warning


def test_hostile_concept_renders_as_text(app):
    at = open_entity(app, HOSTILE_CONCEPT)
    body = page_html(at)
    assert any(f"<h2>{html.escape(HOSTILE_NAME)}</h2>" in h for h in body)
    assert any(html.escape(HOSTILE_TITLE) in h for h in body)
    assert not any("<script" in h or "<img" in h for h in body)
