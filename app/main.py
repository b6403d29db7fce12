"""The BioMine web app: `biomine ui` runs this with `streamlit run app/main.py`.

The database URL comes from $BIOMINE_DB (the CLI sets it from --db); every page reads it
read-only through mining.store.queries.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Streamlit puts only this script's folder on sys.path; the checkout's root is needed to
# import the `app` and `mining` packages of this very checkout.
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from app.database import app_engine  # noqa: E402
from app.highlight import stylesheet  # noqa: E402

st.set_page_config(page_title="BioMine", layout="wide")
# The page scripts live in views/, not pages/: Streamlit runs a pages/ folder beside this
# script as an old-style app of its own when a fresh server's first visitor opens a link
# to a page (/document?doc=...), skipping this script and its sys.path, stylesheet and
# database check.
pages = [
    st.Page("views/relations.py", title="Relations", url_path="relations", default=True),
    st.Page("views/entity.py", title="Entity", url_path="entity"),
    st.Page("views/document.py", title="Document", url_path="document"),
    st.Page("views/annotate.py", title="Annotate", url_path="annotate"),
    st.Page("views/overview.py", title="Overview", url_path="overview"),
    st.Page("views/ask.py", title="Ask", url_path="ask"),
    st.Page("views/ask_history.py", title="Ask history", url_path="ask-history"),
]
page = st.navigation(pages)
app_engine()  # a missing or foreign database stops here, with one message, on any page
st.html(stylesheet())
page.run()
