"""The app's pages are declared with st.navigation in main.py, never found by folder name."""

from __future__ import annotations

from tests.app.conftest import APP_MAIN


def test_no_pages_folder_beside_the_entry_script():
    # Streamlit serves a pages/ folder beside the entry script as an app of its own to the
    # first visitor of a fresh server who opens a page's link, bypassing main.py; the
    # browser test (tests/e2e) shows the result, this guards it without a browser.
    assert not (APP_MAIN.parent / "pages").exists()
    assert (APP_MAIN.parent / "views" / "relations.py").is_file()
