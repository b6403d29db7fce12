"""End-to-end mining speed: `biomine run` against a naive transformers baseline, same models.

    python benchmarks/pipeline.py [--docs 60] [--threads 2] [--json]

Both sides use the shipped models (the taggers, the concept table and the three relation
classifiers, or those named with --ner-model / --re-model), loaded once in this process, on
the same BC5CDR dev abstracts:

(a) baseline: what a user writes with transformers alone: ``pipeline("token-classification",
    aggregation_strategy="simple")`` over each abstract, one at a time, for each tagger; the
    concept table on those entities; then each candidate pair of each relation task
    classified one at a time (one marked copy of its sentence, one forward pass);
(b) BioMine: the documents stored in a fresh SQLite database and processed by
    ``run_pipeline`` (what ``biomine run`` does), rows written with their provenance.

Prints documents/s of each, their ratio, and each side's peak resident memory (the highest
RSS sampled while it ran). Machines here are noisy: the ratio, measured in one run, is the
figure to compare. A tagger trained with letter case as token types is fed no token types by
the baseline (transformers' pipeline cannot); the compute per token is the same.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

from figures_output import print_figures  # noqa: E402 - beside this script

DEV = REPO.parent / "shared/data/bc5cdr/pubtator/CDR_DevelopmentSet.PubTator.txt"


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


@contextmanager
def peak_rss(figures: dict, key: str, every_s: float = 0.05):
    """The highest RSS seen while the block runs (VmHWM cannot be reset between phases)."""
    peak = [rss_mib()]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(every_s):
            peak[0] = max(peak[0], rss_mib())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield
    finally:
        done.set()
        sampler.join()
        figures[key] = round(max(peak[0], rss_mib()), 1)


def abstracts(path: Path, n: int):
    from mining.corpus.detect import read_any
    from mining.types import Document

    docs = []
    for item in read_any(path):
        if isinstance(item, Document) and item.text.strip():
            docs.append(replace(item, entities=[], relations=[], meta=dict(item.meta)))
        if len(docs) == n:
            break
    return docs


def window_tokenizer(tagger):
    """A copy of the tagger's tokenizer that knows the model's window (the pipeline cuts long
    texts by it)."""
    import copy

    tokenizer = copy.deepcopy(tagger.tokenizer)
    tokenizer.model_max_length = min(512, tagger.model.config.max_position_embeddings)
    return tokenizer


def baseline(pipeline, docs) -> tuple[int, int]:
    """(entities, relations) the naive way: one abstract, then one candidate, at a time."""
    from transformers import pipeline as hf_pipeline

    from mining.nlp.ner import NerTagger
    from mining.nlp.normalise import ConceptNormaliser
    from mining.nlp.relations.candidates import candidates, marked_text
    from mining.nlp.relations.classifier import RelationClassifier
    from mining.types import Entity

    taggers = [c for c in pipeline.components if isinstance(c, NerTagger)]
    table = next(c for c in pipeline.components if isinstance(c, ConceptNormaliser))
    classifiers = [c for c in pipeline.components if isinstance(c, RelationClassifier)]
    device = next(taggers[0].model.parameters()).device
    ner = [
        hf_pipeline(
            "token-classification",
            model=t.model,
            tokenizer=window_tokenizer(t),
            aggregation_strategy="simple",
            stride=64,  # abstracts longer than the model's window go in overlapping pieces
            device=device,
        )
        for t in taggers
    ]
    n_entities = n_relations = 0
    for doc in docs:
        work = replace(doc, entities=[], relations=[], meta=dict(doc.meta))
        for tagger, run in zip(taggers, ner, strict=True):
            for found in run(doc.text):
                work.entities.append(
                    Entity(
                        work.id, int(found["start"]), int(found["end"]),
                        doc.text[found["start"] : found["end"]], found["entity_group"],
                        score=float(found["score"]), source=tagger.source,
                    )
                )  # fmt: skip
        work = next(table.pipe([work]))
        n_entities += len(work.entities)
        for classifier in classifiers:
            for candidate in candidates(work, work.entities, classifier.task):
                text = marked_text(work.text, candidate, classifier.task)
                probs = classifier.predict([text], batch_size=1)[0]
                n_relations += classifier.relation(work.id, candidate, probs) is not None
    return n_entities, n_relations


def biomine(pipeline, docs) -> tuple[int, int]:
    """(entities, relations) stored by the pipeline over a fresh database of ``docs``."""
    from mining.pipeline import run_pipeline
    from mining.store.database import open_database
    from mining.store.write_documents import store_documents

    with tempfile.TemporaryDirectory() as folder:
        engine = open_database(f"sqlite:///{folder}/bench.db")
        store_documents(engine, docs)
        counts = run_pipeline(engine, pipeline)
        engine.dispose()
    return counts.entities, counts.relations


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=60, help="BC5CDR dev abstracts (default 60)")
    ap.add_argument("--gold", type=Path, default=DEV, help="PubTator file to take them from")
    ap.add_argument("--ner-model", action="append", help="tagger (repeat); default shipped")
    ap.add_argument("--re-model", action="append", help="relation model (repeat)")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--dtype", default=None)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()
    if not args.gold.is_file():
        print(f"no abstracts at {args.gold} (the shared BC5CDR corpus)", file=sys.stderr)
        return 2
    import torch

    from mining.pipeline import Pipeline

    torch.set_num_threads(args.threads)
    docs = abstracts(args.gold, args.docs)
    figures: dict = {"documents": len(docs), "threads": args.threads, "device": args.device}
    t = time.perf_counter()
    with peak_rss(figures, "load_peak_rss_mib"):
        pipeline = Pipeline.from_pretrained(
            args.ner_model, args.re_model, device=args.device, dtype=args.dtype
        )
    figures["load_seconds"] = round(time.perf_counter() - t, 2)
    figures["models"] = pipeline.sources
    # Warm both paths up (first calls allocate and pick kernels) on documents not timed.
    warm = abstracts(args.gold, args.docs + 2)[-2:]
    baseline(pipeline, warm)
    biomine(pipeline, warm)
    for name, run in (("baseline", baseline), ("biomine", biomine)):
        t = time.perf_counter()
        with peak_rss(figures, f"{name}_peak_rss_mib"):
            n_ent, n_rel = run(pipeline, docs)
        seconds = time.perf_counter() - t
        figures[f"{name}_seconds"] = round(seconds, 2)
        figures[f"{name}_docs_per_s"] = round(len(docs) / seconds, 3)
        figures[f"{name}_entities"], figures[f"{name}_relations"] = n_ent, n_rel
    figures["ratio"] = round(figures["biomine_docs_per_s"] / figures["baseline_docs_per_s"], 2)
    figures["load_average"] = os.getloadavg()[0]
    print_figures(figures, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
