"""Which tokens a pretraining batch hides, and what stands in their place.

Two corruption rules, as pure functions of an id batch and a torch generator (a fixed one
makes held-out evaluation comparable between steps):

- masked LM (BERT, Devlin et al. 2019): 15% of the real tokens are chosen; 80% of those
  become ``[MASK]``, 10% a random token, 10% stay as they are;
- the generator's input in ELECTRA (Clark et al. 2020, and its ``pretrain_helpers``): 15%
  chosen, 85% of those ``[MASK]``, the rest kept; the generator's samples then replace them
  (``sample_tokens``: Gumbel-max, no gradient flows through the sampling).

Special tokens ([CLS], [SEP]) and padding are never chosen.
"""

from __future__ import annotations

from dataclasses import dataclass

IGNORE = -100


@dataclass(frozen=True)
class Vocabulary:
    """What masking needs of a tokenizer."""

    size: int
    mask_id: int
    pad_id: int
    special_ids: tuple[int, ...]

    @classmethod
    def of(cls, tokenizer) -> Vocabulary:
        return cls(
            size=len(tokenizer),
            mask_id=tokenizer.mask_token_id,
            pad_id=tokenizer.pad_token_id or 0,
            special_ids=tuple(sorted(set(tokenizer.all_special_ids))),
        )


def choose(ids, attention, vocab: Vocabulary, prob: float, generator=None):
    """A bool tensor: the real, non-special tokens chosen with probability ``prob``; at least
    one per batch (an all-unchosen batch would have no masked-LM loss at all)."""
    import torch

    special = torch.isin(ids, torch.tensor(vocab.special_ids, device=ids.device))
    candidates = attention.bool() & ~special
    draw = torch.rand(ids.shape, generator=generator, device=generator_device(generator, ids))
    chosen = candidates & (draw.to(ids.device) < prob)
    if not chosen.any() and candidates.any():
        first = candidates.flatten().nonzero()[0]
        chosen.view(-1)[first] = True
    return chosen


def mlm_inputs(ids, attention, vocab: Vocabulary, prob: float = 0.15, generator=None):
    """``(inputs, labels)`` of masked LM with BERT's 80/10/10 rule; labels are -100 where
    nothing is predicted."""
    import torch

    chosen = choose(ids, attention, vocab, prob, generator)
    dev = generator_device(generator, ids)
    draw = torch.rand(ids.shape, generator=generator, device=dev).to(ids.device)
    random_ids = torch.randint(vocab.size, ids.shape, generator=generator, device=dev)
    inputs = ids.clone()
    inputs[chosen & (draw < 0.8)] = vocab.mask_id
    swap = chosen & (draw >= 0.8) & (draw < 0.9)
    inputs[swap] = random_ids.to(ids.device)[swap]
    labels = torch.where(chosen, ids, torch.full_like(ids, IGNORE))
    return inputs, labels


def generator_inputs(ids, attention, vocab: Vocabulary, prob: float = 0.15, generator=None):
    """``(inputs, chosen)`` of ELECTRA's generator: 85% of the chosen tokens ``[MASK]``, the
    rest left as they are (still predicted)."""
    import torch

    chosen = choose(ids, attention, vocab, prob, generator)
    draw = torch.rand(ids.shape, generator=generator, device=generator_device(generator, ids))
    inputs = ids.clone()
    inputs[chosen & (draw.to(ids.device) < 0.85)] = vocab.mask_id
    return inputs, chosen


def sample_tokens(logits, generator=None):
    """One token per row of ``logits`` sampled from their softmax (Gumbel-max), without a
    gradient."""
    import torch

    with torch.no_grad():
        logits = logits.detach().float()
        dev = generator_device(generator, logits)
        u = torch.rand(logits.shape, generator=generator, device=dev).to(logits.device)
        exponential = (-torch.log(u.clamp_min(1e-12))).clamp_min(1e-12)
        gumbel = -torch.log(exponential)
        return (logits + gumbel).argmax(-1)


def generator_device(generator, like):
    """Where a draw from ``generator`` must happen: its own device (a CPU generator for an
    evaluation on the GPU), else ``like``'s."""
    return generator.device if generator is not None else like.device
