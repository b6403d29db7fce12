"""The BioGPT generative relation loop, train -> generate -> parse -> score, proved by
overfitting a small BioGPT (real BioGPT vocabulary, random weights) on two dozen BC5CDR
abstracts: it must write back the relations it was trained on."""

from __future__ import annotations

import pytest

from mining.nlp.biogpt.generative_relations import GenerativeRelationExtractor
from mining.nlp.relations.tasks import CDR
from mining.train.build_biogpt import build_biogpt
from mining.train.re_data import load_task_documents
from mining.train.train_biogpt_re import BioGptReConfig, evaluate_generative, train_biogpt_re

N_DOCS = 24


@pytest.fixture(scope="module")
def overfit(shared_data, tmp_path_factory):
    root = tmp_path_factory.mktemp("biogpt-gen")
    base = build_biogpt(
        shared_data / "biogpt_vocab/base", root / "base", hidden=128, layers=2, heads=4
    )
    train = shared_data / "bc5cdr/pubtator/CDR_TrainingSet.PubTator.txt"
    metrics = train_biogpt_re(
        BioGptReConfig(
            task=CDR,
            train=train,
            base=str(base),
            out=root / "model",
            epochs=50,
            lr=3e-3,
            batch_size=4,
            max_source=64,
            limit_docs=N_DOCS,
        )
    )
    return root / "model", train, metrics


def test_overfit_recovers_the_training_relations(overfit):
    _, _, metrics = overfit
    assert metrics["scored_on"] == "train (overfit check)"
    assert metrics["history"][-1]["loss"] < metrics["history"][0]["loss"] / 10
    assert metrics["scores"]["overall"]["f1"] >= 90


def test_saved_model_reloads_and_generates_the_same(overfit):
    folder, train, metrics = overfit
    extractor = GenerativeRelationExtractor.from_pretrained(folder)
    assert extractor.task is CDR and extractor.max_source == 64  # from the folder's config
    docs = load_task_documents(CDR, train)[:N_DOCS]
    scores = evaluate_generative(extractor, docs)
    assert round(100 * scores["overall"].f1, 2) == metrics["scores"]["overall"]["f1"]
    doc = docs[0]
    rels = extractor.relations(doc, doc.entities)
    for r in rels:
        assert r.label == "CID" and r.head_mention.label == "Chemical"
        assert doc.text[r.head_mention.start : r.head_mention.end] == r.head_mention.text
