"""How many PQA-A-style instances the shared corpora give, by corpus, how and label.

    python benchmarks/qa_artificial_counts.py [DATA_DIR] [--examples 15] [--seed 0]

Reads every corpus of ``mining.train.eval_retrieval.CORPORA`` (with their meta, so the PubMed
XML section labels count) and the DDI MedLine files, and prints the counts and random
examples to check the rules' precision by eye.
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from mining.corpus.chemprot import read_chemprot
from mining.corpus.ddi_xml import read_ddi_folder
from mining.corpus.detect import read_any
from mining.train.eval_retrieval import CORPORA, data_dir
from mining.train.qa_artificial import ArtificialInstance, artificial_instance
from mining.types import Document

DDI = "ddi2013/xml/Train/MedLine"
# HoC's text files hold the abstract's sentences only: their first line is no title.
NO_TITLES = ("hoc",)


def documents(folder: Path) -> Iterator[tuple[str, Document]]:
    for relative in (*CORPORA, DDI):
        path = folder / relative
        if not path.exists() or relative.startswith(NO_TITLES):
            print(f"skipped: {relative} ({'missing' if not path.exists() else 'no titles'})")
            continue
        # read_any takes no ChemProt or DDI folder: their readers are called by name.
        read = {DDI: read_ddi_folder}.get(relative, read_any)
        if relative.startswith("chemprot/"):
            read = read_chemprot
        for doc in read(path, on_error=lambda _e: None):
            if isinstance(doc, Document):
                yield relative.split("/")[0], doc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default=None)
    parser.add_argument("--examples", type=int, default=15)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    seen: set[str] = set()
    docs: Counter[str] = Counter()
    counts: Counter[tuple[str, str, str]] = Counter()
    instances: list[ArtificialInstance] = []
    for corpus, doc in documents(data_dir(args.data)):
        if doc.id in seen:  # BC5CDR and NCBI share no ids, but HoC and ChemProt may
            continue
        seen.add(doc.id)
        docs[corpus] += 1
        instance = artificial_instance(doc)
        if instance is not None:
            counts[corpus, instance.how, str(instance.label)] += 1
            instances.append(instance)
    print(f"{'corpus':<14}{'docs':>7}  how         label  instances")
    for corpus, n in docs.items():
        rows = sorted((k, v) for k, v in counts.items() if k[0] == corpus)
        print(f"{corpus:<14}{n:>7}  {'-':<10}  {'all':<5}  {sum(v for _, v in rows):>9}")
        for (_, how, label), v in rows:
            print(f"{'':<14}{'':>7}  {how:<10}  {label:<5}  {v:>9}")
    total = Counter()
    for (_, how, label), v in counts.items():
        total[how, label] += v
    print(f"total: {sum(docs.values())} documents, {len(instances)} instances", dict(total))
    for instance in random.Random(args.seed).sample(instances, min(args.examples, len(instances))):
        print(f"\n{instance.doc_id} [{instance.how}, {instance.label}] {instance.question}")
        print(f"  contexts: {len(instance.contexts)}, first: {instance.contexts[0][:100]!r}")
        print(f"  long answer: {instance.long_answer[:160]!r}")


if __name__ == "__main__":
    main()
