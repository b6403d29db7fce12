"""Pretraining text: documents -> windows of subword ids -> shuffled batches, streamed.

A document's text (title + abstract) is tokenized whole and cut into windows of at most
``max_tokens`` subwords, the tokenizer's special tokens included. A fixed share of the
documents (chosen by a hash of the id, so the same on every pass and in every resumed run)
is held out for evaluation. Training batches are drawn from a buffer of windows filled from
the stream: shuffled, sorted by length within pools (less padding), and the batches
shuffled again; only a buffer and the held-out windows are ever in memory.
"""

from __future__ import annotations

import logging
import math
import random
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from mining.corpus.detect import read_any
from mining.errors import InputError
from mining.nlp.token_encoding import special_affixes
from mining.train.ner_data import length_batches
from mining.types import Document

log = logging.getLogger(__name__)

Documents = Callable[[], Iterable[Document]]  # called once per pass over the text
TOKENIZE_BATCH = 256


def read_corpora(names: Sequence[str | Path]) -> Documents:
    """The documents of corpus files and folders in any format ``biomine ingest`` reads,
    re-read on each call; a missing input is an ``InputError`` now, a bad record is logged
    and skipped (and counted in the warning), deletions in PubMed update files are ignored.
    A document id met again (the same abstract in a corpus' PubTator and BioC copies) is
    read once: the first one counts. The ids seen are held for the pass, so a whole PubMed
    baseline is better ingested into the store (which keeps one version a document) and
    read from there."""
    names = [str(n) for n in names]
    for name in names:
        if not Path(name).exists():
            raise InputError(name, "no such file or folder")

    def documents() -> Iterator[Document]:
        skipped, seen, repeated = 0, set(), 0

        def note(error: InputError) -> None:
            nonlocal skipped
            skipped += 1
            if skipped <= 10:
                log.warning("skipped: %s", error)

        for name in names:
            for item in read_any(name, on_error=note):
                if isinstance(item, Document):
                    if item.id in seen:
                        repeated += 1
                        continue
                    seen.add(item.id)
                    yield item
        if skipped:
            log.warning("%d bad records skipped", skipped)
        if repeated:
            log.info("%d documents met again under an id already read: read once", repeated)

    return documents


def held_out(doc_id: str, share: float) -> bool:
    """Whether a document is in the held-out share (stable: a hash of its id)."""
    return zlib.crc32(doc_id.encode()) % 10_000 < share * 10_000


def document_windows(
    tokenizer, docs: Iterable[Document], max_tokens: int
) -> Iterator[tuple[str, list[int]]]:
    """``(doc id, ids)`` of each window: consecutive pieces of the document's subwords,
    wrapped in the tokenizer's special tokens."""
    prefix, suffix = special_affixes(tokenizer)
    size = max_tokens - len(prefix) - len(suffix)
    if size < 1:
        raise InputError(f"--max-tokens {max_tokens}", "no room beside the special tokens")
    chunk: list[Document] = []

    def flush() -> Iterator[tuple[str, list[int]]]:
        texts = [d.text for d in chunk]
        encoded = tokenizer(texts, add_special_tokens=False, verbose=False)["input_ids"]
        for doc, ids in zip(chunk, encoded, strict=True):
            for start in range(0, len(ids), size):
                yield doc.id, prefix + ids[start : start + size] + suffix

    for doc in docs:
        if doc.text.strip():
            chunk.append(doc)
        if len(chunk) >= TOKENIZE_BATCH:
            yield from flush()
            chunk = []
    if chunk:
        yield from flush()


@dataclass
class Scan:
    """What one pass over the text found: training windows (None when not counted), the
    held-out windows, and whether they come from held-out documents (False: a corpus too
    small to hold any out; then the first training windows stand in)."""

    train_windows: int | None
    eval_windows: list[list[int]]
    held_out: bool


class WindowStream:
    def __init__(
        self,
        documents: Documents,
        tokenizer,
        max_tokens: int,
        held_out_share: float = 0.02,
        buffer: int = 20_000,
        name: str = "the input",
    ):
        self.documents, self.tokenizer, self.max_tokens = documents, tokenizer, max_tokens
        self.share, self.buffer, self.name = held_out_share, buffer, name

    def windows(self) -> Iterator[tuple[bool, list[int]]]:
        """``(held out?, ids)`` of every window, in document order."""
        for doc_id, ids in document_windows(self.tokenizer, self.documents(), self.max_tokens):
            yield held_out(doc_id, self.share), ids

    def scan(self, eval_limit: int, count: bool) -> Scan:
        """Collect up to ``eval_limit`` held-out windows; with ``count``, read everything and
        count the training windows (to size the schedule), else stop once the held-out set is
        full. An ``InputError`` when there is no training text at all."""
        evals: list[list[int]] = []
        firsts: list[list[int]] = []
        n_train = 0
        for is_held, ids in self.windows():
            if is_held:
                if len(evals) < eval_limit:
                    evals.append(ids)
            else:
                n_train += 1
                if len(firsts) < eval_limit:
                    firsts.append(ids)
            if not count and n_train and len(evals) >= eval_limit:
                break
        if not n_train:
            raise InputError(
                self.name, "no text to pretrain on (no document with a title or abstract)"
            )
        if not evals:
            log.warning("too few documents to hold any out: evaluating on training windows")
            return Scan(n_train if count else None, firsts[: max(1, eval_limit // 50)], False)
        return Scan(n_train if count else None, evals, True)

    def batches(self, rng: random.Random, batch_size: int) -> Iterator[list[list[int]]]:
        """Training windows in shuffled batches of similar length, a buffer at a time."""
        buffer: list[list[int]] = []
        for is_held, ids in self.windows():
            if is_held:
                continue
            buffer.append(ids)
            if len(buffer) >= self.buffer:
                yield from _shuffled(buffer, rng, batch_size)
                buffer = []
        if buffer:
            yield from _shuffled(buffer, rng, batch_size)

    def batch_count(self, n_windows: int, batch_size: int) -> int:
        """How many batches ``batches`` yields from ``n_windows`` training windows."""
        full, rest = divmod(n_windows, self.buffer)
        return full * math.ceil(self.buffer / batch_size) + math.ceil(rest / batch_size)


def _shuffled(windows: list[list[int]], rng: random.Random, batch_size: int):
    lengths = [len(w) for w in windows]
    for rows in length_batches(lengths, batch_size, rng):
        yield [windows[i] for i in rows]
