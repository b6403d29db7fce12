"""Overview: what the store holds, by type and by model, and the runs that filled it."""

from __future__ import annotations

from collections import Counter

import streamlit as st

from app import reads
from app.database import database_url

RUNS_SHOWN = 20

url = database_url()
version = reads.data_version(url)
stats = reads.stats(url, version)

st.title("Overview")
documents, abstracts, concepts, questions = st.columns(4)
documents.metric("Documents", f"{stats.documents:,}")
abstracts.metric("With abstract", f"{stats.with_abstract:,}")
concepts.metric("Concepts", f"{stats.concepts:,}")
questions.metric("Questions asked", f"{stats.questions:,}")
first, last = stats.years
if first is not None:
    st.caption(f"Published {first}–{last}.")


def _by_label(counts: dict[tuple[str, str], int]) -> list[dict]:
    """Rows per type over every model, most first."""
    totals: Counter[str] = Counter()
    for (_, label), n in counts.items():
        totals[label] += n
    return [{"type": label, "rows": n} for label, n in totals.most_common()]


entities_column, relations_column = st.columns(2)
for column, title, counts in (
    (entities_column, "Entities by type", stats.entities),
    (relations_column, "Relations by type", stats.relations),
):
    with column:
        st.subheader(title)
        if counts:
            st.bar_chart(_by_label(counts), x="type", y="rows", horizontal=True)
            st.dataframe(
                [{"model": s, "type": label, "rows": n} for (s, label), n in counts.items()],
                hide_index=True,
            )
        else:
            st.info("None stored yet.")

st.subheader("Runs")
runs = reads.runs(url, version, RUNS_SHOWN)
if runs:
    st.dataframe(
        [
            {
                "id": r.id,
                "kind": r.kind,
                "model": r.source,
                "status": r.status,
                "started": r.started_at.strftime("%Y-%m-%d %H:%M"),
                "finished": r.finished_at.strftime("%Y-%m-%d %H:%M") if r.finished_at else "",
                "counts": ", ".join(f"{k} {v}" for k, v in r.counts.items()),
            }
            for r in runs
        ],
        hide_index=True,
    )
else:
    st.info("No runs recorded yet.")
