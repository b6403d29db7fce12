"""PubTator documents -> sentence windows with character-aligned subword labels.

The tagger infers on sentence windows (``mining.nlp.sentences.split_document``, long sentences
cut into overlapping windows); training uses exactly the same windows, so the model never
sees a context shape at inference that it was not trained on. Labels are aligned on
characters through the fast tokenizer's ``offset_mapping``: a subword that overlaps a gold
mention is inside it (B- on the first such subword, I- on the rest), every subword is
labelled (decoding aggregates them per word).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from mining.entity_types import store_type
from mining.errors import OnError
from mining.nlp.sentences import split_document
from mining.nlp.token_encoding import Encoded, encode_span, special_affixes, window_bounds
from mining.types import Document

ENTITY_TYPES = ("Chemical", "Disease")
IGNORE = -100


def encode_documents(tokenizer, docs: Iterable[Document]) -> Iterator[tuple[Document, Encoded]]:
    for doc in docs:
        text = doc.text
        for span in split_document(doc.title, doc.abstract):
            yield doc, encode_span(tokenizer, doc.id, text, span)


def token_labels(
    offsets: Sequence[tuple[int, int]], mentions: Iterable[tuple[int, int, str]]
) -> list[str]:
    """BIO label of each subword from character-offset mentions ``(start, end, type)``."""
    labels = ["O"] * len(offsets)
    for ms, me, typ in sorted(mentions):
        first = True
        for i, (s, e) in enumerate(offsets):
            if s < me and e > ms and s != e:
                labels[i] = f"{'B' if first else 'I'}-{typ}"
                first = False
    return labels


def training_examples(
    docs: Iterable[Document],
    tokenizer,
    label2id: dict[str, int],
    max_tokens: int = 128,
) -> list[dict[str, list[int]]]:
    """``{"input_ids", "labels", "token_type_ids"}`` per window, with the tokenizer's special
    tokens added ([CLS]/[SEP] for BERT; labels -100 there); the type ids mark cased tokens
    (``mining.nlp.token_encoding.uses_case_types``)."""
    prefix, suffix = special_affixes(tokenizer)
    size = max_tokens - len(prefix) - len(suffix)
    out = []
    for doc, enc in encode_documents(tokenizer, docs):
        s0, e0 = enc.span
        ments = [
            (m.start, m.end, m.label)
            for m in doc.entities
            if m.label in {k.split("-", 1)[-1] for k in label2id} and m.start < e0 and m.end > s0
        ]
        labels = token_labels(enc.offsets, ments)
        for a, b in window_bounds(len(enc.ids), size):
            ids = [*prefix, *enc.ids[a:b], *suffix]
            labs = [*[IGNORE] * len(prefix), *(label2id[x] for x in labels[a:b])]
            labs += [IGNORE] * len(suffix)
            types = [0] * len(prefix) + enc.cased[a:b] + [0] * len(suffix)
            out.append({"input_ids": ids, "labels": labs, "token_type_ids": types})
    return out


def length_batches(
    lengths: Sequence[int], batch_size: int, rng: random.Random, pool: int = 50
) -> list[list[int]]:
    """Shuffled batches of similar lengths (less padding on CPU): shuffle, sort within pools
    of ``pool`` batches, cut, shuffle the batches."""
    idx = list(range(len(lengths)))
    rng.shuffle(idx)
    batches = []
    step = batch_size * pool
    for p in range(0, len(idx), step):
        chunk = sorted(idx[p : p + step], key=lambda i: lengths[i])
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def corpus_types(docs: Iterable[Document]) -> list[str]:
    """The entity types a corpus' gold mentions use, sorted (what a tagger trained on it
    learns)."""
    return sorted({e.label for d in docs for e in d.entities})


def mention_counts(docs: Iterable[Document]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for d in docs:
        for e in d.entities:
            counts[e.label] = counts.get(e.label, 0) + 1
    return dict(sorted(counts.items()))


def load_documents(path: str | Path, on_error: OnError = None) -> list[Document]:
    """Documents with gold mentions from any corpus ``read_any`` reads (PubTator, BioC, ...),
    gold types mapped to store types (``mining.entity_types``). A missing or unreadable file is an
    ``InputError`` naming it."""
    from mining.corpus.detect import read_any

    docs = [d for d in read_any(path, on_error=on_error) if isinstance(d, Document)]
    for doc in docs:
        for e in doc.entities:
            e.label = store_type(e.label)
    return docs
