"""How `biomine eval` commands print scores: one JSON object, or a table per setting."""

from __future__ import annotations

from rich.table import Table

from mining.train.metrics import OVERALL, Scores


def scores_json(scores: dict[str, Scores]) -> dict:
    """``precision``, ``recall``, ``f1`` (percent), ``tp``, ``fp``, ``fn`` of the overall
    scores, and ``per_type`` with the same keys for every other entry."""
    rest = {t: s for t, s in scores.items() if t != OVERALL}
    return scores[OVERALL].as_dict() | {"per_type": {t: s.as_dict() for t, s in rest.items()}}


def scores_table(title: str, scores: dict[str, Scores]) -> Table:
    """P/R/F1 in percent with gold and predicted counts, overall last."""
    table = Table("type", "P", "R", "F1", "gold", "predicted", title=title)
    rows = [(t, s) for t, s in scores.items() if t != OVERALL] + [(OVERALL, scores[OVERALL])]
    for label, s in rows:
        table.add_row(
            label,
            f"{100 * s.precision:.2f}",
            f"{100 * s.recall:.2f}",
            f"{100 * s.f1:.2f}",
            f"{s.tp + s.fn:,}",
            f"{s.tp + s.fp:,}",
        )
    return table
