"""Right-padding of token id sequences into batch tensors, shared by inference and training."""

from __future__ import annotations

from collections.abc import Sequence


def pad_batch(sequences: Sequence[Sequence[int]], pad_id: int):
    """``(ids, attention_mask)`` tensors, right-padded."""
    import torch

    width = max(len(s) for s in sequences)
    ids = torch.full((len(sequences), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(sequences), width), dtype=torch.long)
    for i, s in enumerate(sequences):
        ids[i, : len(s)] = torch.tensor(s)
        mask[i, : len(s)] = 1
    return ids, mask
