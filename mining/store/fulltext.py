"""Ranked full-text search over titles and abstracts: FTS5 on SQLite, tsvector on PostgreSQL.

One query language on both backends, parsed here rather than by either database (FTS5's
syntax errors on "IL-2" or "!!", PostgreSQL's parser drops "<tags>" and stop words): the
query is split into terms, a "quoted phrase" or a whitespace-separated word; every term
must match, a word containing punctuation ("IL-2", "5-HT") as the phrase of its parts.
HTML-like tags are removed (pasted "<b>cancer</b>" searches cancer), and so are English
stop words outside phrases (PostgreSQL ignores them and SQLite indexes them; dropping them
makes "haloperidol and dyskinesia" mean the same on both). A query left with no terms
("!!!", "the") matches nothing. User text is always passed as a bound parameter.

``match="any"`` ORs the terms instead (ranked retrieval of natural-language questions, where
no abstract holds every word: ``mining.retrieval.bm25``); the ranking (BM25 on SQLite, cover
density on PostgreSQL) then rewards documents matching more, and rarer, terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import (
    Connection,
    Engine,
    Float,
    bindparam,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)

from mining.errors import BioMineError
from mining.store.schema import documents


@dataclass(frozen=True, slots=True)
class SearchHit:
    doc_id: str
    title: str
    year: int | None
    journal: str | None
    score: float  # higher is better
    snippet: str  # plain text, matches wrapped in [ ]


# PostgreSQL's 'english' stop words (tsearch_data/english.stop).
STOP_WORDS = frozenset(
    """i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what which
    who whom this that these those am is are was were be been being have has had having do
    does did doing a an the and but if or because as until while of at by for with about
    against between into through during before after above below to from up down in out on
    off over under again further then once here there when where why how all any both each
    few more most other some such no nor not only own same so than too very s t can will
    just don should now""".split()
)

_TAG = re.compile(r"</?[A-Za-z][\w:-]*(?:\s[^<>]*)?/?>")
_TERM = re.compile(r'"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")


def query_terms(query: str) -> list[str]:
    """The terms of a search query, every one of which must match: phrases and words, each
    handed to the backend's own tokenizer (the one that built its index) as a phrase."""
    terms = []
    for phrase, word in _TERM.findall(_TAG.sub(" ", query)):
        term = phrase or word
        words = [w.lower() for w in _WORD.findall(term)]
        if not words or (word and all(w in STOP_WORDS for w in words)):
            continue
        terms.append(" ".join(term.split()))
    return terms


MATCHES = ("all", "any")


def search_documents(
    engine: Engine, query: str, limit: int = 10, *, match: str = "all"
) -> list[SearchHit]:
    """Documents matching every term of ``query`` (``match="any"``: at least one), best
    first (ties by id)."""
    if not query.strip():
        raise BioMineError("empty search query")
    if match not in MATCHES:
        raise ValueError(f"match must be one of {MATCHES}, not {match!r}")
    terms = query_terms(query)
    if not terms:
        return []
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            statement = _postgres(terms, limit, match)
        else:
            statement = _sqlite(terms, limit, match)
        rows = connection.execute(statement).all()
    return [SearchHit(r.id, r.title, r.year, r.journal, float(r.score), r.snippet) for r in rows]


def _hit_columns(score, snippet):
    """What a search hit reads, on either backend."""
    return select(
        documents.c.id,
        documents.c.title,
        documents.c.year,
        documents.c.journal,
        score,
        snippet.label("snippet"),
    )


def _sqlite(terms: list[str], limit: int, how: str = "all"):
    fts = table("documents_fts", column("rowid"))
    joiner = " OR " if how == "any" else " "
    match = joiner.join('"' + term.replace('"', '""') + '"' for term in terms)
    score = (-func.bm25(literal_column("documents_fts"), 2.0, 1.0)).label("score")
    snippet = func.snippet(literal_column("documents_fts"), 1, "[", "]", " … ", 24)
    return (
        _hit_columns(score, snippet)
        .select_from(fts.join(documents, documents.c.pk == fts.c.rowid))
        .where(literal_column("documents_fts").op("MATCH")(bindparam("match", match)))
        .order_by(score.desc(), documents.c.id)
        .limit(limit)
    )


def _postgres(terms: list[str], limit: int, how: str = "all"):
    english = literal_column("'english'::regconfig")
    query = None
    for term in terms:
        part = func.phraseto_tsquery(english, term)
        query = part if query is None else query.op("||" if how == "any" else "&&")(part)
    vector = literal_column("documents.search_vector")
    score = func.ts_rank_cd(vector, query, type_=Float).label("score")
    snippet = func.ts_headline(
        english,
        documents.c.abstract,
        query,
        "StartSel=[, StopSel=], MaxWords=30, MinWords=10, MaxFragments=2",
    )
    return (
        _hit_columns(score, snippet)
        .where(vector.op("@@")(query))
        .order_by(score.desc(), documents.c.id)
        .limit(limit)
    )


# SQLite only: PostgreSQL's search_vector is a generated column and needs no upkeep.
_FTS_ADD = text(
    "INSERT INTO documents_fts(rowid, title, abstract) "
    "SELECT pk, title, abstract FROM documents WHERE id IN :ids"
).bindparams(bindparam("ids", expanding=True))
_FTS_REMOVE = text(
    "INSERT INTO documents_fts(documents_fts, rowid, title, abstract) "
    "SELECT 'delete', pk, title, abstract FROM documents WHERE id IN :ids"
).bindparams(bindparam("ids", expanding=True))


def index_documents(connection: Connection, ids: list[str]) -> None:
    """Add stored documents to the SQLite full-text index (call after writing them)."""
    if ids and connection.dialect.name == "sqlite":
        connection.execute(_FTS_ADD, {"ids": ids})


def unindex_documents(connection: Connection, ids: list[str]) -> None:
    """Remove stored documents from the SQLite full-text index (call before changing or
    deleting them: an external-content index is removed by its old text)."""
    if ids and connection.dialect.name == "sqlite":
        connection.execute(_FTS_REMOVE, {"ids": ids})
