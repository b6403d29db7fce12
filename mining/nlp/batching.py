"""Streams in bounded pieces: components read documents a chunk at a time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice


def chunks(items: Iterable, size: int) -> Iterator[list]:
    """Consecutive lists of ``size`` items (the last may be shorter) from any iterable."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


# Padded tokens a forward pass may hold: on a CPU, past a few thousand the matrix products
# gain nothing, and on a GPU a budget keeps a batch of long sentences from running out of
# memory where short ones batch wide.
DEFAULT_BATCH_TOKENS = 8192


def token_batches(
    lengths: Sequence[int], max_rows: int, max_tokens: int | None = DEFAULT_BATCH_TOKENS
) -> list[list[int]]:
    """Indices of ``lengths`` sorted by length and cut into batches of at most ``max_rows``
    whose padded size (rows x the longest) stays within ``max_tokens`` (a longer single
    item is a batch of its own)."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches: list[list[int]] = []
    batch: list[int] = []
    for i in order:
        # sorted ascending: the item joining is the batch's longest
        if batch and (
            len(batch) >= max_rows or (max_tokens and (len(batch) + 1) * lengths[i] > max_tokens)
        ):
            batches.append(batch)
            batch = []
        batch.append(i)
    if batch:
        batches.append(batch)
    return batches
