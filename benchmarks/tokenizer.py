"""Tokenizer speed: BioMine's BioGptTokenizerFast against transformers.BioGptTokenizer.

    python benchmarks/tokenizer.py [--vocab base] [--repeat 5] [--batch-size 64] [--json out.json]

Both tokenizers use BioGPT's real vocabulary (``../shared/data/biogpt_vocab/<vocab>``; the
slow one reads hub files written to a temporary folder). The corpus is the 500 BC5CDR
development documents, each ``title + " " + abstract`` as in ``Document.text``. Every repeat
runs each variant once over the whole corpus in batches of ``--batch-size``, interleaved; the
best repeat of each counts (machines here are noisy: compare the ratios, measured in the same
process). Tokens/s counts the ids returned, which are checked to be identical.

Variants of the fast tokenizer: ids only; with offsets (what NER needs); and with Rust's
thread pool forced on (``TOKENIZERS_PARALLELISM=true``) instead of its default, off: the
Python Moses step holds the GIL, so Rust threads mostly wait for each other.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

SHARED = REPO.parent / "shared" / "data"
DEV = SHARED / "bc5cdr" / "pubtator" / "CDR_DevelopmentSet.PubTator.txt"


def read_documents(path: Path) -> list[str]:
    """``title + " " + abstract`` per PubTator document."""
    parts: dict[str, dict[str, str]] = {}
    for match in re.finditer(r"^(\d+)\|([ta])\|(.*)$", path.read_text(encoding="utf-8"), re.M):
        parts.setdefault(match.group(1), {})[match.group(2)] = match.group(3)
    return [f"{doc.get('t', '')} {doc.get('a', '')}" for doc in parts.values()]


def batches(texts: list[str], size: int) -> list[list[str]]:
    return [texts[i : i + size] for i in range(0, len(texts), size)]


def timed(encode: Callable[[list[str]], list[list[int]]], chunks: list[list[str]]):
    start = time.perf_counter()
    ids = [row for chunk in chunks for row in encode(chunk)]
    return time.perf_counter() - start, ids


def with_threads(on: bool, encode: Callable[[list[str]], list[list[int]]]):
    """Run ``encode`` with ``TOKENIZERS_PARALLELISM`` unset (the default) or forced on."""

    def run(chunk: list[str]) -> list[list[int]]:
        previous = os.environ.pop("TOKENIZERS_PARALLELISM", None)
        if on:
            os.environ["TOKENIZERS_PARALLELISM"] = "true"
        try:
            return encode(chunk)
        finally:
            os.environ.pop("TOKENIZERS_PARALLELISM", None)
            if previous is not None:
                os.environ["TOKENIZERS_PARALLELISM"] = previous

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vocab", default="base", choices=["base", "large"])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    from transformers import BioGptTokenizer

    from mining.nlp.biogpt.tokenizer import BioGptTokenizerFast
    from mining.nlp.biogpt.vocab import fairseq_to_hub

    vocab_dir = SHARED / "biogpt_vocab" / args.vocab
    vocab_file, merges_file = fairseq_to_hub(vocab_dir, tempfile.mkdtemp(prefix="biogpt-vocab-"))
    slow = BioGptTokenizer(str(vocab_file), str(merges_file))
    fast = BioGptTokenizerFast.from_fairseq(vocab_dir)
    texts = read_documents(DEV)
    chunks = batches(texts, args.batch_size)

    variants: dict[str, Callable[[list[str]], list[list[int]]]] = {
        "BioGptTokenizer (slow, reference)": lambda c: slow(c)["input_ids"],
        "BioGptTokenizerFast": with_threads(False, lambda c: fast(c)["input_ids"]),
        "BioGptTokenizerFast + offsets": with_threads(
            False, lambda c: fast(c, return_offsets_mapping=True)["input_ids"]
        ),
        "BioGptTokenizerFast, Rust threads on": with_threads(True, lambda c: fast(c)["input_ids"]),
    }
    for encode in variants.values():  # warm caches (BPE words, regexes) before timing
        encode(chunks[0])
    best = dict.fromkeys(variants, float("inf"))
    reference: list[list[int]] | None = None
    for _ in range(args.repeat):
        for name, encode in variants.items():
            seconds, ids = timed(encode, chunks)
            best[name] = min(best[name], seconds)
            reference = reference or ids
            if ids != reference:
                raise SystemExit(f"{name}: ids differ from the slow tokenizer's")

    tokens = sum(len(row) for row in reference or [])
    slow_rate = tokens / best["BioGptTokenizer (slow, reference)"]
    figures = {
        "documents": len(texts),
        "tokens": tokens,
        "vocab": args.vocab,
        "batch_size": args.batch_size,
        "repeat": args.repeat,
        "cpu": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "variants": {
            name: {
                "seconds": round(seconds, 3),
                "tokens_per_s": round(tokens / seconds),
                "ratio_to_slow": round(tokens / seconds / slow_rate, 2),
            }
            for name, seconds in best.items()
        },
    }
    print(
        f"{len(texts)} BC5CDR dev documents, {tokens:,} tokens, {args.vocab} vocabulary, "
        f"batches of {args.batch_size}, best of {args.repeat} ({figures['cpu']})"
    )
    for name, row in figures["variants"].items():
        print(f"  {name:36s} {row['tokens_per_s']:>9,} tokens/s  x{row['ratio_to_slow']:.2f}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
