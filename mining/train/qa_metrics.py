"""PubMedQA's metrics: accuracy and macro-F1 over yes / no / maybe (Jin et al. 2019).

Macro-F1 weighs the rare "maybe" (11 % of PQA-L) as much as "yes": a reader that always says
yes scores 55 % accuracy but a macro-F1 of 24.
"""

from __future__ import annotations

from collections.abc import Sequence

from mining.nlp.qa.answers import LABELS


def qa_scores(gold: Sequence[str], predicted: Sequence[str]) -> dict:
    """``accuracy`` and ``macro_f1`` (percent), per-label P/R/F1 and the confusion counts
    (``confusion[gold][predicted]``)."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold answers but {len(predicted)} predicted")
    pairs = list(zip(gold, predicted, strict=True))
    per_label, f1s = {}, []
    for label in LABELS:
        tp = sum(g == p == label for g, p in pairs)
        n_pred = sum(p == label for _, p in pairs)
        n_gold = sum(g == label for g, _ in pairs)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        if n_gold or n_pred:  # as scikit-learn's macro average: labels that occur
            f1s.append(f1)
        per_label[label] = {
            "precision": round(100 * precision, 2),
            "recall": round(100 * recall, 2),
            "f1": round(100 * f1, 2),
            "gold": n_gold,
            "predicted": n_pred,
        }
    accuracy = sum(g == p for g, p in pairs) / len(pairs) if pairs else 0.0
    return {
        "accuracy": round(100 * accuracy, 2),
        "macro_f1": round(100 * sum(f1s) / len(f1s), 2) if f1s else 0.0,
        "n": len(pairs),
        "labels": per_label,
        "confusion": {g: {p: sum(x == (g, p) for x in pairs) for p in LABELS} for g in LABELS},
    }


def qa_report(scores: dict) -> str:
    head = f"accuracy {scores['accuracy']:.2f}  macro-F1 {scores['macro_f1']:.2f}"
    lines = [f"{head}  (n={scores['n']})"]
    for label, s in scores["labels"].items():
        lines.append(
            f"  {label:<6} P {s['precision']:6.2f} R {s['recall']:6.2f} F1 {s['f1']:6.2f}"
            f"  gold {s['gold']} predicted {s['predicted']}"
        )
    return "\n".join(lines)
