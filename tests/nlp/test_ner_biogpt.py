"""The shipped BioGPT-architecture tagger: the real vocabulary, the fast tokenizer, real tags."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from mining.nlp.biogpt.tokenizer import BioGptTokenizerFast
from mining.nlp.ner import NerTagger
from mining.train.metrics import mentions, strict_scores
from mining.train.ner_data import load_documents
from mining.types import Document

MODEL = Path(__file__).resolve().parents[2] / "models" / "ner-biogpt-chem-disease"


@pytest.fixture(scope="module")
def tagger():
    if not (MODEL / "model.safetensors").is_file():
        pytest.skip(f"shipped BioGPT tagger not found at {MODEL}")
    return NerTagger.from_pretrained(MODEL, device="cpu")


def test_it_is_a_biogpt_with_bioMines_fast_tokenizer(tagger):
    assert type(tagger.model).__name__ == "BioGptForTokenClassification"
    assert isinstance(tagger.tokenizer, BioGptTokenizerFast)
    assert tagger.model.config.vocab_size == 42384  # the real BioGPT base vocabulary
    assert tagger.types == {"Chemical", "Disease"}


def test_tags_text_with_exact_offsets(tagger):
    text = "Cisplatin-induced nephrotoxicity was observed in rats treated with haloperidol."
    found = tagger.tag(Document("t", text))
    assert all(text[e.start : e.end] == e.text for e in found)
    assert ("Cisplatin", "Chemical") in {(e.text, e.label) for e in found}


def test_dev_slice_scores_like_its_card(tagger, shared_data):
    docs = list(
        itertools.islice(
            load_documents(shared_data / "bc5cdr/pubtator/CDR_DevelopmentSet.PubTator.txt"), 25
        )
    )
    gold = {(e.doc_id, e.start, e.end, e.label) for d in docs for e in d.entities}
    pred = set()
    for ents in tagger.predict_entities(docs):
        pred |= mentions(ents)
    assert strict_scores(gold, pred)["overall"].f1 > 0.55  # 66.51 on the whole dev set
