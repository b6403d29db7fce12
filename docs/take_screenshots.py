"""The README's screenshots of the web app, taken in headless Chromium on a real store.

    python docs/take_screenshots.py [--abstracts 500] [--db sqlite:///shots.db]

Builds the store as a user does (`biomine ingest` of the BC5CDR dev abstracts, then `biomine
run` with the shipped models; both resume, so a kept --db is reused), starts `biomine ui`,
chooses the CDR model's best-supported relation on the Relations page and saves
docs/relations.png (its evidence), docs/entity.png (its head concept) and docs/document.png
(its first supporting abstract). Needs the shared corpora, playwright and Debian's chromium,
as tests/e2e does.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a script: this checkout's tests.e2e helpers

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from mining.store.database import open_database  # noqa: E402
from mining.store.queries import store_sources  # noqa: E402
from tests.e2e.live_app import BC5CDR_DEV, build_store, pubtator_head, serve  # noqa: E402
from tests.e2e.streamlit_ui import (  # noqa: E402
    add_to,
    choose,
    evidence_items,
    scroll_to,
    settle,
)

SHARED_DATA = REPO.parent / "shared" / "data"
CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1400, "height": 900}
OUT = REPO / "docs"


def _store(db: str | None, abstracts: int, folder: Path) -> str:
    url = db or f"sqlite:///{folder / 'biomine.db'}"
    source = folder / "bc5cdr-dev.pubtator"
    source.write_text(pubtator_head(SHARED_DATA / BC5CDR_DEV, abstracts), encoding="utf-8")
    started = time.monotonic()
    ran = build_store(url, [source], models=())  # the shipped defaults, as `biomine run`
    print(ran.strip().splitlines()[0], f"({time.monotonic() - started:.0f} s in all)")
    return url


def _shoot(page, name: str, anchor, top: int) -> None:
    """Save the window with ``anchor`` scrolled to ``top`` px, once the app is idle."""
    settle(page)  # scrolled earlier, a rerun could still move the page
    scroll_to(anchor, top)
    # The pointer to an empty corner of the page: no table toolbar or sidebar button shown.
    page.mouse.move(VIEWPORT["width"] - 10, VIEWPORT["height"] - 10)
    page.wait_for_timeout(300)
    path = OUT / f"{name}.png"
    page.screenshot(path=path)
    print(f"{path.relative_to(REPO)}: {path.stat().st_size / 1024:.0f} KiB")


def take(base: str, model: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        page = browser.new_page(viewport=VIEWPORT)
        page.set_default_timeout(90_000)
        expect.set_options(timeout=90_000)

        # Relations: the CDR model's best-supported pair (first in the box) with its
        # evidence (the gold rows of BC5CDR have no sentence to show).
        page.goto(base)
        add_to(page, "Model", model)
        option = choose(page, "Show the evidence of", re.compile(r"\(\d+ abstracts\)$"))
        heading = page.get_by_role("heading", name=f"Evidence: {option}")
        expect(evidence_items(page).first).to_be_visible()
        _shoot(page, "relations", heading, 470)  # the table above, the sentences below
        pair_link = page.url

        # Entity: the pair's head concept, from its link on the Relations page.
        page.get_by_role("link", name="The head concept").click()
        names = page.get_by_role("heading", name="Written as")
        expect(names).to_be_visible()
        page.wait_for_timeout(3000)  # the relation network settles its layout
        _shoot(page, "entity", names, 430)  # the network above, names and relations below

        # Document: the first supporting abstract, from the pair's evidence.
        page.goto(pair_link)
        expect(evidence_items(page).first).to_be_visible()
        page.get_by_role("link", name="Open the document").first.click()
        title = page.get_by_role("heading", level=2)
        expect(title).to_be_visible()
        _shoot(page, "document", title, 60)
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--abstracts", type=int, default=500, help="BC5CDR dev abstracts")
    parser.add_argument("--db", help="database URL to build or reuse (default: a temporary one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = _store(args.db, args.abstracts, Path(folder))
        # The shipped CDR relation classifier, as the store names it (folder@version).
        model = next(s for s in store_sources(open_database(url)) if s.startswith("re-cdr@"))
        with serve(url) as base:
            take(base, model)


if __name__ == "__main__":
    main()
