"""PubMedQA records as reader training examples, and the folds of cross-validation.

A labelled question teaches twice: reasoning-required (the question over the contexts, as the
reader meets an abstract whose conclusion it must infer) and, with ``long_answer``,
reasoning-free (the contexts followed by the conclusion, which states the answer: the signal
that ties the answer to how abstracts conclude). Contexts are split into sentences, the unit
``encoding.encode_pair`` drops when an abstract is too long.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mining.corpus.pubmedqa import PubMedQaRecord
from mining.nlp.qa.answers import LABELS
from mining.nlp.sentences import split_sentences

REQUIRED, FREE, ARTIFICIAL = "reasoning-required", "reasoning-free", "artificial"


@dataclass(frozen=True)
class QaExample:
    question: str
    sentences: tuple[str, ...]
    label: str
    kind: str  # REQUIRED, FREE or ARTIFICIAL
    doc_id: str = ""


def sentences_of(texts: Iterable[str]) -> tuple[str, ...]:
    return tuple(t[s:e] for t in texts for s, e in split_sentences(t))


def record_examples(record: PubMedQaRecord, kinds: Sequence[str] = (REQUIRED,)) -> list[QaExample]:
    """The record's examples of each kind (REQUIRED: contexts; FREE: contexts + conclusion)."""
    if record.decision not in LABELS:
        raise ValueError(f"PMID {record.pmid} has no yes/no/maybe decision")
    out = []
    for kind in kinds:
        texts = [*record.contexts, record.long_answer] if kind == FREE else record.contexts
        out.append(
            QaExample(record.question, sentences_of(texts), record.decision, kind, record.doc_id)
        )
    return out


def stratified_folds(
    records: Sequence[PubMedQaRecord], n_folds: int, seed: int = 0
) -> list[list[PubMedQaRecord]]:
    """``n_folds`` disjoint folds with each answer's share kept (records sorted by PMID, then
    shuffled per answer with ``seed`` and dealt round-robin), so the split is reproducible."""
    if n_folds < 2 or n_folds > len(records):
        raise ValueError(f"cannot make {n_folds} folds of {len(records)} records")
    folds: list[list[PubMedQaRecord]] = [[] for _ in range(n_folds)]
    rng = random.Random(seed)
    at = 0
    for label in LABELS:
        group = sorted((r for r in records if r.decision == label), key=lambda r: r.pmid)
        rng.shuffle(group)
        for record in group:
            folds[at % n_folds].append(record)
            at += 1
    return folds
