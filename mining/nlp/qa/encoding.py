"""A (question, abstract) pair as a sequence classifier reads it: the tokenizer's own pair
format (``[CLS] question [SEP] context [SEP]`` for BERT-family encoders).

An abstract often exceeds the model's window (PubMedQA contexts: median 324 MiniLM tokens,
90th percentile 440). Cutting its end would drop the results and the conclusion, which carry
the answer; cutting its start would drop the objective, which ties the abstract to the
question. So whole sentences go from the middle (the second sentence first) until the rest
fits, and only a first-plus-last that is still too long is cut, from its start. Training and
reading share this one function, so the model is trained on what it later reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

QUESTION_TOKENS = 64  # the longest question kept (PubMedQA titles: 99th percentile ~40)


@dataclass(frozen=True)
class EncodedPair:
    ids: list[int]
    type_ids: list[int]  # the question's segment, then the context's (BERT: 0s, then 1s)


def fit_sentences(sentence_ids: Sequence[Sequence[int]], budget: int) -> list[int]:
    """The context's ids within ``budget``: sentences dropped from the middle, then the
    start cut."""
    keep = list(range(len(sentence_ids)))
    total = sum(len(x) for x in sentence_ids)
    while total > budget and len(keep) > 2:
        total -= len(sentence_ids[keep.pop(1)])
    ids = [t for i in keep for t in sentence_ids[i]]
    return ids[len(ids) - budget :] if len(ids) > budget else ids


def encode_pair(tokenizer, question: str, sentences: Sequence[str], max_tokens: int) -> EncodedPair:
    """The encoder's input for ``question`` over the context ``sentences``, at most
    ``max_tokens`` ids with the special tokens."""
    q = tokenizer(question, add_special_tokens=False)["input_ids"][:QUESTION_TOKENS]
    pieces = tokenizer(list(sentences), add_special_tokens=False)["input_ids"] if sentences else []
    start, sep, end = pair_tokens(tokenizer)
    context = fit_sentences(pieces, max(0, max_tokens - len(q) - len(start + sep + end)))
    ids = [*start, *q, *sep, *context, *end]
    first = len(start) + len(q) + len(sep)
    return EncodedPair(ids, [0] * first + [1] * (len(ids) - first))


def pair_tokens(tokenizer) -> tuple[list[int], list[int], list[int]]:
    """The special ids before the question, between the two and after the context: BERT's
    ``[CLS] q [SEP] c [SEP]``; BioGPT's (and other decoders') ``</s> q </s> c``."""
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    if cls is not None and sep is not None and cls != sep:
        return [cls], [sep], [sep]
    eos = tokenizer.eos_token_id if tokenizer.eos_token_id is not None else sep
    bos = tokenizer.bos_token_id
    return [bos if bos is not None and bos != eos else eos], [eos], []
