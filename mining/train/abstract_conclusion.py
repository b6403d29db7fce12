"""An abstract cut into its context and its conclusion, PubMedQA's CONTEXTS and LONG_ANSWER.

PubMedQA (Jin et al., EMNLP 2019) took the conclusion section of structured abstracts as
the long answer and the sections before it as the context. Structure reaches a Document in
two ways: the PubMed XML reader keeps each section's label and NLM category with its span in
``meta["sections"]`` (and writes "LABEL: text" into the abstract), while PubTator and other
flat formats only keep the inline "CONCLUSIONS: ..." text. Unstructured abstracts often end
with a cue sentence ("In conclusion, ...", "These results suggest ..."), which is taken
from there to the end, as long as it is one of the last two sentences.
"""

from __future__ import annotations

import re
from typing import Any

from mining.nlp.sentences import split_sentences
from mining.types import Document

STRUCTURED, CUE = "structured", "cue"

_CONCLUSION_LABEL = re.compile(r"CONCLU|INTERPRETATION|^SUMMARY AND", re.IGNORECASE)
# Inline labels: upper-case words ("RESULTS", "PATIENTS AND METHODS") or the usual
# title-case ones, followed by ": ", at the abstract's start or after a sentence end.
_TITLE_CASE_LABELS = (
    "Background|Objectives?|Aims?|Purpose|Introduction|Methods?|Materials and methods|Design"
    "|Setting|Patients|Participants|Results|Findings|Discussion|Conclusions?|Interpretation"
)
_INLINE_LABEL = re.compile(
    rf"(?:^|(?<=[.!?)\]] ))(?P<label>[A-Z][A-Z&/,\- ]{{1,60}}[A-Z]|{_TITLE_CASE_LABELS}): "
)
_CUE = re.compile(
    r"^(?:In (?:conclusion|summary|sum)\b|To (?:conclude|summari[sz]e)\b"
    r"|We (?:therefore |thus |can |may )?conclude\b|It (?:is|was|can be) (?:therefore )?concluded\b"
    r"|Taken together\b|Collectively\b|Altogether\b|Overall, (?:these|our|the|this)\b"
    r"|(?:(?:Thus|Together|Therefore),? )?(?:These|Our|The(?: present)?|This|Such) "
    r"(?:[\w-]+ ){0,3}?"
    r"(?:results?|findings|data|observations|studies|study|experiments|analyses|work)"
    r"(?:,[^,]{0,80},)? (?:\w+ )?"
    r"(?:suggest|indicate|show|demonstrate|support|imply|reveal|confirm|provide|establish"
    r"|highlight|point|argue|raise|underline|underscore)s?\b)"
)


def split_conclusion(doc: Document) -> tuple[list[str], str, str] | None:
    """(contexts, conclusion, how) of ``doc``'s abstract, or None when it has no conclusion
    or nothing comes before it.

    ``how`` says where the conclusion was found: "structured" (a conclusion section of the
    XML's section list, or a "CONCLUSIONS:" label in the text) or "cue" (a concluding
    sentence). Contexts are the sections before the conclusion, labels dropped, for the
    first, and the sentences before it for the second.
    """
    abstract = doc.abstract.strip()
    if not abstract:
        return None
    sections = _meta_sections(doc.abstract, doc.meta.get("sections") or [])
    found = _from_sections(sections, STRUCTURED) if sections else None
    if found is None:
        found = _from_sections(_inline_sections(abstract), STRUCTURED)
    if found is None:
        found = _from_cue(abstract)
    return found


def _meta_sections(abstract: str, sections: list[dict[str, Any]]) -> list[tuple[str, bool]]:
    """(text without its label, is a conclusion) per section the XML reader recorded."""
    categorised = any(section.get("category") for section in sections)
    out = []
    for section in sections:
        text = abstract[section["start"] : section["end"]]
        label = section.get("label") or ""
        if label and text.startswith(f"{label}: "):
            text = text[len(label) + 2 :]
        if categorised:
            concluding = section.get("category") == "CONCLUSIONS"
        else:
            concluding = bool(_CONCLUSION_LABEL.search(label))
        out.append((text.strip(), concluding))
    return out


def _inline_sections(abstract: str) -> list[tuple[str, bool]]:
    """The abstract cut at its inline labels; [] when no conclusion label is among them."""
    labels = list(_INLINE_LABEL.finditer(abstract))
    if not any(_CONCLUSION_LABEL.search(m["label"]) for m in labels):
        return []
    out = []
    if labels[0].start() > 0:
        out.append((abstract[: labels[0].start()].strip(), False))
    for m, following in zip(labels, [*labels[1:], None], strict=True):
        end = following.start() if following else len(abstract)
        out.append((abstract[m.end() : end].strip(), bool(_CONCLUSION_LABEL.search(m["label"]))))
    return out


def _from_sections(sections: list[tuple[str, bool]], how: str) -> tuple[list[str], str, str] | None:
    """The sections before the first conclusion section as contexts; that section and the
    conclusion sections right after it as the conclusion (a trial registration after them
    is neither)."""
    first = next((i for i, (_, concluding) in enumerate(sections) if concluding), None)
    if first is None:
        return None
    contexts = [text for text, _ in sections[:first] if text]
    parts = []
    for text, concluding in sections[first:]:
        if not concluding:
            break
        parts.append(text)
    conclusion = " ".join(p for p in parts if p)
    if not contexts or not conclusion:
        return None
    return contexts, conclusion, how


def _from_cue(abstract: str) -> tuple[list[str], str, str] | None:
    sentences = [_without_label(abstract[s:e]) for s, e in split_sentences(abstract)]
    sentences = [s for s in sentences if s]
    for j in range(max(len(sentences) - 2, 1), len(sentences)):
        if _CUE.match(sentences[j]):
            return sentences[:j], " ".join(sentences[j:]), CUE
    return None


def _without_label(sentence: str) -> str:
    m = _INLINE_LABEL.match(sentence)
    return sentence[m.end() :].strip() if m else sentence.strip()
