"""What a reader answers, and the BioGPT paper's text format of PubMedQA.

BioGPT (Luo et al. 2022, ``examples/QA-PubMedQA``) fine-tunes a causal LM on
``question: {q} context: {c} `` followed by ``the answer to the question given the context is
{yes|no|maybe}.``; a reader reads the answer off by scoring the three continuations.
"""

from __future__ import annotations

from mining.types import ANSWER_LABELS as LABELS

ANSWERS = "answers"  # what a reader assigns (``doc.meta["answer"]``)
QUESTION = "question"  # the question a document is read for (``doc.meta["question"]``)


def source_text(question: str, context: str) -> str:
    return f"question: {question.strip()} context: {context.strip()} "


def target_text(label: str) -> str:
    if label not in LABELS:
        raise ValueError(f"an answer is one of {LABELS}, not {label!r}")
    return f"the answer to the question given the context is {label}."
