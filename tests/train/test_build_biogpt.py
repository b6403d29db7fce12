"""A BioGPT-architecture tagger end to end: build with the real vocabulary, train, load, tag."""

from __future__ import annotations

import json

import pytest

from mining.nlp.biogpt.tokenizer import BioGptTokenizerFast
from mining.nlp.ner import NerTagger
from mining.train.build_biogpt import build_biogpt
from mining.train.train_ner import NerConfig, train_ner


@pytest.fixture(scope="module")
def tiny_biogpt(shared_data, tmp_path_factory):
    return build_biogpt(
        shared_data / "biogpt_vocab/base",
        tmp_path_factory.mktemp("biogpt") / "base",
        hidden=32,
        layers=1,
        heads=2,
        max_positions=256,
    )


def test_built_folder_is_a_biogpt_with_the_real_vocabulary(tiny_biogpt):
    config = json.loads((tiny_biogpt / "config.json").read_text())
    assert config["model_type"] == "biogpt" and config["vocab_size"] == 42384
    tokenizer = BioGptTokenizerFast.from_pretrained(tiny_biogpt)
    enc = tokenizer("Cisplatin-induced nephrotoxicity.", add_special_tokens=False)
    assert tokenizer.unk_token_id not in enc["input_ids"]


def test_train_load_and_tag(shared_data, tiny_biogpt, tmp_path):
    pubtator = shared_data / "bc5cdr/pubtator"
    out = tmp_path / "tagger"
    metrics = train_ner(
        NerConfig(
            train=[pubtator / "CDR_TrainingSet.PubTator.txt"],
            dev=pubtator / "CDR_DevelopmentSet.PubTator.txt",
            base=str(tiny_biogpt),
            out=out,
            epochs=1,
            lora_r=0,
            lr=1e-3,
            limit_docs=6,
        )
    )
    assert metrics["types"] == ["Chemical", "Disease"]
    card = (out / "README.md").read_text()
    assert "BioGPT-architecture" in card and "Chemical + Disease" in card

    tagger = NerTagger.from_pretrained(out, device="cpu")
    assert type(tagger.model).__name__ == "BioGptForTokenClassification"
    assert isinstance(tagger.tokenizer, BioGptTokenizerFast)
    from mining.train.ner_data import load_documents

    docs = load_documents(pubtator / "CDR_DevelopmentSet.PubTator.txt")[:3]
    for doc, entities in zip(docs, tagger.predict_entities(docs), strict=True):
        for e in entities:
            assert doc.text[e.start : e.end] == e.text and e.label in {"Chemical", "Disease"}


def test_bad_vocabulary_folder(tmp_path):
    from mining.errors import ModelError

    with pytest.raises(ModelError, match="dict.txt"):
        build_biogpt(tmp_path, tmp_path / "out")
