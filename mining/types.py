"""The plain records that flow through BioMine: files -> Document -> Entity/Relation/Answer -> SQL.

Offsets are 0-based, end-exclusive character offsets into ``Document.text`` (the PubTator
convention), so ``doc.text[e.start:e.end] == e.text`` always holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

GOLD = "gold"  # `source` of annotations read from an annotated corpus
ANSWER_LABELS = ("yes", "no", "maybe")  # what an ``Answer`` says (PubMedQA's answers)


@dataclass(slots=True)
class Entity:
    doc_id: str
    start: int
    end: int
    text: str
    label: str  # store type: Chemical, Disease, Gene, ...
    concept_id: str | None = None  # e.g. MeSH "D008874"; None when not normalised
    score: float = 1.0
    source: str = GOLD


@dataclass(slots=True)
class Relation:
    """A typed link between two concepts of one document.

    ``head``/``tail`` are concept keys (the argument's concept_id, or its normalised text when
    it has none), so relations aggregate by concept pair across documents. Relations found
    in text also keep the mentions they were read from; document-level gold relations (the
    BC5CDR CID lines) have no mentions.
    """

    doc_id: str
    head: str
    tail: str
    label: str
    score: float = 1.0
    evidence: tuple[int, int] | None = None  # character span of the supporting sentence
    source: str = GOLD
    head_mention: Entity | None = None
    tail_mention: Entity | None = None


@dataclass(slots=True)
class Answer:
    question: str
    doc_id: str
    label: str  # one of ANSWER_LABELS
    probs: dict[str, float] = field(default_factory=dict)
    evidence: tuple[int, int] | None = None
    source: str = GOLD


@dataclass(slots=True)
class Document:
    """One abstract. ``id`` is namespaced (``pmid:12345``); ``meta`` holds format-specific fields
    (journal, year, mesh, authors, ...). Gold annotations read with the text ride along."""

    id: str
    title: str
    abstract: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)

    @property
    def text(self) -> str:
        # PubTator convention: title, one space, abstract.
        return f"{self.title} {self.abstract}" if self.abstract else self.title

    @property
    def version(self) -> int:
        return int(self.meta.get("version", 1))


@dataclass(slots=True, frozen=True)
class Deletion:
    """A record withdrawn by its publisher (PubMed update files' ``DeleteCitation``)."""

    id: str


def pmid_id(pmid: str | int) -> str:
    return f"pmid:{pmid}"
