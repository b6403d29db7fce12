"""Sentences as subword ids with document offsets, and the windows long ones are cut into.

Shared by the taggers (inference) and ``mining.train.ner_data`` (training), so a model never
sees at inference a context shape it was not trained on.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Encoded:
    """One sentence tokenised without special tokens; offsets are document coordinates."""

    doc_id: str
    span: tuple[int, int]
    ids: list[int]
    offsets: list[tuple[int, int]]
    word_ids: list[int | None]
    cased: list[int]  # 1 where the token's text has an upper-case letter


def encode_span(tokenizer, doc_id: str, text: str, span: tuple[int, int]) -> Encoded:
    s, e = span
    enc = tokenizer(text[s:e], add_special_tokens=False, return_offsets_mapping=True)
    offsets = [(a + s, b + s) for a, b in enc["offset_mapping"]]
    cased = [int(any(c.isupper() for c in text[a:b])) for a, b in offsets]
    return Encoded(doc_id, span, list(enc["input_ids"]), offsets, list(enc.word_ids()), cased)


def uses_case_types(config) -> bool:
    """Whether a tagger reads letter case through its token type ids (``biomine_case_types``:
    an uncased encoder otherwise cannot tell the gene ``CAT`` from a cat)."""
    return bool(getattr(config, "biomine_case_types", False))


def special_affixes(tokenizer) -> tuple[list[int], list[int]]:
    """The ids a tokenizer puts before and after a sequence (``[CLS]``/``[SEP]`` for BERT,
    ``</s>`` first for BioGPT), read off its own template."""
    inner = tokenizer("a", add_special_tokens=False)["input_ids"]
    full = tokenizer("a")["input_ids"]
    for i in range(len(full) - len(inner) + 1):
        if full[i : i + len(inner)] == inner:
            return list(full[:i]), list(full[i + len(inner) :])
    return [], []


def window_bounds(n: int, size: int, stride: int | None = None) -> list[tuple[int, int]]:
    """Overlapping ``[a, b)`` windows of at most ``size`` positions covering ``range(n)``.

    Consecutive windows overlap by ``size - stride`` (default: half a window), so every
    position has context on both sides in at least one window; nothing is truncated.
    """
    if size <= 0:
        raise ValueError("window size must be positive")
    if n <= size:
        return [(0, n)]
    stride = stride or max(1, size // 2)
    bounds = []
    a = 0
    while True:
        b = min(a + size, n)
        bounds.append((a, b))
        if b == n:
            return bounds
        a += stride
