"""The Document page: the text with entities highlighted by type, a legend, relations."""

from __future__ import annotations

from tests.app.conftest import page_html


def open_document(app, doc_id: str):
    app.query_params["doc"] = doc_id
    app.switch_page("pages/document.py")
    return app.run()


def test_entities_highlighted_with_a_legend(app):
    at = open_document(app, "pmid:101")
    assert not at.exception and not at.error
    body = page_html(at)
    text = next(h for h in body if "caused" in h)
    assert '<mark class="ent-chemical" title="Chemical">Lithium</mark> caused' in text
    assert '<mark class="ent-disease" title="Disease">polyuria</mark>' in text
    legend = next(h for h in body if h.count("<mark") == 2 and "caused" not in h)
    assert ">Chemical</mark>" in legend and ">Disease</mark>" in legend
    assert any('href="https://pubmed.ncbi.nlm.nih.gov/101/"' in h for h in body)


def test_relations_listed_with_score_and_model(app):
    at = open_document(app, "pmid:101")
    table = at.dataframe[0].value
    assert list(table["head"]) == ["Lithium"] and list(table["tail"]) == ["polyuria"]
    assert list(table["score"]) == [0.9] and list(table["model"]) == ["re-model@1"]


def test_unknown_document_is_a_warning(app):
    at = open_document(app, "pmid:999")
    assert not at.exception
    assert at.warning and at.text[0].value == "pmid:999"


def test_the_id_box_opens_another_document(app):
    at = open_document(app, "pmid:101")
    at.text_input(key="doc").input("pmid:103").run()
    assert list(at.dataframe[0].value["head"]) == ["Haloperidol"]
    assert at.query_params["doc"] == "pmid:103"
