"""One abstract read for a question, as HTML: its verdict and the evidence sentence marked."""

from __future__ import annotations

import html

from app.highlight import Mark, highlight
from app.links import anchor, pubmed_url
from mining.store.queries import Span


def probabilities(probs: dict[str, float]) -> str:
    return " · ".join(f"{html.escape(label)} {p:.2f}" for label, p in sorted(probs.items()))


def answer_html(
    rank: int, doc_id: str, title: str, label: str, probs: dict[str, float], evidence: Span | None
) -> str:
    if evidence is not None:
        mark = Mark(evidence.start, evidence.end, "evidence")
        sentence = highlight(evidence.text, [mark], offset=evidence.start)
    else:
        sentence = "<em>no evidence sentence recorded</em>"
    pubmed = pubmed_url(doc_id)
    return (
        f"<p><strong>{rank}. {html.escape(title)}</strong> ({html.escape(doc_id)}"
        + (f" · {anchor(pubmed, 'PubMed')}" if pubmed else "")
        + f")</p><p>Verdict: <strong>{html.escape(label)}</strong>"
        + (f" ({probabilities(probs)})" if probs else "")
        + f"</p><p>{sentence}</p>"
    )
