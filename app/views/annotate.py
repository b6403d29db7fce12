"""Annotate: any pasted text through the shipped pipeline (taggers, concepts, relation
extractors), its entities highlighted and its relations listed; nothing is stored."""

from __future__ import annotations

import streamlit as st

from app.highlight import Mark, highlight, legend
from mining.errors import BioMineError
from mining.types import Document

MAX_CHARS = 20_000  # a few abstracts; the models run on this request's time
EXAMPLE = (
    "Lithium carbonate can cause nephrogenic diabetes insipidus. Tamoxifen is metabolised "
    "by CYP2D6, and aspirin inhibits COX-1."
)


@st.cache_resource(show_spinner="Loading the models (once per server)...")
def pipeline():
    # Imported here: torch and transformers load only when this page is used.
    from mining.pipeline import Pipeline

    return Pipeline.from_pretrained()


@st.cache_data(ttl=600, max_entries=100, show_spinner="Reading the text...")
def annotated(text: str) -> Document:
    loaded = pipeline()
    doc = Document("text:1", text)
    result = loaded.process([doc])
    if result.failures:
        failed = result.failures[0]
        raise BioMineError(f"{failed.component}: {failed.error}")
    doc.entities = sorted(
        (e for rows in result.entities.values() for e in rows), key=lambda e: (e.start, e.end)
    )
    doc.relations = [r for rows in result.relations.values() for r in rows]
    return doc


st.title("Annotate")
st.session_state.setdefault("annotate_text", EXAMPLE)
text = st.text_area("Text", key="annotate_text", max_chars=MAX_CHARS, height=150)
if not text.strip():
    st.info("Paste a sentence or an abstract.")
    st.stop()

try:
    doc = annotated(text)
except BioMineError as error:  # a model that cannot load, or that fails on this text
    st.error("The models could not read this text.")
    st.code(str(error), language=None)
    st.stop()

if doc.entities:
    st.html(f"<p>{legend(e.label for e in doc.entities)}</p>")
st.html(f"<p>{highlight(doc.text, [Mark(e.start, e.end, e.label) for e in doc.entities])}</p>")
st.dataframe(
    [
        {"text": e.text, "type": e.label, "concept": e.concept_id, "score": round(e.score, 3),
         "model": e.source}
        for e in doc.entities
    ],
    hide_index=True,
)  # fmt: skip
st.subheader(f"Relations ({len(doc.relations)})")
if doc.relations:
    st.dataframe(
        [
            {
                "head": r.head_mention.text if r.head_mention else r.head,
                "relation": r.label,
                "tail": r.tail_mention.text if r.tail_mention else r.tail,
                "score": round(r.score, 3),
                "model": r.source,
            }
            for r in doc.relations
        ],
        hide_index=True,
    )
else:
    st.info("No relations found between these entities.")
