"""Relation classification speed: one marked copy per pair against one per span.

    python benchmarks/relation_marking.py --pair models/re-cdr --span models/re-cdr-span \\
        [--docs 100] [--threads 2] [--json]

Both classifiers read the same dev abstracts of their task with the gold entities (BC5CDR dev
for CDR, ChemProt dev, DDI's held-out fifth), interleaved ``--repeat`` times in this process;
reports candidates/s and abstracts/s of each, the encoder rows and tokens each needed, and the
ratio.
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

from figures_output import print_figures  # noqa: E402 - beside this script

DEV = {
    "cdr": (REPO.parent / "shared/data/bc5cdr/pubtator/CDR_DevelopmentSet.PubTator.txt", "all"),
    "chemprot": (REPO.parent / "shared/data/chemprot/original/chemprot_development", "all"),
    "ddi": (REPO.parent / "shared/data/ddi2013/xml/Train", "dev"),
}


def main() -> int:
    import torch

    from mining.nlp.relations.candidates import candidates, marked_text
    from mining.nlp.relations.classifier import RelationClassifier, encode_candidate
    from mining.nlp.relations.span_marking import encode_span, marked_spans
    from mining.nlp.token_encoding import special_affixes
    from mining.train.re_data import load_task_documents

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pair", required=True, help="a classifier that reads one pair a copy")
    ap.add_argument("--span", required=True, help="a classifier trained with --marking span")
    ap.add_argument("--docs", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    pair = RelationClassifier.from_pretrained(args.pair, device="cpu")
    span = RelationClassifier.from_pretrained(args.span, device="cpu")
    if pair.task is not span.task or pair.span_marking or not span.span_marking:
        print("give a pair-marking and a span-marking classifier of one task", file=sys.stderr)
        return 2
    task = pair.task
    path, split = DEV[task.name]
    docs = load_task_documents(task, path, split)[: args.docs]
    cands = [candidates(d, d.entities, task) for d in docs]
    n_cands = sum(map(len, cands))
    affixes = special_affixes(span.tokenizer)
    pair_rows = [
        encode_candidate(pair.tokenizer, marked_text(d.text, c, task), pair.max_tokens, affixes)
        for d, cs in zip(docs, cands, strict=True)
        for c in cs
    ]
    span_rows = [
        row
        for d, cs in zip(docs, cands, strict=True)
        for s in marked_spans(d.text, cs, task)
        for row in encode_span(span.tokenizer, s, span.max_tokens, affixes)
    ]
    best = {"pair": float("inf"), "span": float("inf")}
    relations = {}
    for _ in range(args.repeat):
        for name, classifier in (("pair", pair), ("span", span)):
            start = time.perf_counter()
            found = sum(map(len, classifier.predict_relations(docs)))
            best[name] = min(best[name], time.perf_counter() - start)
            relations[name] = found
    figures = {
        "task": task.name,
        "abstracts": len(docs),
        "candidates": n_cands,
        "pair_rows": len(pair_rows),
        "pair_tokens": sum(len(r.ids) for r in pair_rows),
        "span_rows": len(span_rows),
        "span_tokens": sum(len(r.ids) for r in span_rows),
        "threads": args.threads,
        "load_average": os.getloadavg()[0],
    }
    for name, seconds in best.items():
        figures[f"{name}_seconds"] = round(seconds, 2)
        figures[f"{name}_candidates_per_s"] = round(n_cands / seconds, 1)
        figures[f"{name}_abstracts_per_s"] = round(len(docs) / seconds, 2)
        figures[f"{name}_relations"] = relations[name]
    figures["ratio"] = round(best["pair"] / best["span"], 2)
    print_figures(figures, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
