"""PubMedQA PQA-A-style artificial instances from stored abstracts (no model, no torch).

Jin et al. (EMNLP 2019) made 211k "artificial" questions from PubMed articles whose title is
a statement and whose abstract has a conclusion: the title turned into a yes/no question
(``mining.train.title_question``) is the question, the abstract before its conclusion the
context and the conclusion the long answer (``mining.train.abstract_conclusion``). The label
is yes, or no for a negated title. Titles that are questions already give instances with no
label (PQA-U-like): a caller may pseudo-label them.

The abstracts of the labelled questions a model is evaluated on must not become its training
data: pass their ids as ``exclude_ids``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import Engine

from mining.train.abstract_conclusion import split_conclusion
from mining.train.title_question import title_question
from mining.types import Document

__all__ = [
    "ArtificialInstance",
    "artificial_instances",
    "instances_from_database",
    "split_conclusion",
    "title_question",
]


@dataclass(frozen=True, slots=True)
class ArtificialInstance:
    doc_id: str
    question: str
    contexts: list[str]  # the abstract's sections or sentences before the conclusion
    long_answer: str  # the conclusion
    label: str | None  # "yes" / "no"; None when the title was a question already
    how: str  # where the conclusion came from: "structured" or "cue"


def artificial_instance(doc: Document) -> ArtificialInstance | None:
    """The instance of one document; None when its title or abstract does not fit."""
    asked = title_question(doc.title, doc.abstract)
    if asked is None:
        return None
    split = split_conclusion(doc)
    if split is None:
        return None
    contexts, conclusion, how = split
    question, label = asked
    return ArtificialInstance(doc.id, question, contexts, conclusion, label, how)


def artificial_instances(
    docs: Iterable[Document], exclude_ids: Iterable[str] = frozenset()
) -> Iterator[ArtificialInstance]:
    """An instance per document that gives one, skipping those in ``exclude_ids``."""
    excluded = frozenset(exclude_ids)
    for doc in docs:
        if doc.id in excluded:
            continue
        instance = artificial_instance(doc)
        if instance is not None:
            yield instance


def instances_from_database(
    url_or_engine: str | Engine,
    exclude_ids: Iterable[str] = frozenset(),
    *,
    batch_size: int = 500,
) -> Iterator[ArtificialInstance]:
    """The instances of every stored document, read a page at a time (memory stays flat).
    A URL is opened read-only and closed when the iteration ends."""
    from mining.store.database import open_database
    from mining.store.read_documents import iter_documents

    owned = isinstance(url_or_engine, str)
    engine = open_database(url_or_engine, read_only=True) if owned else url_or_engine
    try:
        docs = iter_documents(engine, batch_size=batch_size, with_annotations=False)
        yield from artificial_instances(docs, exclude_ids)
    finally:
        if owned:
            engine.dispose()
