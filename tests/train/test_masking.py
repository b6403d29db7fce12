"""Pretraining's corruption rules (``mining.train.masking``): only real, non-special tokens
are chosen, at the asked rate; BERT's 80/10/10 and ELECTRA's 85/15 splits; Gumbel-max
sampling follows the softmax; a fixed generator gives the same masks twice."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from mining.train.masking import (  # noqa: E402
    IGNORE,
    Vocabulary,
    generator_inputs,
    mlm_inputs,
    sample_tokens,
)

VOCAB = Vocabulary(size=100, mask_id=4, pad_id=0, special_ids=(0, 1, 2, 3, 4))
ROWS, WIDTH, REAL = 200, 64, 50  # 50 real tokens a row: [CLS] 48 words [SEP], then padding


def batch():
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(5, VOCAB.size, (ROWS, WIDTH), generator=g)
    ids[:, 0], ids[:, REAL - 1], ids[:, REAL:] = 2, 3, 0
    attention = torch.zeros_like(ids)
    attention[:, :REAL] = 1
    return ids, attention


def test_mlm_chooses_real_words_only_and_splits_them_80_10_10():
    ids, attention = batch()
    inputs, labels = mlm_inputs(ids, attention, VOCAB, 0.15, torch.Generator().manual_seed(1))
    chosen = labels != IGNORE
    assert not chosen[:, 0].any() and not chosen[:, REAL - 1 :].any()
    assert torch.equal(labels[chosen], ids[chosen])
    share = chosen.sum().item() / (ROWS * (REAL - 2))
    assert 0.14 < share < 0.16
    masked = (inputs == VOCAB.mask_id) & chosen
    kept = (inputs == ids) & chosen
    n = chosen.sum().item()
    assert 0.77 < masked.sum().item() / n < 0.83
    assert 0.08 < kept.sum().item() / n < 0.13  # 10% kept, plus random draws of the same id
    assert torch.equal(inputs[~chosen], ids[~chosen])  # nothing else touched


def test_electra_masks_85_percent_of_the_chosen_and_keeps_the_rest():
    ids, attention = batch()
    inputs, chosen = generator_inputs(ids, attention, VOCAB, 0.15, torch.Generator().manual_seed(1))
    n = chosen.sum().item()
    assert 0.82 < ((inputs == VOCAB.mask_id) & chosen).sum().item() / n < 0.88
    assert torch.equal(inputs[~chosen], ids[~chosen])
    again, _ = generator_inputs(ids, attention, VOCAB, 0.15, torch.Generator().manual_seed(1))
    assert torch.equal(inputs, again)


def test_a_batch_always_has_a_masked_token():
    ids, attention = batch()
    _, chosen = generator_inputs(ids[:1, :5], attention[:1, :5], VOCAB, 1e-9)
    assert chosen.sum() == 1


def test_gumbel_sampling_follows_the_softmax():
    logits = torch.log(torch.tensor([[0.7, 0.2, 0.1]])).repeat(20_000, 1)
    logits.requires_grad_(True)
    samples = sample_tokens(logits, torch.Generator().manual_seed(0))
    assert not samples.requires_grad
    shares = torch.bincount(samples, minlength=3).float() / len(samples)
    assert torch.allclose(shares, torch.tensor([0.7, 0.2, 0.1]), atol=0.015)
