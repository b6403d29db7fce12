"""The Relations page: ranked pairs, filters, evidence with highlights, links, URL state."""

from __future__ import annotations

import json

import pytest

from tests.app.conftest import page_html
from tests.app.seed import OTHER_JOURNAL, OTHER_MODEL

LITHIUM_POLYURIA = ("D008094", "D011141", "CID")


def heads(at) -> list[str]:
    return list(at.dataframe[0].value["head id"])


def test_pairs_ranked_by_supporting_abstracts(app):
    at = app.run()
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    assert list(table["head id"])[0] == "D008094"  # two abstracts, the others one
    assert list(table["abstracts"]) == [2, 1, 1]
    assert list(table["years"])[0] == "2001–2005"


def test_filters_change_the_rows(app):
    at = app.run()
    at.slider(key="min_score").set_value(0.5).run()
    assert "D006220" not in heads(at)  # haloperidol scored 0.4
    at.multiselect(key="sources").set_value([OTHER_MODEL]).run()
    assert not at.dataframe  # the other model's one pair scored below 0.5
    assert "No relations match these filters." in [i.value for i in at.info]
    at.slider(key="min_score").set_value(0.0).run()
    assert heads(at) == ["D006220"]
    assert at.query_params["source"] == OTHER_MODEL


def test_concept_filter_by_name(app):
    at = app.run()
    at.text_input(key="concept_query").input("lith").run()
    assert "D008094" in at.selectbox(key="concept").options[1]  # "Lithium (D008094, Chemical)"
    at.selectbox(key="concept").select_index(1).run()
    assert heads(at) == ["D008094"]
    assert at.query_params["concept"] == "D008094"


def test_selected_pair_shows_highlighted_evidence_and_links(app):
    at = app.run()
    at.selectbox(key="pair").set_value(LITHIUM_POLYURIA).run()
    assert not at.exception
    evidence = [h for h in page_html(at) if "<mark" in h]
    assert len(evidence) == 2  # one sentence from each supporting abstract
    assert '<mark class="ent-chemical" title="Chemical">Lithium</mark>' in evidence[0]
    assert '<mark class="ent-disease" title="Disease">polyuria</mark>' in evidence[0]
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/102/"' in evidence[0]  # newest first
    links = [link.proto.query_string for link in at.get("page_link")]
    assert links == [
        "concept=D008094",  # the head's and the tail's Entity pages
        "concept=D011141",
        "doc=pmid%3A102",  # each supporting document's page, newest first
        "doc=pmid%3A101",
    ]
    assert json.loads(at.query_params["pair"]) == list(LITHIUM_POLYURIA)


def test_query_parameters_restore_a_view(app):
    app.query_params["min_score"] = "0.5"
    app.query_params["concept"] = "D008094"
    app.query_params["pair"] = json.dumps(LITHIUM_POLYURIA)
    at = app.run()
    assert not at.exception
    assert at.slider(key="min_score").value == 0.5
    assert at.selectbox(key="concept").value == "D008094"
    assert heads(at) == ["D008094"]
    assert at.selectbox(key="pair").value == LITHIUM_POLYURIA
    assert sum("<mark" in h for h in page_html(at)) == 2


@pytest.mark.parametrize("score", ["lots", "nan", "inf"])
def test_malformed_query_parameters_are_ignored(app, score):
    app.query_params["min_score"] = score
    app.query_params["years"] = "1999-"
    app.query_params["pair"] = "[1, 2"
    app.query_params["after"] = '{"a": 1}'
    at = app.run()
    assert not at.exception and not at.error
    assert len(heads(at)) == 3


def test_csv_download_is_offered(app):
    at = app.run()
    assert at.get("download_button")


def test_a_page_cursor_in_the_url_reopens_that_page(app):
    app.query_params["after"] = json.dumps([2, *LITHIUM_POLYURIA])  # after the first row
    at = app.run()
    assert heads(at) == ["D006220", "D999999"]
    at.button(key="first_page").click().run()
    assert heads(at)[0] == "D008094"
    assert "after" not in at.query_params


def test_entity_type_filter(app):
    at = app.run()
    at.multiselect(key="head_types").set_value(["Disease"]).run()
    assert not at.dataframe  # every head is a chemical
    at.multiselect(key="head_types").set_value(["Chemical"]).run()
    assert len(heads(at)) == 3
    assert at.query_params["head_type"] == "Chemical"


def test_year_range_from_the_url(app):
    app.query_params["years"] = "2000-2006"
    at = app.run()
    assert at.slider(key="years").value == (2000, 2006)
    assert heads(at) == ["D008094"]  # 2001 and 2005; haloperidol 1999, the hostile doc 2010
    at.slider(key="years").set_range(1999, 2010).run()
    assert len(heads(at)) == 3 and "years" not in at.query_params


def test_evidence_follows_a_single_model_filter(app):
    app.query_params["pair"] = json.dumps(LITHIUM_POLYURIA)
    app.query_params["source"] = OTHER_MODEL  # which did not find this pair
    at = app.run()
    assert "No stored relation rows support this pair." in [i.value for i in at.info]


def test_journal_filter(app):
    at = app.run()
    assert at.multiselect(key="journals").options == ["J Neurology", "J Test"]
    at.multiselect(key="journals").set_value([OTHER_JOURNAL]).run()
    assert heads(at) == ["D006220"]  # haloperidol's abstract is the only one in it
    assert at.query_params["journal"] == OTHER_JOURNAL
    at.multiselect(key="journals").set_value([]).run()
    assert len(heads(at)) == 3 and "journal" not in at.query_params


def test_sorts_reorder_the_rows(app):
    at = app.run()
    assert heads(at) == ["D008094", "D006220", "D999999"]  # abstracts 2, 1, 1 (ties by id)
    at.selectbox(key="sort").set_value("best_score").run()
    assert heads(at) == ["D008094", "D999999", "D006220"]  # best scores 0.9, 0.7, 0.4
    assert at.query_params["sort"] == "best_score"
    at.selectbox(key="sort").set_value("head_name").run()
    # '"><img ...' sorts before "haloperidol", which sorts before "lithium" (case folded)
    assert heads(at) == ["D999999", "D006220", "D008094"]
    at.selectbox(key="sort").set_value("abstracts").run()
    assert "sort" not in at.query_params


def test_a_sort_and_its_cursor_from_the_url(app):
    app.query_params["sort"] = "head_name"
    app.query_params["after"] = json.dumps(["haloperidol", "D006220", "D004409", "CID"])
    at = app.run()
    assert not at.exception
    assert at.selectbox(key="sort").value == "head_name"
    assert heads(at) == ["D008094"]  # the page after haloperidol's row


@pytest.mark.parametrize("sort, value", [("head_name", 2), ("best_score", "lithium")])
def test_a_cursor_that_does_not_fit_its_sort_is_ignored(app, sort, value):
    app.query_params["sort"] = sort
    app.query_params["after"] = json.dumps([value, "D006220", "D004409", "CID"])
    at = app.run()
    assert not at.exception and not at.error
    assert len(heads(at)) == 3
