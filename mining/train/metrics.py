"""Strict entity-level metrics on character spans (the BC5CDR / seqeval "strict" metric).

A prediction counts as a true positive only when its document, start, end and type all equal
a gold mention's; a partial overlap is one false positive plus one false negative. Scores are
micro-averaged over all mentions ("overall") and given per type.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mining.types import Entity

Mention = tuple[str, int, int, str]  # (doc_id, start, end, label)
OVERALL = "overall"


@dataclass(frozen=True, slots=True)
class Scores:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(100 * self.precision, 2),
            "recall": round(100 * self.recall, 2),
            "f1": round(100 * self.f1, 2),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


def mentions(entities: Iterable[Entity]) -> set[Mention]:
    return {(e.doc_id, e.start, e.end, e.label) for e in entities}


def strict_scores(gold: Iterable[Mention], predicted: Iterable[Mention]) -> dict[str, Scores]:
    """Per-type and ``"overall"`` strict scores. Duplicates within a set count once."""
    gold_set, pred_set = set(gold), set(predicted)
    labels = sorted({m[3] for m in gold_set | pred_set})
    out: dict[str, Scores] = {}
    for label in labels:
        g = {m for m in gold_set if m[3] == label}
        p = {m for m in pred_set if m[3] == label}
        tp = len(g & p)
        out[label] = Scores(tp, len(p) - tp, len(g) - tp)
    tp = len(gold_set & pred_set)
    out[OVERALL] = Scores(tp, len(pred_set) - tp, len(gold_set) - tp)
    return out


def report(scores: dict[str, Scores]) -> str:
    """A small fixed-width table (P/R/F1 in percent)."""
    lines = [f"{'type':<10} {'P':>6} {'R':>6} {'F1':>6} {'gold':>6} {'pred':>6}"]
    for label, s in scores.items():
        lines.append(
            f"{label:<10} {100 * s.precision:6.2f} {100 * s.recall:6.2f} {100 * s.f1:6.2f} "
            f"{s.tp + s.fn:6d} {s.tp + s.fp:6d}"
        )
    return "\n".join(lines)
