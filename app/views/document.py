"""Document: one abstract with its entities highlighted by type, and the relations read
from it with their scores and models."""

from __future__ import annotations

import html

import streamlit as st

from app import reads, url_state
from app.database import database_url
from app.highlight import Mark, highlight, legend
from app.links import anchor, doi_url, pubmed_url

url = database_url()
version = reads.data_version(url)
url_state.seed("doc", url_state.one("doc") or "")

st.title("Document")
doc_id = st.text_input("Document id", key="doc", placeholder="e.g. pmid:12345").strip()
url_state.write({"doc": doc_id or None})
if not doc_id:
    st.info("Enter a document id, or open a document from the evidence of a relation.")
    st.stop()

doc = reads.document(url, version, doc_id)
if doc is None:
    st.warning("No document with this id is stored:")
    st.text(doc_id)  # plain text: the id came from a URL anyone can write
    st.stop()

# --- header and links out -----------------------------------------------------------------

where = ", ".join(str(x) for x in (doc.journal, doc.year) if x)
links = [
    anchor(link, name)
    for link, name in ((pubmed_url(doc.id), "PubMed"), (doi_url(doc.meta.get("doi")), "DOI"))
    if link
]
st.html(
    f"<h2>{html.escape(doc.title)}</h2><p><small>{html.escape(doc.id)}"
    + (f" · {html.escape(where)}" if where else "")
    + "".join(f" · {link}" for link in links)
    + "</small></p>"
)

authors = [a for a in doc.meta.get("authors") or [] if isinstance(a, str)]
if authors:
    st.text(", ".join(authors))


def _mesh_terms(meta: dict) -> list[str]:
    """MeSH headings as "Descriptor / qualifier", major topics starred (the PubMed XML
    reader's layout; stored meta is untrusted, so anything else is skipped)."""
    terms = []
    for heading in meta.get("mesh") or []:
        if not isinstance(heading, dict) or not isinstance(heading.get("descriptor"), str):
            continue
        qualifiers = [
            q.get("name", "") + ("*" if q.get("major") else "")
            for q in heading.get("qualifiers") or []
            if isinstance(q, dict) and isinstance(q.get("name"), str)
        ]
        star = "*" if heading.get("major") else ""
        terms.append(" / ".join([heading["descriptor"] + star, *qualifiers]))
    return terms


# --- the text, highlighted ----------------------------------------------------------------


def _highlighted(source_entities) -> str:
    marks = [Mark(e.start, e.end, e.label) for e in source_entities]
    return (
        f"<p><strong>{highlight(doc.title, marks)}</strong></p>"
        f"<p>{highlight(doc.abstract, marks, offset=len(doc.title) + 1)}</p>"
    )


sources = sorted({e.source for e in doc.entities} | {r.source for r in doc.relations})
if len(sources) > 1:
    chosen = st.multiselect("Models", sources, default=sources, key="doc_sources")
else:
    chosen = sources
entities = [e for e in doc.entities if e.source in chosen]
if entities:
    st.html(f"<p>{legend(e.label for e in entities)}</p>")
tagged_by = sorted({e.source for e in entities})
if len(tagged_by) == 2:  # two models' entities: side by side, to compare
    for column, source in zip(st.columns(2), tagged_by, strict=True):
        with column:
            st.html(f"<h4>{html.escape(source)}</h4>")
            st.html(_highlighted([e for e in entities if e.source == source]))
else:
    st.html(_highlighted(entities))

mesh = _mesh_terms(doc.meta)
if mesh:
    with st.expander(f"MeSH terms ({len(mesh)})"):
        st.text("\n".join(mesh))

# --- relations ----------------------------------------------------------------------------

relations = [r for r in doc.relations if r.source in chosen]
st.subheader(f"Relations ({len(relations)})")
if relations:
    mention = {e.id: e.text for e in doc.entities}
    # A document-level relation (BC5CDR's gold CID lines) links concepts, not mentions: it
    # is shown with the first mention of each concept here, as the others are.
    first_mention: dict[str, str] = {}
    for e in doc.entities:
        if e.concept_id:
            first_mention.setdefault(e.concept_id, e.text)

    def _shown(entity_id: int | None, concept: str) -> str:
        return mention.get(entity_id) or first_mention.get(concept, concept)

    st.dataframe(
        [
            {
                "head": _shown(r.head_entity_id, r.head),
                "relation": r.label,
                "tail": _shown(r.tail_entity_id, r.tail),
                "score": round(r.score, 3),
                "model": r.source,
                "sentence": r.evidence.text if r.evidence else "(document level)",
                "head id": r.head,
                "tail id": r.tail,
            }
            for r in relations
        ],
        key="doc_relations",
        hide_index=True,
    )
else:
    st.info("No relations were found in this document.")
