"""Ask: a yes / no / maybe question answered from the stored abstracts, live, with the
abstracts it rests on; earlier questions (`biomine ask`) listed below.

The app's connection is read-only, so a question asked here is answered, not recorded:
`biomine ask` records. The reader is the one `biomine ui --reader` named ($BIOMINE_READER).
"""

from __future__ import annotations

import html
import os

import streamlit as st

from app import reads, url_state
from app.answer_view import answer_html, probabilities
from app.database import database_url, engine_for
from mining.ask import READER_ENV, AskResult
from mining.errors import BioMineError
from mining.store.queries import Span

EARLIER_SHOWN = 10
ANSWER_TTL_SECONDS = 60
HISTORY_PAGE = "views/ask_history.py"
DOCUMENT_PAGE = "views/document.py"


@st.cache_resource(show_spinner="Loading the reader (once per server)...")
def reader(reader_id: str):
    from mining.nlp.qa.open_reader import open_reader  # torch loads only when asked

    return open_reader(reader_id)


@st.cache_resource(show_spinner="Loading the sentence encoder...")
def embedder():
    from mining.nlp.embeddings import Embedder
    from mining.shipped_models import default_embedder

    return Embedder.from_pretrained(default_embedder())


# A live answer costs a reader pass: kept a minute (not keyed on the data version, which a
# running ingest moves on every batch).
@st.cache_data(ttl=ANSWER_TTL_SECONDS, max_entries=50, show_spinner="Reading the abstracts...")
def answered(url: str, reader_id: str, question: str, k: int) -> AskResult:
    from mining.ask import ask
    from mining.store.queries import embedding_sources

    engine = engine_for(url)
    encoder = embedder() if embedding_sources(engine) else None  # hybrid when vectors exist
    return ask(engine, question, reader(reader_id), k=k, embedder=encoder)


url = database_url()
reader_id = os.environ.get(READER_ENV, "").strip()
url_state.seed("ask_question", url_state.one("question") or "")
url_state.seed("ask_k", min(max(url_state.integer("k") or 10, 1), 50))

st.title("Ask")
if not reader_id:
    st.info(
        "No reader is loaded: start the app with `biomine ui --reader MODEL` (a folder or hub "
        "id such as microsoft/BioGPT-Large-PubMedQA) to ask questions here."
    )
with st.form("ask_form"):
    st.text_input("Question", key="ask_question", placeholder="Does aspirin prevent stroke?")
    st.slider("Abstracts to read", 1, 50, key="ask_k")
    st.form_submit_button("Ask", disabled=not reader_id)
question = " ".join(st.session_state["ask_question"].split())
k = st.session_state["ask_k"]
url_state.write({"question": question or None, "k": str(k) if question else None})

if question and reader_id:
    try:
        result = answered(url, reader_id, question, k)
    except BioMineError as error:  # a reader that cannot load
        st.error("The reader could not be loaded.")
        st.code(str(error), language=None)
        result = None
    if result is not None and result.label is None:
        st.info("No stored abstract matches this question.")
    elif result is not None:
        st.html(
            f"<h3>{html.escape(result.question)}</h3><p>Answer: <strong>"
            f"{html.escape(result.label)}</strong> ({probabilities(result.probs)}), from "
            f"{len(result.abstracts)} abstracts ranked by {html.escape(result.retrieval)}</p>"
        )
        for read in result.abstracts:
            span = read.answer.evidence
            evidence = Span(span[0], span[1], read.evidence_text or "") if span else None
            with st.container(border=True):
                st.html(
                    answer_html(
                        read.rank, read.document.id, read.document.title, read.answer.label,
                        read.answer.probs, evidence,
                    )
                )  # fmt: skip
                link = {"doc": read.document.id}
                st.page_link(DOCUMENT_PAGE, label="Open the document", query_params=link)

st.subheader("Earlier questions")
earlier = reads.questions(url, reads.data_version(url), EARLIER_SHOWN)
if not earlier:
    st.caption("None yet: `biomine ask` records the questions it answers.")
for asked in earlier:
    question_column, link_column = st.columns([4, 1])
    question_column.html(
        f"<p>{html.escape(asked.question)} — <strong>{html.escape(asked.label)}</strong></p>"
    )
    link_column.page_link(HISTORY_PAGE, label="Its abstracts", query_params={"q": str(asked.id)})
