"""The browser test's fixtures: a store mined from real BC5CDR abstracts by the real CLI,
`biomine ui` serving it, and headless Chromium."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.live_app import BC5CDR_DEV, build_store, pubtator_head, serve

PLAYWRIGHT_MISSING = (
    "the browser test needs playwright (pip install -e '.[test]'; it drives the system "
    "Chromium, so no `playwright install`)"
)
CHROMIUM = Path(os.environ.get("BIOMINE_CHROMIUM", "/usr/bin/chromium"))
ABSTRACTS = 12  # BC5CDR dev abstracts: enough for relations in several abstracts, still fast
HOSTILE_ID = "pmid:99999999"
HOSTILE_TITLE = "<script>alert(1)</script>"
HOSTILE_ABSTRACT = (
    "Lithium carbonate toxicity <img src=x onerror=alert(2)> caused cardiac arrhythmia "
    "in a newborn infant."
)


@pytest.fixture(scope="session")
def mined_store(shared_data, tmp_path_factory) -> str:
    """The first BC5CDR dev abstracts and one hostile record, through `biomine ingest` and
    `biomine run` with the chemical/disease tagger, MeSH concepts and the CDR classifier."""
    folder = tmp_path_factory.mktemp("mined")
    abstracts = folder / "bc5cdr-dev-head.pubtator"
    abstracts.write_text(pubtator_head(shared_data / BC5CDR_DEV, ABSTRACTS), encoding="utf-8")
    hostile = folder / "hostile.jsonl"
    record = {"id": HOSTILE_ID, "title": HOSTILE_TITLE, "abstract": HOSTILE_ABSTRACT}
    hostile.write_text(json.dumps(record) + "\n", encoding="utf-8")
    url = f"sqlite:///{folder / 'biomine.db'}"
    build_store(url, [abstracts, hostile], timeout=900)  # about 30 s; never hang the suite
    return url


@pytest.fixture
def app_url(mined_store) -> Iterator[str]:
    """A fresh server for each test: what its first request does is part of what is tested."""
    with serve(mined_store) as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api", reason=PLAYWRIGHT_MISSING)
    if not CHROMIUM.is_file():
        pytest.skip(
            f"no Chromium at {CHROMIUM}: install Debian's (apt-get install chromium) or set "
            "BIOMINE_CHROMIUM to a Chromium binary"
        )
    # The app answers in seconds here, but CI machines are shared: wait longer than 5 s.
    playwright_api.expect.set_options(timeout=60_000)
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield browser
        browser.close()


class Watched:
    """A browser tab, with the JavaScript dialogs it opened and the errors it threw."""

    def __init__(self, page) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()


@pytest.fixture
def tab(browser) -> Iterator[Watched]:
    """A fresh tab (its own cookies, so its own app session) at the README's viewport."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(60_000)
    try:
        yield Watched(context.new_page())
    finally:
        context.close()
