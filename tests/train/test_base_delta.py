"""A full fine-tune exported as its change from the base opens like the full folder."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from mining.errors import ModelError  # noqa: E402
from mining.nlp.model_loader import load_model  # noqa: E402
from mining.train.base_delta import WEIGHTS, export  # noqa: E402
from tests.nlp.tiny_models import tiny_token_classifier  # noqa: E402


def tiny_tagger(folder, seed):
    return tiny_token_classifier(folder, ["O", "B-Gene", "I-Gene"], seed=seed, save=False)


@pytest.fixture
def fine_tuned(tmp_path):
    """A base folder and a "fine-tune" of it: layer 1 and the head changed, the word
    embeddings moved by a rank-2 change, layer 0 untouched."""
    base = tiny_tagger(tmp_path / "base", seed=0)
    base.save_pretrained(tmp_path / "base")
    tuned = tiny_tagger(tmp_path / "tuned", seed=0)
    with torch.no_grad():
        for p in tuned.bert.encoder.layer[1].parameters():
            p.add_(0.1 * torch.randn_like(p))
        tuned.classifier.weight.mul_(3.0)
        emb = tuned.bert.embeddings.word_embeddings.weight
        emb.add_(torch.randn(emb.shape[0], 2) @ torch.randn(2, emb.shape[1]) * 0.2)
    tuned.config.biomine_base = str(tmp_path / "base")
    tuned.half().save_pretrained(tmp_path / "tuned")
    return tmp_path


def logits(model, tokenizer):
    enc = tokenizer("tamoxifen inhibits cyp2d6 and binds aspirin .", return_tensors="pt")
    with torch.no_grad():
        return model.float()(**enc).logits


def test_export_opens_with_the_full_models_outputs(fine_tuned):
    out = export(fine_tuned / "tuned", fine_tuned / "delta", embedding_rank=2)
    full, tok, _ = load_model(fine_tuned / "tuned", "AutoModelForTokenClassification", "NER")
    small, tok2, _ = load_model(out, "AutoModelForTokenClassification", "NER")
    torch.testing.assert_close(logits(small, tok2), logits(full, tok), atol=2e-2, rtol=1e-2)

    from safetensors.torch import load_file

    stored = load_file(str(out / WEIGHTS))
    assert not any(".layer.0." in k for k in stored)  # unchanged: read from the base
    assert any(".layer.1." in k for k in stored)
    b = stored["bert.embeddings.word_embeddings.lora_B.weight"]
    assert b.shape == (full.config.vocab_size, 2)
    assert "bert.embeddings.word_embeddings.weight" not in stored


def test_too_low_a_rank_changes_the_outputs(fine_tuned):
    out = export(fine_tuned / "tuned", fine_tuned / "delta", embedding_rank=1)
    full, tok, _ = load_model(fine_tuned / "tuned", "AutoModelForTokenClassification", "NER")
    small, _, _ = load_model(out, "AutoModelForTokenClassification", "NER")
    assert (logits(small, tok) - logits(full, tok)).abs().max() > 1e-2


def test_a_folder_without_its_base_is_refused(fine_tuned):
    base = fine_tuned / "base"
    with pytest.raises(ModelError, match="biomine_base"):
        export(base, fine_tuned / "delta")


def test_linear_layers_at_full_rank_keep_the_outputs(fine_tuned):
    out = export(fine_tuned / "tuned", fine_tuned / "delta", embedding_rank=2, linear_rank=16)
    full, tok, _ = load_model(fine_tuned / "tuned", "AutoModelForTokenClassification", "NER")
    small, _, _ = load_model(out, "AutoModelForTokenClassification", "NER")
    torch.testing.assert_close(logits(small, tok), logits(full, tok), atol=2e-2, rtol=1e-2)

    from safetensors.torch import load_file

    stored = load_file(str(out / WEIGHTS))
    query = "bert.encoder.layer.1.attention.self.query"
    assert f"{query}.lora_A.weight" in stored and f"{query}.weight" not in stored


def test_int8_export_is_close_and_keeps_only_changed_rows(fine_tuned):
    out = export(fine_tuned / "tuned", fine_tuned / "delta", int8=True)
    full, tok, _ = load_model(fine_tuned / "tuned", "AutoModelForTokenClassification", "NER")
    small, _, _ = load_model(out, "AutoModelForTokenClassification", "NER")
    torch.testing.assert_close(logits(small, tok), logits(full, tok), atol=2e-2, rtol=1e-2)

    from safetensors.torch import load_file

    stored = load_file(str(out / WEIGHTS))
    query = "bert.encoder.layer.1.attention.self.query.weight"
    assert stored[f"{query}.delta_int8"].dtype == torch.int8 and query not in stored
    # The fixture moved every embedding row; a tagger that moved two keeps just those two.
    tuned = tiny_tagger(fine_tuned / "two-rows", seed=0)
    with torch.no_grad():
        tuned.bert.embeddings.word_embeddings.weight[[5, 7]] += 0.05
    tuned.config.biomine_base = str(fine_tuned / "base")
    tuned.half().save_pretrained(fine_tuned / "two-rows")
    stored = load_file(str(export(fine_tuned / "two-rows", fine_tuned / "d2", int8=True) / WEIGHTS))
    rows = stored["bert.embeddings.word_embeddings.weight.delta_rows"]
    assert rows.tolist() == [5, 7]
    assert not any(".encoder." in k for k in stored)  # unchanged: read from the base


def test_row_changes_that_do_not_fit_are_refused(fine_tuned):
    from safetensors.torch import load_file, save_file

    out = export(fine_tuned / "tuned", fine_tuned / "delta", int8=True)
    stored = load_file(str(out / WEIGHTS))
    rows = "bert.embeddings.word_embeddings.weight.delta_rows"
    stored[rows] = stored[rows] + 10_000  # past the vocabulary
    save_file(stored, str(out / WEIGHTS))
    with pytest.raises(ModelError, match="row changes for bert.embeddings.word_embeddings"):
        load_model(out, "AutoModelForTokenClassification", "NER")


def test_weight_decay_alone_costs_no_rows(fine_tuned):
    """AdamW shrinks every row a little; only rows that moved beyond that are stored."""
    from safetensors.torch import load_file

    tuned = tiny_tagger(fine_tuned / "decayed", seed=0)
    with torch.no_grad():
        emb = tuned.bert.embeddings.word_embeddings.weight
        emb.mul_(0.99)
        emb[3] += 0.05
    tuned.config.biomine_base = str(fine_tuned / "base")
    tuned.half().save_pretrained(fine_tuned / "decayed")
    out = export(fine_tuned / "decayed", fine_tuned / "d3", int8=True)
    stored = load_file(str(out / WEIGHTS))
    key = "bert.embeddings.word_embeddings.weight"
    assert stored[f"{key}.delta_rows"].tolist() == [3]
    assert stored[f"{key}.delta_decay"].item() == pytest.approx(0.99, abs=1e-3)
    full, tok, _ = load_model(fine_tuned / "decayed", "AutoModelForTokenClassification", "NER")
    small, _, _ = load_model(out, "AutoModelForTokenClassification", "NER")
    torch.testing.assert_close(
        dict(small.named_parameters())[key].float(), dict(full.named_parameters())[key].float(),
        atol=2e-3, rtol=0,
    )  # fmt: skip
