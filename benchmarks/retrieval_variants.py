"""BM25 with ANDed vs ORed terms, and reciprocal-rank-fusion variants, on a database that
``biomine eval retrieval --db URL`` filled and embedded (so nothing is embedded again):

    biomine eval retrieval --db sqlite:////tmp/retrieval.db --json
    python benchmarks/retrieval_variants.py --db sqlite:////tmp/retrieval.db

Fusion variants are scored on the even- and odd-numbered questions apart, to show how much of
a difference is noise.
"""

from __future__ import annotations

import argparse
import json
import time

from mining.nlp.embeddings import Embedder
from mining.retrieval import bm25, dense_many
from mining.store.database import open_database
from mining.train.eval_retrieval import PUBMEDQA, data_dir, pubmedqa, recall


def fuse(a, b, k=60, weight_a=1.0, depth=100):
    scores: dict[str, float] = {}
    for weight, ranking in ((weight_a, a[:depth]), (1.0, b[:depth])):
        for rank, doc_id in enumerate(ranking, 1):
            scores[doc_id] = scores.get(doc_id, 0.0) + weight / (k + rank)
    return [d for d, _ in sorted(scores.items(), key=lambda item: (-item[1], item[0]))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--data", default=None)
    args = parser.parse_args()
    engine = open_database(args.db)
    _, questions = pubmedqa(data_dir(args.data) / PUBMEDQA)
    gold = list(questions)
    texts = [questions[d] for d in gold]
    out = {}
    t = time.perf_counter()
    ands = [[h.doc_id for h in bm25(engine, x, 10, match="all")] for x in texts]
    out["bm25 AND"] = {**recall(ands, gold), "seconds": round(time.perf_counter() - t, 1)}
    t = time.perf_counter()
    lexical = [[h.doc_id for h in bm25(engine, x, 100)] for x in texts]
    out["bm25 OR"] = {**recall(lexical, gold), "seconds": round(time.perf_counter() - t, 1)}
    embedder = Embedder.from_pretrained(device="cpu")
    t = time.perf_counter()
    dense = [[h.doc_id for h in hits] for hits in dense_many(engine, embedder, texts, 100)]
    out["dense"] = {**recall(dense, gold), "seconds": round(time.perf_counter() - t, 1)}
    halves = {"even": range(0, len(gold), 2), "odd": range(1, len(gold), 2)}
    for k in (1, 10, 60):
        for weight in (1.0, 0.5, 0.3):
            for depth in (10, 100):
                fused = [fuse(lexical[i], dense[i], k, weight, depth) for i in range(len(gold))]
                out[f"rrf k={k} bm25 weight={weight} depth={depth}"] = {
                    "all": recall(fused, gold),
                    **{
                        half: recall([fused[i] for i in idx], [gold[i] for i in idx])
                        for half, idx in halves.items()
                    },
                }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
