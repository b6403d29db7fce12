"""The web app in headless Chromium, on a store that `biomine run` mined from real BC5CDR
abstracts: a relation chosen on the Relations page, its highlighted evidence, the document
it was read from and the Entity page of its head concept; and hostile stored text.

What each page should show is read from the same store through mining.store.queries."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from mining.store.database import open_database
from mining.store.queries import (
    concept_page,
    document_view,
    pair_evidence,
    relation_pairs,
    store_sources,
)
from tests.e2e.conftest import HOSTILE_ID, HOSTILE_TITLE, PLAYWRIGHT_MISSING

pytest.importorskip("playwright.sync_api", reason=PLAYWRIGHT_MISSING)

from playwright.sync_api import expect  # noqa: E402

from app.highlight import TYPE_COLOURS, type_class  # noqa: E402
from tests.e2e.streamlit_ui import (  # noqa: E402
    NAVIGATION,
    add_to,
    choose,
    evidence_items,
    expect_grid_rows,
    grid_cell,
    grid_rows,
    navigation,
    settle,
)

pytestmark = pytest.mark.shared_data


def _rgb(colour: str) -> str:
    """``#ffd6a5`` as the browser's computed style writes it."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


def _background(mark) -> str:
    return mark.evaluate("element => getComputedStyle(element).backgroundColor")


def _name(concept: str, name: str | None) -> str:
    return name or concept


def test_a_relation_its_evidence_its_document_and_its_concept(tab, app_url, mined_store, tmp_path):
    page = tab.page
    store = open_database(mined_store)
    model = next(s for s in store_sources(store) if s.startswith("re-cdr"))
    pairs = relation_pairs(store, sources=[model], limit=50).rows
    assert pairs, "the CDR classifier found no relations in these abstracts"

    page.goto(app_url)  # Relations is the landing page
    expect(page.get_by_role("heading", name="Relations", exact=True)).to_be_visible()
    assert navigation(page) == NAVIGATION
    table = page.get_by_test_id("stDataFrame").first
    assert grid_rows(table) > 0
    page.screenshot(path=tmp_path / "1-relations.png")

    # The model filter: the table holds what the store holds for that model, best first.
    add_to(page, "Model", model)
    expect(page).to_have_url(re.compile(r"[?&]source=" + re.escape(quote(model))))
    expect_grid_rows(table, len(pairs))
    top = pairs[0]
    head, tail = _name(top.head, top.head_name), _name(top.tail, top.tail_name)
    assert [grid_cell(table, column, 0) for column in (0, 2, 3)] == [head, top.label, tail]

    # The pair, chosen in the page's box: each supporting sentence, both mentions marked.
    wanted = re.compile("^" + re.escape(f"{head} – {top.label} – {tail} ("))
    option = choose(page, "Show the evidence of", wanted)
    expect(page.get_by_role("heading", name=f"Evidence: {option}")).to_be_visible()
    supporting = pair_evidence(store, top.head, top.tail, top.label, source=model)
    items = evidence_items(page)
    expect(items).to_have_count(len(supporting))
    for shown, stored in zip(items.all(), supporting, strict=True):
        sentence = shown.locator("p").first
        assert sentence.text_content() == stored.sentence.text
        marks = sentence.locator("mark")
        spans = sorted([stored.head, stored.tail], key=lambda span: span.start)
        assert marks.all_text_contents() == [span.text for span in spans]
        kinds = {marks.nth(i).get_attribute("class") for i in range(marks.count())}
        assert kinds == {type_class(top.head_type), type_class(top.tail_type)}
        for i in range(marks.count()):  # the app's stylesheet reached the browser
            kind = marks.nth(i).get_attribute("class").removeprefix("ent-")
            assert _background(marks.nth(i)) == _rgb(TYPE_COLOURS[kind])
        assert shown.locator("strong").text_content() == stored.title
    items.first.scroll_into_view_if_needed()
    page.screenshot(path=tmp_path / "2-evidence.png")
    pair_link = page.url

    # The first sentence's document: its stored title and abstract, entities marked by type.
    first = supporting[0]
    page.get_by_role("link", name="Open the document").first.click()
    expect(page).to_have_url(re.compile(r"/document\?doc=" + re.escape(quote(first.doc_id))))
    doc = document_view(store, first.doc_id)
    expect(page.get_by_role("heading", name=doc.title, exact=True)).to_be_visible()
    abstracts = page.get_by_test_id("stHtml").locator("p").filter(has=page.locator("mark"))
    abstracts = abstracts.filter(has_text=doc.abstract[:60])
    expect(abstracts.first).to_be_visible()
    stored_mentions = {e.text for e in doc.entities}
    for abstract in abstracts.all():  # one per model when two models tagged it
        assert abstract.text_content() == doc.abstract
        marks = abstract.locator("mark")
        assert set(marks.all_text_contents()) <= stored_mentions
        kinds = {marks.nth(i).get_attribute("class") for i in range(marks.count())}
        assert {type_class(top.head_type), type_class(top.tail_type)} <= kinds
    expect(page.get_by_test_id("stMain")).to_contain_text(first.sentence.text)
    settle(page)
    page.screenshot(path=tmp_path / "3-document.png")

    # The pair's link reopens the same view; from it, the head concept's Entity page.
    page.goto(pair_link)
    expect(page.get_by_role("heading", name=f"Evidence: {option}")).to_be_visible()
    page.get_by_role("link", name="The head concept").click()
    expect(page).to_have_url(re.compile(r"/entity\?concept=" + re.escape(quote(top.head))))
    concept = concept_page(store, top.head)
    expect(page.get_by_role("heading", name=head, exact=True)).to_be_visible()
    mentions = page.get_by_test_id("stMetric").filter(has_text="Mentions")
    expect(mentions.get_by_test_id("stMetricValue")).to_have_text(f"{concept.mentions:,}")
    assert any(r.concept == top.tail for r in concept.related[top.label])
    related = page.get_by_test_id("stDataFrame").locator("td").filter(has_text=tail)
    expect(related.first).to_be_attached()  # the tail, among the related concepts
    expect(page.get_by_text(first.title, exact=True).first).to_be_visible()
    settle(page)
    page.screenshot(path=tmp_path / "4-entity.png")

    assert tab.dialogs == [] and tab.errors == []


def test_hostile_stored_text_is_shown_as_text(tab, app_url, mined_store, tmp_path):
    page = tab.page
    doc = document_view(open_database(mined_store), HOSTILE_ID)
    # A link to a page, the first request of a fresh server, runs the whole app (main.py).
    page.goto(f"{app_url}/document?doc={quote(HOSTILE_ID)}")
    assert navigation(page) == NAVIGATION
    expect(page.get_by_role("heading", name=HOSTILE_TITLE, exact=True)).to_be_visible()
    expect(page.get_by_test_id("stMain")).to_contain_text("<img src=x onerror=alert(2)>")
    expect(page.locator("img[src='x']")).to_have_count(0)
    settle(page)
    page.screenshot(path=tmp_path / "hostile-document.png")

    # The Entity page of a concept it mentions lists it by its title, as text too.
    concept = next(e.concept_id for e in doc.entities if e.concept_id)
    page.goto(f"{app_url}/entity?concept={quote(concept)}")
    listed = page.get_by_text(HOSTILE_TITLE, exact=True)
    expect(listed).to_be_visible()
    settle(page)
    listed.scroll_into_view_if_needed()
    page.screenshot(path=tmp_path / "hostile-entity.png")

    assert tab.dialogs == [] and tab.errors == []
