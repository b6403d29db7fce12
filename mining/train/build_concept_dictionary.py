"""Build the concept dictionary of ``mining.nlp.normalise`` from gold-annotated corpora.

Why a dictionary: BC5CDR and NCBI disease annotate every mention with its MeSH id, and most
mentions in new abstracts repeat surface forms seen there. Rows are (label, mention text,
concept id, count); a text seen with several ids keeps only the most frequent one. Gold ids
"-1"/empty are skipped, NCBI's composite "A+B" is written "A|B" like BC5CDR's, and NCBI's four
disease classes count as Disease.

The shipped default (``models/concepts-mesh``) reads the training and development sets; the
train-only table (``models/concepts-mesh-train``) is the one to measure dev accuracy with:

    biomine train concepts --out models/concepts-mesh-train \\
        --dev ../shared/data/bc5cdr/pubtator/CDR_DevelopmentSet.PubTator.txt
"""

from __future__ import annotations

import gzip
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from mining.corpus.detect import read_any
from mining.entity_types import store_type
from mining.errors import BioMineError
from mining.nlp.normalise import FILENAME, HEADER, METHODS, ConceptNormaliser, most_frequent
from mining.types import Document

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
log = logging.getLogger(__name__)
TRAIN_FILES = (
    SHARED / "bc5cdr" / "pubtator" / "CDR_TrainingSet.PubTator.txt",
    SHARED / "ncbi_disease" / "original" / "NCBItrainset_corpus.txt",
)


def read_gold(path: Path) -> list[Document]:
    """Documents of a gold corpus with store types; bad lines (NCBI train has one mention
    whose offsets do not match its text) are reported on stderr and skipped."""

    def warn(error: BioMineError) -> None:
        log.warning("%s", error)

    docs = [d for d in read_any(path, on_error=warn) if isinstance(d, Document)]
    for doc in docs:
        for e in doc.entities:
            e.label = store_type(e.label)
    return docs


def gold_concept(raw: str | None) -> str | None:
    """A corpus id as the dictionary keeps it: None for "not normalised", "+" joins as "|"."""
    if raw is None or raw.strip() in ("", "-1", "-"):
        return None
    return "|".join(part.strip() for part in raw.replace("+", "|").split("|"))


def count_mentions(docs: Iterable[Document]) -> dict[tuple[str, str], Counter[str]]:
    """(label, mention text) -> how often each concept id was given to it."""
    counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for doc in docs:
        for e in doc.entities:
            concept = gold_concept(e.concept_id)
            if concept is not None and "\t" not in e.text and "\n" not in e.text:
                counts[e.label, e.text][concept] += 1
    return counts


def dictionary_rows(
    counts: dict[tuple[str, str], Counter[str]],
) -> list[tuple[str, str, str, int]]:
    """One row per (label, text): its most frequent id and that id's count, sorted."""
    rows = []
    for (label, text), ids in counts.items():
        concept = most_frequent(ids.items())
        rows.append((label, text, concept, ids[concept]))
    return sorted(rows)


def write_dictionary(rows: Sequence[tuple[str, str, str, int]], folder: Path) -> Path:
    """Write ``folder/concepts.tsv.gz`` (header + rows); gzip's mtime is fixed at 0 so that
    rebuilding the same data gives the same bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FILENAME
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        lines = ["\t".join(HEADER)] + ["\t".join(map(str, row)) for row in rows]
        gz.write(("\n".join(lines) + "\n").encode("utf-8"))
    return path


def concept_accuracy(normaliser: ConceptNormaliser, docs: Iterable[Document]) -> dict:
    """Accuracy of predicted ids on gold mentions (gold spans and types), overall and per
    type, and the share of mentions each matching step decided. Gold "-1" mentions are left
    out; a composite "A|B" is right only when the prediction is the same string."""
    total: Counter[str] = Counter()
    right: Counter[str] = Counter()
    methods: Counter[str] = Counter()
    method_right: Counter[str] = Counter()
    for doc in docs:
        gold = [(e, gold_concept(e.concept_id)) for e in doc.entities]
        gold = [(e, g) for e, g in gold if g is not None]
        matches = normaliser.match(doc.text, [e for e, _ in gold])
        for (e, g), m in zip(gold, matches, strict=True):
            ok = m.concept_id == g
            for key in ("all", e.label):
                total[key] += 1
                right[key] += ok
            methods[m.method] += 1
            method_right[m.method] += ok
    n = total["all"]
    return {
        "mentions": n,
        "accuracy": {k: right[k] / total[k] for k in total},
        "counts": dict(total),
        "share": {m: methods[m] / n if n else 0.0 for m in METHODS},
        "method_accuracy": {m: method_right[m] / methods[m] for m in METHODS if methods[m]},
    }


def build_dictionary(
    train: Iterable[str | Path], out: str | Path
) -> tuple[Path, list[tuple[str, str, str, int]]]:
    """Count the gold mentions of every corpus in ``train`` and write the dictionary folder
    ``out``; return the file written and its rows."""
    counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for path in train:
        for key, ids in count_mentions(read_gold(Path(path))).items():
            counts[key].update(ids)
    rows = dictionary_rows(counts)
    return write_dictionary(rows, Path(out)), rows
