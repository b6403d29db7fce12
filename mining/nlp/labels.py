"""Token labels: a model's label names as ``O`` / ``B-Type`` / ``I-Type`` in store types."""

from __future__ import annotations

from collections.abc import Sequence

from mining.entity_types import store_type


def bio_label(label: str) -> str:
    """Normalise a model label to ``O`` / ``B-Type`` / ``I-Type`` with store type names."""
    if label.upper() == "O":
        return "O"
    if len(label) > 2 and label[0] in "BIES" and label[1] in "-_":
        prefix = "B" if label[0] in "BS" else "I"
        return f"{prefix}-{store_type(label[2:])}"
    return f"I-{store_type(label)}"  # IO scheme


def bio_labels(types: Sequence[str]) -> list[str]:
    """The label list of a BIO tagger of ``types``: ``O`` then ``B-``/``I-`` of each."""
    return ["O"] + [f"{p}-{t}" for t in types for p in ("B", "I")]
