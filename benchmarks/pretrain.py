"""Pretraining throughput: tokens/s of `biomine pretrain` for a few model sizes and objectives.

    python benchmarks/pretrain.py [--seconds 40] [--threads 1] [--batch-size 32] [--json out.json]

Each variant is a real ``mining.train.pretrain.pretrain`` run (the loop, masking, generator,
evaluation) on the BC5CDR training abstracts, stopped by its time budget; tokens/s counts
the real (non-padding) tokens trained on over the training seconds. Variants: ELECTRA and
masked LM continued from MiniLM-L6-H384 (22.7M parameters), and ELECTRA on a small BERT from
scratch (hidden 256, 4 layers: ``--from-scratch``'s default). The figures are the machine's
at the time: compare them with each other, measured in the same process.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

TRAIN = REPO.parent / "shared" / "data" / "bc5cdr" / "pubtator" / "CDR_TrainingSet.PubTator.txt"
VARIANTS = {
    "electra MiniLM-L6-H384 (continued)": {},
    "mlm MiniLM-L6-H384 (continued)": {"objective": "mlm"},
    "electra BERT 256x4 (from scratch)": {"from_scratch": True},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=40.0, help="budget of each variant")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not TRAIN.is_file():
        sys.exit(f"the BC5CDR training set is not at {TRAIN}")
    logging.basicConfig(level=logging.WARNING)
    from mining.train.pretrain import PretrainConfig, pretrain
    from mining.train.pretrain_text import read_corpora

    rows = []
    for name, options in VARIANTS.items():
        with tempfile.TemporaryDirectory() as tmp:
            config = PretrainConfig(
                out=Path(tmp) / "out", threads=args.threads, batch_size=args.batch_size,
                max_tokens=args.max_tokens, max_steps=100_000, max_minutes=args.seconds / 60,
                device="cpu", save_every=0, eval_windows=64, log_every=0, **options,
            )  # fmt: skip
            m = pretrain(config, read_corpora([TRAIN]))
        row = {
            "variant": name,
            "parameters": m["encoder"]["parameters"],
            "steps": m["steps"],
            "tokens": m["tokens_seen"],
            "tokens_per_second": m["tokens_per_second"],
        }
        rows.append(row)
        print(
            f"{name:38s} {row['parameters']:>11,} params {row['steps']:>4} steps "
            f"{row['tokens']:>7,} tokens {row['tokens_per_second']:>8} tokens/s",
            flush=True,
        )
    if args.json:
        setup = {"threads": args.threads, "batch_size": args.batch_size, "cpus": os.cpu_count()}
        args.json.write_text(json.dumps({"setup": setup, "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
