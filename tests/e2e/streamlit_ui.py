"""Driving the BioMine app's Streamlit widgets in a real browser (Playwright's sync API).

Shared by the browser test and the README screenshot script, so both select a relation the
way a user does: through the page's own widgets.
"""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

TIMEOUT_MS = 90_000  # one script run; the test machines are slow and shared
# The pages main.py declares with st.navigation, by title, in order.
NAVIGATION = ["Relations", "Entity", "Document", "Annotate", "Overview", "Ask", "Ask history"]


def settle(page: Page) -> None:
    """Wait until the app has finished its script run: the "running" indicator is gone."""
    page.wait_for_timeout(500)  # a rerun shows the indicator a moment after it starts
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=TIMEOUT_MS)


def scroll_to(element: Locator, top: int) -> None:
    """Scroll the page so that ``element`` sits ``top`` pixels below the window's top (the
    app scrolls its main area, not the window)."""
    element.evaluate(
        """(element, top) => element.closest('[data-testid="stMain"]')
            .scrollBy(0, element.getBoundingClientRect().top - top)""",
        top,
    )
    element.page.wait_for_timeout(300)  # let the grid redraw its canvas


def navigation(page: Page) -> list[str]:
    links = page.get_by_test_id("stSidebarNav").get_by_role("link")
    expect(links.first).to_be_visible(timeout=TIMEOUT_MS)
    return [text.strip() for text in links.all_inner_texts()]


def _opened(page: Page, test_id: str, label: str) -> Locator:
    """The list of the select widget labelled ``label``, opened: by a click, or by the
    down arrow where a click only focuses its text box."""
    settle(page)  # a rerun would close the list again
    widget = page.get_by_test_id(test_id).filter(
        has=page.get_by_test_id("stWidgetLabel").get_by_text(label, exact=True)
    )
    box = widget.get_by_role("combobox")
    box.click()
    if box.get_attribute("aria-expanded") != "true":
        box.press("ArrowDown")
    expect(box).to_have_attribute("aria-expanded", "true")
    return page.get_by_role("option")


def choose(page: Page, label: str, option: str | re.Pattern[str]) -> str:
    """Pick ``option`` in the select box labelled ``label``; the option's text."""
    item = _opened(page, "stSelectbox", label).filter(has_text=option).first
    text = item.inner_text()
    item.click()
    settle(page)
    return text


def add_to(page: Page, label: str, option: str) -> None:
    """Add ``option`` to the multiselect labelled ``label``."""
    _opened(page, "stMultiSelect", label).get_by_text(option, exact=True).click()
    page.keyboard.press("Escape")  # close the list, which stays open for more choices
    settle(page)


def evidence_items(page: Page) -> Locator:
    """The supporting sentences shown for the chosen pair, each with its document's line."""
    return (
        page.get_by_test_id("stHtml").filter(has=page.locator("mark")).filter(has_text=" · score ")
    )


def grid_rows(frame: Locator) -> int:
    """Data rows of an st.dataframe, from the grid's accessibility table (the cells
    themselves are drawn on a canvas)."""
    grid = frame.locator("table")
    expect(grid).to_have_count(1, timeout=TIMEOUT_MS)
    return int(grid.get_attribute("aria-rowcount") or 0) - 1  # less the header row


def expect_grid_rows(frame: Locator, rows: int) -> None:
    """Wait until the st.dataframe holds ``rows`` data rows."""
    expect(frame.locator("table")).to_have_attribute(
        "aria-rowcount", str(rows + 1), timeout=TIMEOUT_MS
    )


def grid_cell(frame: Locator, column: int, row: int) -> str:
    """A cell's text; only rows scrolled into view are in the table."""
    return (frame.get_by_test_id(f"glide-cell-{column}-{row}").text_content() or "").strip()
