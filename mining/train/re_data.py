"""Relation corpora -> labelled candidates, for training and evaluation.

Each task reads its corpus in the original layout (a ChemProt folder, a folder of DDI XML
files, a BC5CDR PubTator or BioC file), maps gold entity types to store types, and labels
every candidate pair (``mining.nlp.relations.candidates``) from the gold relations: a mention
pair for ChemProt and DDI (either order for DDI), a concept pair for BC5CDR CID, where every
mention pair of a related concept pair counts as positive (distant supervision within the
abstract).

DDI-2013 ships no development split, so the files whose document id hashes to ``dev`` (one in
five, ``ddi_split``) are held out; ``--split`` picks them everywhere the DDI corpus is read.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable
from pathlib import Path

from mining.errors import InputError, OnError
from mining.nlp.relations.candidates import Candidate, candidates, concept_ids, marked_text
from mining.nlp.relations.span_marking import MarkedSpan, marked_spans
from mining.nlp.relations.tasks import NONE, RelationTask
from mining.types import Document, Entity

SPLITS = ("all", "train", "dev")


def ddi_split(doc_id: str) -> str:
    """``dev`` for one DDI document in five (by a stable hash of its id), else ``train``."""
    return "dev" if zlib.crc32(doc_id.encode()) % 5 == 0 else "train"


log = logging.getLogger(__name__)


def warn(error: InputError) -> None:
    log.warning("%s", error)


def load_task_documents(
    task: RelationTask, path: str | Path, split: str = "all", on_error: OnError = warn
) -> list[Document]:
    """The documents of a task's corpus with gold entities (store types) and relations; an
    ``InputError`` naming ``path`` when it is not such a corpus. Problems inside it (DDI's
    one positive pair without a type) go to ``on_error`` (default: a warning on stderr)."""
    path = Path(path)
    if task.name == "chemprot":
        from mining.corpus.chemprot import read_chemprot

        docs = list(read_chemprot(path, on_error))
    elif task.name == "ddi":
        from mining.corpus.ddi_xml import read_ddi_folder, read_ddi_xml

        docs = list(
            read_ddi_folder(path, on_error) if path.is_dir() else read_ddi_xml(path, on_error)
        )
        if split != "all":
            docs = [d for d in docs if ddi_split(d.id) == split]
    else:
        from mining.train.ner_data import load_documents

        docs = load_documents(path, on_error)
    if not docs:
        raise InputError(str(path), f"no {task.name} documents found")
    return docs


def gold_labeller(doc: Document, task: RelationTask) -> Callable[[Candidate], str]:
    """The gold label of any candidate of ``doc``."""
    if task.document_level:
        pairs = {
            (h, t)
            for r in doc.relations
            if r.label in task.labels
            for h in r.head.split("|")
            for t in r.tail.split("|")
        }

        def concept_label(c: Candidate) -> str:
            related = any((h, t) in pairs for h in concept_ids(c.head) for t in concept_ids(c.tail))
            return task.labels[0] if related else NONE

        return concept_label
    index: dict[tuple, str] = {}
    for r in doc.relations:
        if r.label not in task.labels or r.head_mention is None or r.tail_mention is None:
            continue
        head, tail = _span(r.head_mention), _span(r.tail_mention)
        index[head, tail] = r.label
        if task.symmetric:
            index[tail, head] = r.label
    return lambda c: index.get((_span(c.head), _span(c.tail)), NONE)


def _span(e: Entity) -> tuple[int, int]:
    return e.start, e.end


def labelled_candidates(
    docs: list[Document], task: RelationTask
) -> list[tuple[Document, Candidate, str]]:
    """Every candidate of the documents' gold entities with its gold label."""
    out = []
    for doc in docs:
        label_of = gold_labeller(doc, task)
        for c in candidates(doc, doc.entities, task):
            out.append((doc, c, label_of(c)))
    return out


def training_texts(docs: list[Document], task: RelationTask) -> tuple[list[str], list[str]]:
    """Marked texts and their gold labels."""
    rows = labelled_candidates(docs, task)
    return [marked_text(d.text, c, task) for d, c, _ in rows], [label for _, _, label in rows]


def labelled_spans(docs: list[Document], task: RelationTask) -> list[tuple[MarkedSpan, list[str]]]:
    """Every span of the documents' gold candidates marked once (``span_marking``), with the
    gold label of each of its pairs, in ``span.pairs`` order."""
    out = []
    for doc in docs:
        label_of = gold_labeller(doc, task)
        cands = candidates(doc, doc.entities, task)
        for span in marked_spans(doc.text, cands, task):
            out.append((span, [label_of(cands[i]) for i, _, _ in span.pairs]))
    return out
