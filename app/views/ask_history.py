"""Ask history: the questions asked with `biomine ask`, each answer and the abstracts it
rests on, with the evidence sentence each reader verdict came from."""

from __future__ import annotations

import html

import streamlit as st

from app import reads, url_state
from app.answer_view import answer_html, probabilities
from app.database import database_url

QUESTIONS_SHOWN = 50
DOCUMENT_PAGE = "views/document.py"

url = database_url()
version = reads.data_version(url)
st.title("Ask history")
asked = reads.questions(url, version, QUESTIONS_SHOWN)
if not asked:
    st.info('No questions asked yet: ask one with `biomine ask "..."`.')
    st.stop()

by_id = {q.id: q for q in asked}
wanted = url_state.integer("q")
url_state.seed("question", wanted if wanted in by_id else None)
question_id = st.selectbox(
    "Question",
    [None, *by_id],
    key="question",
    format_func=lambda i: "choose a question" if i is None else by_id[i].question,
)
url_state.write({"q": str(question_id) if question_id is not None else None})

st.dataframe(
    [
        {
            "asked": q.asked_at.strftime("%Y-%m-%d %H:%M"),
            "question": q.question,
            "answer": q.label,
            "abstracts": q.n_answers,
            "retrieval": q.retrieval,
            "reader": q.source,
        }
        for q in asked
    ],
    key="questions",
    hide_index=True,
)

if question_id is not None:
    question = by_id[question_id]
    st.html(
        f"<h3>{html.escape(question.question)}</h3>"
        f"<p>Answer: <strong>{html.escape(question.label)}</strong>"
        f" ({probabilities(question.probs)})</p>"
    )
    for answer in reads.answers(url, version, question_id):
        with st.container(border=True):
            st.html(
                answer_html(
                    answer.rank, answer.doc_id, answer.title, answer.label, answer.probs,
                    answer.evidence,
                )
            )  # fmt: skip
            st.page_link(
                DOCUMENT_PAGE, label="Open the document", query_params={"doc": answer.doc_id}
            )
