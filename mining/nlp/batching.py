"""Streams in bounded pieces: components read documents a chunk at a time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice


def chunks(items: Iterable, size: int) -> Iterator[list]:
    """Consecutive lists of ``size`` items (the last may be shorter) from any iterable."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
