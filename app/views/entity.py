"""Entity: one concept, with the names it is written as, the abstracts that mention it and
the concepts it relates to, grouped by relation type."""

from __future__ import annotations

import html

import streamlit as st

from app import reads, url_state
from app.concept_picker import concept_picker
from app.database import database_url
from app.ego_network import CENTRE, edge_groups, ego_network, node_groups
from app.highlight import FALLBACK_COLOUR, TYPE_COLOURS
from app.links import anchor, pubmed_url

DOCUMENTS_SHOWN = 20  # a page of the abstracts that mention the concept
RELATIONS_PAGE = "views/relations.py"
CENTRE_COLOUR = "#ff8c42"
DOCUMENT_PAGE = "views/document.py"

url = database_url()
version = reads.data_version(url)
if "entity" not in st.session_state:  # a new visit: widget state was dropped, paging too
    st.session_state["entity_after"] = None
    st.session_state["entity"] = url_state.one("concept")


def _restart_documents() -> None:
    st.session_state["entity_after"] = None


st.title("Entity")
concept_id = concept_picker(
    url,
    version,
    key="entity",
    label="Concept",
    empty="choose a concept",
    on_change=_restart_documents,
)
url_state.write({"concept": concept_id})
if concept_id is None:
    st.info("Type a name or an id above, or open a concept from the Relations page.")
    st.stop()

found = reads.concept(url, version, concept_id)
if found is None:
    st.warning("The store knows nothing of this concept:")
    st.text(concept_id)  # plain text: the id came from a URL anyone can write
    st.stop()

st.html(
    f"<h2>{html.escape(found.name or found.id)}</h2>"
    f"<p><small>{html.escape(found.id)} · {html.escape(found.label or 'type unknown')}"
    "</small></p>"
)
mentions, documents = st.columns(2)
mentions.metric("Mentions", f"{found.mentions:,}")
documents.metric("Abstracts", f"{found.documents:,}")
st.page_link(RELATIONS_PAGE, label="Its relations", query_params={"concept": found.id})


def _graph(elements) -> None:
    """The ego network, drawn by st-link-analysis (a maintained Cytoscape component)."""
    try:
        from st_link_analysis import EdgeStyle, NodeStyle, st_link_analysis
    except ImportError:
        st.caption("Install st-link-analysis to see the relations as a graph.")
        return
    # Groups are type_class names ("ent-chemical"): the highlight colours of the same types.
    node_styles = [
        NodeStyle(name, CENTRE_COLOUR if name == CENTRE else
                  TYPE_COLOURS.get(name.removeprefix("ent-"), FALLBACK_COLOUR), "name")
        for name in node_groups(elements)
    ]  # fmt: skip
    # labeled=None: its default (False) trips the library's own deprecation warning.
    edge_styles = [
        EdgeStyle(name, caption="relation", labeled=None, directed=True)
        for name in edge_groups(elements)
    ]
    st_link_analysis(elements, "cose", node_styles, edge_styles, height=420, key="entity_graph")


if found.related:
    st.subheader("Relation network")
    _graph(ego_network(found))

names_column, related_column = st.columns(2)
with names_column:
    st.subheader("Written as")
    st.dataframe(
        [{"name": n.text, "mentions": n.count} for n in found.names],
        key="entity_names",
        hide_index=True,
    )
with related_column:
    st.subheader("Related concepts")
    if not found.related:
        st.info("No relations involve this concept.")
    for label, related in found.related.items():
        st.html(f"<h4>{html.escape(label)}</h4>")
        st.dataframe(
            [
                {
                    "concept": r.name or r.concept,
                    "type": r.type,
                    "side": r.role,
                    "abstracts": r.abstracts,
                    "id": r.concept,
                }
                for r in related
            ],
            key=f"entity_related_{label}",
            hide_index=True,
        )

st.subheader("Abstracts")
page = reads.concept_documents(
    url, version, found.id, st.session_state["entity_after"], DOCUMENTS_SHOWN
)
for item in page.rows:
    where = ", ".join(str(x) for x in (item.journal, item.year) if x)
    pubmed = pubmed_url(item.doc_id)
    with st.container(border=True):
        st.html(
            f"<strong>{html.escape(item.title)}</strong><br><small>{html.escape(item.doc_id)}"
            + (f" · {html.escape(where)}" if where else "")
            + (f" · {anchor(pubmed, 'PubMed')}" if pubmed else "")
            + "</small>"
        )
        link = {"doc": item.doc_id}
        st.page_link(DOCUMENT_PAGE, label="Open the document", query_params=link)


def _more() -> None:
    st.session_state["entity_after"] = page.next


def _first() -> None:
    st.session_state["entity_after"] = None


first, more = st.columns(2)
first.button("First abstracts", key="entity_first", on_click=_first,
             disabled=st.session_state["entity_after"] is None)  # fmt: skip
more.button("More abstracts", key="entity_more", on_click=_more, disabled=page.next is None)
