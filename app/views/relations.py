"""Relations (the landing page): concept pairs ranked by supporting abstracts, filtered,
paged, and one click from the highlighted sentences that support each pair."""

from __future__ import annotations

import html

import streamlit as st

from app import reads, supporting_documents, url_state
from app.concept_picker import concept_picker
from app.database import database_url
from app.highlight import Mark, highlight
from app.links import anchor, pubmed_url
from app.relations_csv import relations_csv
from mining.store.queries import SORTS, DocumentView, Evidence, RelationRow

PAGE_SIZE = 50
CSV_MAX_ROWS = 100_000  # a download beyond this would stall the app; filter first
DOCUMENT_PAGE = "views/document.py"
ENTITY_PAGE = "views/entity.py"
EVIDENCE_SHOWN = 100  # sentences listed for one pair, newest documents first

Pair = tuple[str, str, str]  # head, tail, relation label
SORT_NAMES = {
    "abstracts": "Supporting abstracts",
    "mentions": "Mentions",
    "best_score": "Best score",
    "last_year": "Latest year",
    "head_name": "Head name (A–Z)",
    "tail_name": "Tail name (A–Z)",
}
NAME_SORTS = ("head_name", "tail_name")  # their cursor holds a name, the others a number


def _pair(row: RelationRow) -> Pair:
    return (row.head, row.tail, row.label)


def _name(concept: str, name: str | None) -> str:
    return name or concept


def _reset_paging() -> None:
    """A changed filter starts again at the first page."""
    st.session_state["after"] = None
    st.session_state["earlier"] = []


# --- state: seeded from the URL, written back after the widgets ---------------------------

url = database_url()
version = reads.data_version(url)
offered = reads.filter_options(url, version)
# Streamlit drops a page's widget state when the user leaves it, but not the paging state
# (no widget holds it): a return visit resets that too, to what its URL says.
returning = "types" not in st.session_state
url_state.seed("types", [t for t in url_state.many("type") if t in offered.labels])
url_state.seed("head_types", [t for t in url_state.many("head_type") if t in offered.entity_types])
url_state.seed("tail_types", [t for t in url_state.many("tail_type") if t in offered.entity_types])
url_state.seed("sources", [s for s in url_state.many("source") if s in offered.sources])
url_state.seed("journals", [j for j in url_state.many("journal") if j in offered.journals])
url_state.seed("sort", url_state.one("sort") if url_state.one("sort") in SORTS else "abstracts")
first_year, last_year = offered.years
has_years = first_year is not None and last_year is not None and first_year < last_year
if has_years:
    wanted = url_state.year_range("years")
    low, high = wanted if wanted else (first_year, last_year)
    low, high = max(low, first_year), min(high, last_year)
    url_state.seed("years", (low, high) if low <= high else (first_year, last_year))
# On the slider's 0.05 grid, within [0, 1]: a hand-edited URL cannot break the widget.
url_state.seed(
    "min_score", round(min(max(url_state.number("min_score") or 0.0, 0.0), 1.0) * 20) / 20
)
url_state.seed("concept", url_state.one("concept"))
cursor = url_state.json_list("after", 4)
valid_cursor = (
    cursor
    and url_state.sort_value(cursor[0], text=st.session_state["sort"] in NAME_SORTS)
    and all(isinstance(v, str) for v in cursor[1:])
)
if returning:
    st.session_state["after"] = tuple(cursor) if valid_cursor else None
    st.session_state["earlier"] = []
selected = url_state.json_list("pair", 3)
url_state.seed(
    "pair", tuple(selected) if selected and all(isinstance(v, str) for v in selected) else None
)

st.title("Relations")

# --- filters ------------------------------------------------------------------------------

with st.sidebar:
    st.multiselect("Relation type", offered.labels, key="types", on_change=_reset_paging)
    st.multiselect("Head type", offered.entity_types, key="head_types", on_change=_reset_paging)
    st.multiselect("Tail type", offered.entity_types, key="tail_types", on_change=_reset_paging)
    concept_picker(
        url, version, key="concept", label="Concept", empty="any concept", on_change=_reset_paging
    )
    st.slider("Minimum score", 0.0, 1.0, step=0.05, key="min_score", on_change=_reset_paging)
    if has_years:
        st.slider("Publication years", first_year, last_year, key="years", on_change=_reset_paging)
    st.multiselect("Journal", offered.journals, key="journals", on_change=_reset_paging)
    st.multiselect("Model", offered.sources, key="sources", on_change=_reset_paging)
    st.selectbox(
        "Sort by", list(SORTS), key="sort", format_func=SORT_NAMES.get, on_change=_reset_paging
    )

# The full year range filters nothing (and keeps the documents that have no year).
years = st.session_state["years"] if has_years else None
narrowed = years if years and tuple(years) != (first_year, last_year) else None
filters = dict(
    labels=tuple(st.session_state["types"]),
    head_types=tuple(st.session_state["head_types"]),
    tail_types=tuple(st.session_state["tail_types"]),
    concept=st.session_state["concept"],
    min_score=st.session_state["min_score"] or None,
    sources=tuple(st.session_state["sources"]),
    years=tuple(narrowed) if narrowed else None,
    journals=tuple(st.session_state["journals"]),
)
sort = st.session_state["sort"]

# --- the table ----------------------------------------------------------------------------

page = reads.relation_page(
    url, version, **filters, sort=sort, after=st.session_state["after"], limit=PAGE_SIZE
)
if not page.rows and not any(filters.values()) and st.session_state["after"] is None:
    st.error(
        "This database holds no relations yet: run the models over it with `biomine run`, "
        "then reload this page."
    )
    st.stop()

if page.rows:
    st.dataframe(
        [
            {
                "head": _name(row.head, row.head_name),
                "head type": row.head_type,
                "relation": row.label,
                "tail": _name(row.tail, row.tail_name),
                "tail type": row.tail_type,
                "abstracts": row.abstracts,
                "mentions": row.mentions,
                "best score": round(row.best_score, 3),
                "years": "–".join(
                    dict.fromkeys(str(y) for y in (row.first_year, row.last_year) if y)
                ),
                "head id": row.head,
                "tail id": row.tail,
            }
            for row in page.rows
        ],
        key="table",
        hide_index=True,
    )
else:
    st.info("No relations match these filters.")


def _next_page() -> None:
    st.session_state["earlier"] = [*st.session_state["earlier"], st.session_state["after"]]
    last = page.next
    st.session_state["after"] = (last.value, last.head, last.tail, last.label)


def _previous_page() -> None:
    earlier = st.session_state["earlier"]
    st.session_state["after"] = earlier[-1] if earlier else None
    st.session_state["earlier"] = earlier[:-1]


first, previous, following, download = st.columns(4)
first.button("First page", key="first_page", on_click=_reset_paging,
             disabled=st.session_state["after"] is None)  # fmt: skip
previous.button("Previous page", key="previous_page", on_click=_previous_page,
                disabled=st.session_state["after"] is None)  # fmt: skip
following.button("Next page", key="next_page", on_click=_next_page, disabled=page.next is None)


def _filtered_csv() -> str:
    """Every row the filters match (up to CSV_MAX_ROWS), page by page: run on click only."""
    rows: list[RelationRow] = []
    after = None
    while len(rows) < CSV_MAX_ROWS:
        chunk = reads.relation_page(url, version, **filters, sort=sort, after=after, limit=1000)
        rows += chunk.rows
        if chunk.next is None:
            break
        after = (chunk.next.value, chunk.next.head, chunk.next.tail, chunk.next.label)
    return relations_csv(rows[:CSV_MAX_ROWS])


download.download_button(
    "Download CSV", _filtered_csv, file_name="relations.csv", mime="text/csv", key="csv"
)

# --- the evidence of one pair -------------------------------------------------------------

shown = {_pair(row): row for row in page.rows}
pair_options: list[Pair | None] = [None, *shown]
if st.session_state["pair"] is not None and st.session_state["pair"] not in shown:
    pair_options.append(st.session_state["pair"])  # from a shared link, on another page


def _pair_label(pair: Pair | None) -> str:
    if pair is None:
        return "choose a pair"
    row = shown.get(pair)
    if row is None:
        return f"{pair[0]} – {pair[2]} – {pair[1]}"
    return (
        f"{_name(row.head, row.head_name)} – {row.label} – {_name(row.tail, row.tail_name)} "
        f"({row.abstracts} abstracts)"
    )


st.selectbox("Show the evidence of", pair_options, key="pair", format_func=_pair_label)


def _evidence_html(item: Evidence, row: RelationRow | None) -> str:
    marks = [
        Mark(span.start, span.end, kind or "entity")
        for span, kind in (
            (item.head, row.head_type if row else None),
            (item.tail, row.tail_type if row else None),
        )
        if span is not None
    ]
    if item.sentence is None:
        body = "<em>document-level relation: no supporting sentence recorded</em>"
    else:
        body = highlight(item.sentence.text, marks, offset=item.sentence.start)
    where = ", ".join(str(x) for x in (item.journal, item.year) if x)
    pubmed = pubmed_url(item.doc_id)
    return (
        f"<p>{body}</p><p><small><strong>{html.escape(item.title)}</strong>"
        + (f" ({html.escape(where)})" if where else "")
        + f" · {html.escape(item.doc_id)} · score {item.score:.3f} · {html.escape(item.source)}"
        + (f" · {anchor(pubmed, 'PubMed')}" if pubmed else "")
        + "</small></p>"
    )


def _views(doc_ids: list[str]) -> list[DocumentView]:
    """The documents to download, read when the button is pressed (not on every run)."""
    return [v for v in (reads.document(url, version, d) for d in doc_ids) if v is not None]


pair = st.session_state["pair"]
if pair is not None:
    row = shown.get(pair)
    # pair_evidence takes one model: the evidence follows the Model filter when it names one.
    chosen = st.session_state["sources"]
    model = chosen[0] if len(chosen) == 1 else None
    items = reads.evidence(url, version, *pair, model, EVIDENCE_SHOWN)
    heading = _pair_label(pair) if row else f"{pair[0]} – {pair[2]} – {pair[1]}"
    st.html(f"<h3>Evidence: {html.escape(heading)}</h3>")
    head_link, tail_link = st.columns(2)
    head_link.page_link(ENTITY_PAGE, label="The head concept", query_params={"concept": pair[0]})
    tail_link.page_link(ENTITY_PAGE, label="The tail concept", query_params={"concept": pair[1]})
    if items:
        doc_ids = list(dict.fromkeys(item.doc_id for item in items))
        as_pubtator, as_bioc = st.columns(2)
        as_pubtator.download_button(
            f"Supporting documents as PubTator ({len(doc_ids)})",
            lambda: supporting_documents.pubtator(_views(doc_ids)),
            file_name="evidence.pubtator",
            mime="text/plain",
            key="evidence_pubtator",
        )
        as_bioc.download_button(
            f"Supporting documents as BioC JSON ({len(doc_ids)})",
            lambda: supporting_documents.bioc_json(_views(doc_ids)),
            file_name="evidence.bioc.json",
            mime="application/json",
            key="evidence_bioc",
        )
    if not items:
        st.info("No stored relation rows support this pair.")
    elif len(items) == EVIDENCE_SHOWN:
        st.caption(f"The {EVIDENCE_SHOWN} supporting rows of the newest documents.")
    for item in items:
        with st.container(border=True):
            st.html(_evidence_html(item, row))
            st.page_link(
                DOCUMENT_PAGE, label="Open the document", query_params={"doc": item.doc_id}
            )

url_state.write(
    {
        "type": list(st.session_state["types"]),
        "head_type": list(st.session_state["head_types"]),
        "tail_type": list(st.session_state["tail_types"]),
        "years": "-".join(str(y) for y in narrowed) if narrowed else None,
        "concept": st.session_state["concept"],
        "min_score": str(st.session_state["min_score"]) if st.session_state["min_score"] else None,
        "source": list(st.session_state["sources"]),
        "journal": list(st.session_state["journals"]),
        "sort": sort if sort != "abstracts" else None,
        "after": url_state.as_json(st.session_state["after"]),
        "pair": url_state.as_json(pair),
    }
)
