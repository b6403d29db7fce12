"""NER throughput of a BioGPT-base-sized tagger: abstracts/s and GPU utilisation.

    python benchmarks/gpu_tagger.py [--size base|small] [--docs 500] [--dtype auto] [--json]

Builds a token classifier with BioGPT-base's layout (24 layers, 1,024 hidden, 16 heads) and
the real BioGPT vocabulary, random weights (no checkpoint can be downloaded here; speed does
not depend on the weights), and tags the BC5CDR dev abstracts with ``NerTagger`` as ``biomine
run`` does: ``torch.inference_mode()``, SDPA attention, fp16 on a GPU (``--dtype``), batches
by token budget (``--batch-tokens``), the next chunk tokenized in a background thread while
the GPU works. GPU utilisation is sampled from ``nvidia-smi`` while tagging.

Without a GPU the same script runs on the CPU at ``--size small`` (4 layers, 256 hidden) so
the code path is exercised, and it says that the GPU figure is not measured.
Goal (issue 14): >= 1,500 abstracts/s for the NER pass on one H100/H200.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

from figures_output import print_figures  # noqa: E402 - beside this script

DEV = REPO.parent / "shared/data/bc5cdr/pubtator/CDR_DevelopmentSet.PubTator.txt"
VOCAB = REPO.parent / "shared/data/biogpt_vocab/base"
SIZES = {"base": (24, 1024, 16), "small": (4, 256, 4)}  # layers, hidden, heads
LABELS = ["O", "B-Chemical", "I-Chemical", "B-Disease", "I-Disease"]


def build_tagger(folder: Path, size: str) -> Path:
    """A random BioGPT token classifier of ``size`` with the real vocabulary."""
    from transformers import BioGptForTokenClassification

    from mining.train.build_biogpt import build_biogpt

    layers, hidden, heads = SIZES[size]
    build_biogpt(VOCAB, folder, hidden=hidden, layers=layers, heads=heads, max_positions=1024)
    model = BioGptForTokenClassification.from_pretrained(
        folder,
        num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)),
        label2id={x: i for i, x in enumerate(LABELS)},
    )
    model.save_pretrained(folder, safe_serialization=True)
    return folder


class GpuSampler:
    """Mean GPU utilisation (%) from ``nvidia-smi`` every 0.2 s while running."""

    def __init__(self):
        self.samples: list[float] = []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        query = ["nvidia-smi", "--query-gpu=utilization.gpu", "--format=csv,noheader,nounits"]
        while not self.done.wait(0.2):
            try:
                out = subprocess.run(query, capture_output=True, text=True, timeout=5).stdout
                self.samples.append(float(out.split()[0]))
            except (OSError, ValueError, IndexError, subprocess.SubprocessError):
                return

    def __enter__(self) -> GpuSampler:
        if shutil.which("nvidia-smi"):
            self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        if self.thread.is_alive():
            self.thread.join()

    @property
    def mean(self) -> float | None:
        return round(sum(self.samples) / len(self.samples), 1) if self.samples else None


def main() -> int:
    import torch

    from mining.corpus.pubtator import read_pubtator
    from mining.nlp.ner import NerTagger

    gpu = torch.cuda.is_available()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", choices=SIZES, default="base" if gpu else "small")
    ap.add_argument("--docs", type=int, default=500, help="BC5CDR dev abstracts (max 500)")
    ap.add_argument("--dtype", default="auto", help="auto: fp16 on a GPU, fp32 on the CPU")
    ap.add_argument("--batch-tokens", type=int, default=None, help="default: 65,536 on a GPU")
    ap.add_argument("--threads", type=int, default=2, help="CPU threads when there is no GPU")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    for need in (DEV, VOCAB):
        if not need.exists():
            print(f"missing {need} (the shared corpora sit beside the checkout)", file=sys.stderr)
            return 2
    if not gpu:
        torch.set_num_threads(args.threads)
    docs = [d for _, d in zip(range(args.docs), read_pubtator(DEV), strict=False)]
    with tempfile.TemporaryDirectory() as work:
        folder = build_tagger(Path(work) / "tagger", args.size)
        device = "cuda" if gpu else "cpu"
        tagger = NerTagger.from_pretrained(folder, device=device, dtype=args.dtype)
        tagger.batch_tokens = args.batch_tokens or (65_536 if gpu else 8_192)
        list(tagger.predict_entities(docs[:16], batch_size=256))  # warm up: kernels, caches
        if gpu:
            torch.cuda.synchronize()
        with GpuSampler() as sampler:
            start = time.perf_counter()
            found = sum(map(len, tagger.predict_entities(docs, batch_size=256)))
            if gpu:
                torch.cuda.synchronize()
            seconds = time.perf_counter() - start
    figures = {
        "device": torch.cuda.get_device_name(0) if gpu else "cpu",
        "size": args.size,
        "layers_hidden_heads": SIZES[args.size],
        "dtype": str(next(tagger.model.parameters()).dtype),
        "abstracts": len(docs),
        "seconds": round(seconds, 2),
        "abstracts_per_s": round(len(docs) / seconds, 1),
        "gpu_utilisation_percent": sampler.mean,
        "entities": found,
        "gpu_measured": gpu and args.size == "base",
    }
    if not figures["gpu_measured"]:
        figures["note"] = "no GPU here: the BioGPT-base GPU figure is not measured"
    print_figures(figures, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
