"""The typed read API: every read the CLI and the app make goes through these functions.

Results are frozen dataclasses of plain values; filters are bound parameters of SQLAlchemy
Core expressions, never SQL text built from user values; each list comes in a stable order
(ties broken by keys) so pages never lose or repeat a row. Full-text search, the store
summary, the streaming document reader of export and the nearest stored vectors (dense
retrieval) live in ``fulltext.py``, ``stats.py``, ``read_documents.py`` and ``embeddings.py``
and are re-exported from here: import them from this module.

Concepts are the keys relations aggregate by: a MeSH-style id that the ``concepts`` table
names, or ``text:<Label>:<normalised text>`` for a mention no dictionary matched (its
label and text are read from the key itself).

Why one file of about 800 lines: it is the whole read surface of the store, the one module
the app and the CLI import reads from, and its sections (relation pairs, evidence, concept
pages, documents, runs, asked questions, autocomplete) share the concept-key, span and
document-text helpers and row types.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Engine,
    and_,
    distinct,
    func,
    literal,
    or_,
    select,
    union,
    union_all,
)

from mining.store.embeddings import VectorHit, embedding_sources, nearest_documents
from mining.store.fulltext import SearchHit, search_documents
from mining.store.pair_ranking import (
    SORTS,
    TEXT_KEY,
    RelationCursor,
    RelationPage,
    RelationRow,
    described,
    relation_pairs,
)
from mining.store.read_documents import iter_documents
from mining.store.relation_filters import RelationFilters, relation_filters
from mining.store.schema import (
    answers,
    concepts,
    documents,
    entities,
    questions,
    relations,
    runs,
)
from mining.store.stats import StoreStats, store_stats

__all__ = [
    "AnswerRow",
    "ConceptDocument",
    "ConceptPage",
    "ConceptSuggestion",
    "DocumentEntity",
    "DocumentPage",
    "DocumentRelation",
    "DocumentView",
    "Evidence",
    "NameCount",
    "QuestionRow",
    "RelatedConcept",
    "RelationCursor",
    "RelationFilters",
    "RelationPage",
    "RelationRow",
    "RunRow",
    "SearchHit",
    "Span",
    "StoreStats",
    "VectorHit",
    "concept_documents",
    "concept_page",
    "document_view",
    "embedding_sources",
    "iter_documents",
    "list_runs",
    "nearest_documents",
    "pair_evidence",
    "question_answers",
    "recent_questions",
    "SORTS",
    "relation_filters",
    "relation_pairs",
    "search_documents",
    "store_sources",
    "store_stats",
    "suggest_concepts",
]


# --- relations aggregated by concept pair: pair_ranking.py, relation_filters.py ---------------


# --- the evidence of one pair ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Span:
    """A character span of ``DocumentView.text`` (0-based, end-exclusive) and its text."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Evidence:
    """One relation row supporting a pair: where it was read, to be highlighted."""

    doc_id: str
    title: str
    year: int | None
    journal: str | None
    source: str
    score: float
    sentence: Span | None  # None for document-level relations (e.g. BC5CDR CID)
    head: Span | None  # the mentions it was read from, when known
    tail: Span | None


def pair_evidence(
    engine: Engine,
    head: str,
    tail: str,
    label: str,
    *,
    source: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Evidence]:
    """The relation rows behind one (head, tail, label): newest documents first."""
    r = relations.alias("r")
    head_e, tail_e = entities.alias("he"), entities.alias("te")
    query = (
        select(
            r.c.id,
            r.c.source,
            r.c.score,
            r.c.evidence_start,
            r.c.evidence_end,
            documents.c.id.label("doc_id"),
            documents.c.title,
            documents.c.abstract,
            documents.c.year,
            documents.c.journal,
            head_e.c.start.label("head_start"),
            head_e.c.end.label("head_end"),
            head_e.c.text.label("head_text"),
            tail_e.c.start.label("tail_start"),
            tail_e.c.end.label("tail_end"),
            tail_e.c.text.label("tail_text"),
        )
        .select_from(
            r.join(documents, documents.c.id == r.c.doc_id)
            .outerjoin(head_e, head_e.c.id == r.c.head_entity_id)
            .outerjoin(tail_e, tail_e.c.id == r.c.tail_entity_id)
        )
        .where(r.c.head == head, r.c.tail == tail, r.c.label == label)
        .order_by(func.coalesce(documents.c.year, -1).desc(), documents.c.id, r.c.id)
        .limit(limit)
        .offset(offset)
    )
    if source is not None:
        query = query.where(r.c.source == source)
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    found = []
    for row in rows:
        text = _document_text(row.title, row.abstract)
        found.append(
            Evidence(
                doc_id=row.doc_id,
                title=row.title,
                year=row.year,
                journal=row.journal,
                source=row.source,
                score=float(row.score),
                sentence=_span(text, row.evidence_start, row.evidence_end),
                head=_mention(row.head_start, row.head_end, row.head_text),
                tail=_mention(row.tail_start, row.tail_end, row.tail_text),
            )
        )
    return found


def _document_text(title: str, abstract: str) -> str:
    return f"{title} {abstract}" if abstract else title  # as Document.text


def _span(text: str, start: int | None, end: int | None) -> Span | None:
    return Span(start, end, text[start:end]) if start is not None and end is not None else None


def _mention(start: int | None, end: int | None, text: str | None) -> Span | None:
    return Span(start, end, text) if start is not None and end is not None else None


# --- a concept's page ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NameCount:
    text: str
    count: int


@dataclass(frozen=True, slots=True)
class RelatedConcept:
    concept: str
    name: str | None
    type: str | None
    label: str  # the relation label
    role: str  # "head" or "tail": the side the related concept takes
    abstracts: int


@dataclass(frozen=True, slots=True)
class ConceptPage:
    id: str
    name: str | None
    label: str | None
    mentions: int
    documents: int
    names: list[NameCount]  # distinct mention texts, most frequent first
    related: dict[str, list[RelatedConcept]]  # by relation label, most supported first


@dataclass(frozen=True, slots=True)
class ConceptDocument:
    doc_id: str
    title: str
    year: int | None
    journal: str | None


@dataclass(frozen=True, slots=True)
class DocumentPage:
    rows: list[ConceptDocument]
    next: tuple[int, str] | None  # pass as ``after`` for the next page; None on the last


def _concept_mentions(concept_id: str):
    """The entity rows of a concept: those normalised to it, or, for a ``text:`` key (whose
    mentions carry no concept id), those its relations were read from."""
    if not concept_id.startswith(TEXT_KEY):
        return select(entities).where(entities.c.concept_id == concept_id)
    ids = union(
        select(relations.c.head_entity_id).where(relations.c.head == concept_id),
        select(relations.c.tail_entity_id).where(relations.c.tail == concept_id),
    ).subquery()
    return select(entities).where(entities.c.id.in_(select(ids.c[0])))


def _concept_doc_ids(concept_id: str):
    mentions = _concept_mentions(concept_id).subquery()
    return union(
        select(mentions.c.doc_id),
        select(relations.c.doc_id).where(relations.c.head == concept_id),
        select(relations.c.doc_id).where(relations.c.tail == concept_id),
    ).subquery()


def concept_page(engine: Engine, concept_id: str, *, related_limit: int = 20) -> ConceptPage | None:
    """Everything the store knows of one concept, or None if it knows nothing."""
    mentions = _concept_mentions(concept_id).subquery()
    doc_ids = _concept_doc_ids(concept_id)
    with engine.connect() as connection:
        known = connection.execute(
            select(concepts.c.name, concepts.c.label).where(concepts.c.id == concept_id)
        ).first()
        names = [
            NameCount(text, n)
            for text, n in connection.execute(
                select(mentions.c.text, func.count().label("n"))
                .group_by(mentions.c.text)
                .order_by(func.count().desc(), mentions.c.text)
            )
        ]
        n_docs = connection.execute(select(func.count()).select_from(doc_ids)).scalar_one()
        related = _related(connection, concept_id)
        mention_label = connection.execute(
            select(mentions.c.label)
            .group_by(mentions.c.label)
            .order_by(func.count().desc(), mentions.c.label)
            .limit(1)
        ).scalar()
    if known is None and not names and not n_docs:
        return None
    # The dictionary's name and type, else the mentions' most frequent, else the key's.
    name, label = described(
        concept_id,
        known.name if known else (names[0].text if names else None),
        known.label if known else mention_label,
    )
    grouped: dict[str, list[RelatedConcept]] = {}
    for item in related:
        group = grouped.setdefault(item.label, [])
        if len(group) < related_limit:
            group.append(item)
    return ConceptPage(
        id=concept_id,
        name=name,
        label=label,
        mentions=sum(n.count for n in names),
        documents=n_docs,
        names=names,
        related=grouped,
    )


def _related(connection, concept_id: str) -> list[RelatedConcept]:
    sides = union_all(
        select(
            relations.c.tail.label("other"),
            relations.c.label,
            literal("tail").label("role"),
            relations.c.doc_id,
        ).where(relations.c.head == concept_id),
        select(
            relations.c.head.label("other"),
            relations.c.label,
            literal("head").label("role"),
            relations.c.doc_id,
        ).where(relations.c.tail == concept_id),
    ).subquery()
    abstracts = func.count(distinct(sides.c.doc_id))
    query = (
        select(
            sides.c.other,
            sides.c.label,
            sides.c.role,
            abstracts.label("abstracts"),
            concepts.c.name,
            concepts.c.label.label("type"),
        )
        .select_from(sides.outerjoin(concepts, concepts.c.id == sides.c.other))
        .group_by(sides.c.other, sides.c.label, sides.c.role, concepts.c.name, concepts.c.label)
        .order_by(sides.c.label, abstracts.desc(), sides.c.other, sides.c.role)
    )
    found = []
    for row in connection.execute(query):
        name, kind = described(row.other, row.name, row.type)
        found.append(RelatedConcept(row.other, name, kind, row.label, row.role, row.abstracts))
    return found


def concept_documents(
    engine: Engine, concept_id: str, *, limit: int = 20, after: tuple[int, str] | None = None
) -> DocumentPage:
    """The documents mentioning a concept (or related through it), newest first, a page at a
    time: pass the page's ``next`` as ``after``."""
    doc_ids = _concept_doc_ids(concept_id)
    year = func.coalesce(documents.c.year, -1)
    query = (
        select(documents.c.id, documents.c.title, documents.c.year, documents.c.journal)
        .where(documents.c.id.in_(select(doc_ids.c[0])))
        .order_by(year.desc(), documents.c.id)
        .limit(limit + 1)
    )
    if after is not None:
        query = query.where(or_(year < after[0], and_(year == after[0], documents.c.id > after[1])))
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    page = [ConceptDocument(r.id, r.title, r.year, r.journal) for r in rows[:limit]]
    last = page[-1] if page else None
    more = len(rows) > limit
    return DocumentPage(
        page, (last.year if last.year is not None else -1, last.doc_id) if more and last else None
    )


# --- one document ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocumentEntity:
    id: int
    start: int
    end: int
    text: str
    label: str
    concept_id: str | None
    score: float
    source: str


@dataclass(frozen=True, slots=True)
class DocumentRelation:
    id: int
    head: str
    tail: str
    label: str
    score: float
    source: str
    evidence: Span | None
    head_entity_id: int | None  # ids of DocumentView.entities, to highlight
    tail_entity_id: int | None


@dataclass(frozen=True, slots=True)
class DocumentView:
    id: str
    title: str
    abstract: str
    year: int | None
    journal: str | None
    meta: dict[str, Any]
    entities: list[DocumentEntity]  # by (start, end)
    relations: list[DocumentRelation]

    @property
    def text(self) -> str:
        return _document_text(self.title, self.abstract)


def document_view(
    engine: Engine, doc_id: str, *, sources: Sequence[str] | None = None
) -> DocumentView | None:
    """A stored document with its entities and relations (only those of ``sources`` if
    given), or None."""
    with engine.connect() as connection:
        doc = connection.execute(select(documents).where(documents.c.id == doc_id)).first()
        if doc is None:
            return None
        entity_query = (
            select(entities)
            .where(entities.c.doc_id == doc_id)
            .order_by(entities.c.start, entities.c.end, entities.c.id)
        )
        relation_query = (
            select(relations)
            .where(relations.c.doc_id == doc_id)
            # coalesce: SQLite sorts NULLs first, PostgreSQL last; the same order on both.
            .order_by(func.coalesce(relations.c.evidence_start, -1), relations.c.id)
        )
        if sources is not None:
            entity_query = entity_query.where(entities.c.source.in_(sources))
            relation_query = relation_query.where(relations.c.source.in_(sources))
        entity_rows = connection.execute(entity_query).all()
        relation_rows = connection.execute(relation_query).all()
    text = _document_text(doc.title, doc.abstract)
    return DocumentView(
        id=doc.id,
        title=doc.title,
        abstract=doc.abstract,
        year=doc.year,
        journal=doc.journal,
        meta=dict(doc.meta or {}),
        entities=[
            DocumentEntity(e.id, e.start, e.end, e.text, e.label, e.concept_id, e.score, e.source)
            for e in entity_rows
        ],
        relations=[
            DocumentRelation(
                r.id,
                r.head,
                r.tail,
                r.label,
                float(r.score),
                r.source,
                _span(text, r.evidence_start, r.evidence_end),
                r.head_entity_id,
                r.tail_entity_id,
            )
            for r in relation_rows
        ],
    )


# --- runs, sources ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunRow:
    id: int
    kind: str
    source: str
    status: str  # running, done, failed, interrupted
    started_at: datetime
    finished_at: datetime | None
    config: dict[str, Any]
    counts: dict[str, Any]


def list_runs(engine: Engine, *, kind: str | None = None, limit: int = 50) -> list[RunRow]:
    """Runs, most recent first."""
    query = select(runs).order_by(runs.c.started_at.desc(), runs.c.id.desc()).limit(limit)
    if kind is not None:
        query = query.where(runs.c.kind == kind)
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return [
        RunRow(
            r.id,
            r.kind,
            r.source,
            r.status,
            r.started_at,
            r.finished_at,
            dict(r.config or {}),
            dict(r.counts or {}),
        )
        for r in rows
    ]


def store_sources(engine: Engine) -> list[str]:
    """Every source (model, or ``gold``) that has annotations stored, sorted."""
    query = union(*(select(table.c.source) for table in (entities, relations, answers)))
    with engine.connect() as connection:
        return sorted(connection.execute(query).scalars())


# --- asked questions and their answers ------------------------------------------------


@dataclass(frozen=True, slots=True)
class QuestionRow:
    """A question asked of the store (``biomine ask``) and its aggregated answer."""

    id: int
    question: str
    label: str  # yes, no, maybe
    probs: dict[str, float]
    k: int  # abstracts asked for
    retrieval: str  # hybrid, bm25, dense
    source: str  # the reader
    run_id: int | None
    asked_at: datetime  # in UTC
    n_answers: int  # abstracts read and still stored (a replaced document loses its answer)


@dataclass(frozen=True, slots=True)
class AnswerRow:
    """One abstract read for a question: what the reader answered and why."""

    rank: int  # 1-based retrieval rank
    doc_id: str
    title: str
    label: str
    probs: dict[str, float]
    evidence: Span | None  # a span of the document text (title + " " + abstract)
    retrieval_score: float | None
    source: str


def recent_questions(engine: Engine, limit: int = 20) -> list[QuestionRow]:
    """The questions asked, newest first (ties by id, the later first)."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    n_answers = (
        select(func.count())
        .where(answers.c.question_id == questions.c.id)
        .correlate(questions)
        .scalar_subquery()
    )
    query = (
        select(questions, n_answers.label("n_answers"))
        .order_by(questions.c.asked_at.desc(), questions.c.id.desc())
        .limit(limit)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return [
        QuestionRow(
            id=r.id,
            question=r.question,
            label=r.label,
            probs=dict(r.probs or {}),
            k=r.k,
            retrieval=r.retrieval,
            source=r.source,
            run_id=r.run_id,
            asked_at=_utc(r.asked_at),
            n_answers=r.n_answers,
        )
        for r in rows
    ]


def question_answers(engine: Engine, question_id: int) -> list[AnswerRow]:
    """The answers read for one question, in retrieval rank order; [] for an unknown id."""
    query = (
        select(
            answers.c.rank,
            answers.c.doc_id,
            answers.c.label,
            answers.c.probs,
            answers.c.evidence_start,
            answers.c.evidence_end,
            answers.c.retrieval_score,
            answers.c.source,
            documents.c.title,
            documents.c.abstract,
        )
        .select_from(answers.join(documents, documents.c.id == answers.c.doc_id))
        .where(answers.c.question_id == question_id)
        .order_by(answers.c.rank, answers.c.id)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return [
        AnswerRow(
            rank=r.rank,
            doc_id=r.doc_id,
            title=r.title,
            label=r.label,
            probs=dict(r.probs or {}),
            evidence=_span(_document_text(r.title, r.abstract), r.evidence_start, r.evidence_end),
            retrieval_score=float(r.retrieval_score) if r.retrieval_score is not None else None,
            source=r.source,
        )
        for r in rows
    ]


def _utc(moment: datetime) -> datetime:
    # SQLite hands back the stored UTC time without its zone, PostgreSQL an aware one.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# --- autocomplete ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConceptSuggestion:
    concept_id: str
    name: str
    label: str
    mentions: int


def suggest_concepts(engine: Engine, prefix: str, *, limit: int = 10) -> list[ConceptSuggestion]:
    """Concepts whose name or id starts with ``prefix`` (case-insensitive), most mentioned
    first (ties by id). The mention counts are kept with the concepts (``concept_mentions``):
    a popular concept is not counted again on each keystroke."""
    prefix = prefix.strip().lower()
    if not prefix:
        return []

    def starts(column):
        return func.lower(column).startswith(prefix, autoescape=True)

    query = (
        select(concepts.c.id, concepts.c.name, concepts.c.label, concepts.c.mentions)
        .where(or_(starts(concepts.c.name), starts(concepts.c.id)))
        .order_by(concepts.c.mentions.desc(), concepts.c.id)
        .limit(limit)
    )
    with engine.connect() as connection:
        return [ConceptSuggestion(*row) for row in connection.execute(query)]
