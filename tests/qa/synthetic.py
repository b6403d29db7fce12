"""A small PubMedQA-format set whose answer is written in the results sentence, and a tiny
BERT base with the vocabulary to read it (no model hub here): a reader that learns must get
them right; one that collapses to "yes" cannot."""

from __future__ import annotations

import json
from pathlib import Path

from tests.nlp.tiny_models import tiny_classifier

VOCAB = (
    "does drug help patients ? the trial enrolled adults . results : outcome improved "
    "not unclear was we conclude it helps no effect"
).split()
CUES = {"yes": "the outcome improved .", "no": "the outcome was not improved .",
        "maybe": "the outcome was unclear ."}  # fmt: skip
CONCLUSIONS = {"yes": "we conclude it helps .", "no": "we conclude no effect .",
               "maybe": "we conclude unclear ."}  # fmt: skip


def synthetic_records(n_per_label: int = 6) -> dict:
    """PubMedQA JSON: contexts (background, results with the cue), the conclusion, the label."""
    records = {}
    for i in range(n_per_label):
        for j, label in enumerate(("yes", "no", "maybe")):
            pmid = str(1000 + 3 * i + j)
            records[pmid] = {
                "QUESTION": "does the drug help patients ?",
                "CONTEXTS": ["the trial enrolled adults .", "results : " + CUES[label]],
                "LABELS": ["BACKGROUND", "RESULTS"],
                "LONG_ANSWER": CONCLUSIONS[label],
                "final_decision": label,
            }
    return records


def write_synthetic(folder: Path, n_per_label: int = 6) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "pqal.json"
    path.write_text(json.dumps(synthetic_records(n_per_label)))
    return path


def tiny_base(folder: Path) -> Path:
    """A randomly initialised 1-layer BERT encoder with the synthetic vocabulary and, like
    MiniLM, no task head."""
    from transformers import BertForSequenceClassification

    tiny_classifier(folder, ["a", "b"], words=VOCAB)
    encoder = BertForSequenceClassification.from_pretrained(folder).bert
    (folder / "model.safetensors").unlink()
    encoder.save_pretrained(folder)
    return folder
