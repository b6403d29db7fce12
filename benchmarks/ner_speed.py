"""CPU/GPU speed of the NER tagger on BC5CDR dev abstracts.

    python benchmarks/ner_speed.py [--model models/ner-chem-disease] [--docs 100]

Reports subword tokens/s and abstracts/s of ``NerTagger.pipe`` (length-sorted batches of
sentence windows) and, as the named baseline measured in the same process, the same tagger fed
one sentence at a time (batch size 1): machines here are noisy, the ratio is what to compare.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

DEV = REPO.parent / "shared/data/bc5cdr/pubtator/CDR_DevelopmentSet.PubTator.txt"


def run(tagger, docs, batch_size: int) -> tuple[float, int]:
    t = time.perf_counter()
    n_ents = sum(len(ents) for ents in tagger.predict_entities(docs, batch_size=batch_size))
    return time.perf_counter() - t, n_ents


def main() -> int:
    import torch

    from mining.nlp.ner import NerTagger
    from mining.nlp.sentences import split_document
    from mining.nlp.token_encoding import encode_span
    from mining.train.ner_data import load_documents

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(REPO / "models/ner-chem-disease"))
    ap.add_argument("--dev", default=str(DEV))
    ap.add_argument("--docs", type=int, default=100)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    docs = load_documents(a.dev)[: a.docs]
    t = time.perf_counter()
    tagger = NerTagger.from_pretrained(a.model, device=a.device)
    load_s = time.perf_counter() - t
    n_tokens = sum(
        len(encode_span(tagger.tokenizer, d.id, d.text, span).ids)
        for d in docs
        for span in split_document(d.title, d.abstract)
    )
    run(tagger, docs[:5], a.batch_size)  # warm-up
    fast_s, n_ents = run(tagger, docs, a.batch_size)
    base_s, _ = run(tagger, docs, 1)
    print(f"model {a.model} on {tagger.device}, {a.threads} threads; load {load_s:.1f}s")
    print(f"{len(docs)} abstracts, {n_tokens} subword tokens, {n_ents} entities")
    for name, s in (
        (f"pipe batch_size={a.batch_size}", fast_s),
        ("baseline batch_size=1", base_s),
    ):
        print(
            f"{name:<24} {s:7.2f}s  {n_tokens / s:8.0f} tokens/s  {len(docs) / s:6.2f} abstracts/s"
        )
    print(f"speed-up over baseline: {base_s / fast_s:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
