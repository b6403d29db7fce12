"""Ranked full-text search over titles and abstracts: FTS5 on SQLite, tsvector on PostgreSQL.

User text is always passed as a bound parameter; the SQL around it is fixed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, bindparam, exc, text

from mining.errors import BioMineError


@dataclass(frozen=True, slots=True)
class SearchHit:
    doc_id: str
    title: str
    year: int | None
    journal: str | None
    score: float  # higher is better
    snippet: str  # plain text, matches wrapped in [ ]


_SQLITE = text(
    "SELECT d.id, d.title, d.year, d.journal, -bm25(documents_fts, 2.0, 1.0) AS score, "
    "snippet(documents_fts, 1, '[', ']', ' … ', 24) AS snippet "
    "FROM documents_fts JOIN documents AS d ON d.pk = documents_fts.rowid "
    "WHERE documents_fts MATCH :query ORDER BY score DESC LIMIT :limit"
)

_POSTGRES = text(
    "SELECT d.id, d.title, d.year, d.journal, ts_rank_cd(d.search_vector, q) AS score, "
    "ts_headline('english', d.abstract, q, "
    "'StartSel=[, StopSel=], MaxWords=30, MinWords=10, MaxFragments=2') AS snippet "
    "FROM documents AS d, websearch_to_tsquery('english', :query) AS q "
    "WHERE d.search_vector @@ q ORDER BY score DESC, d.id LIMIT :limit"
)


def search_documents(engine: Engine, query: str, limit: int = 10) -> list[SearchHit]:
    """Documents matching every word of ``query``, best first."""
    if not query.strip():
        raise BioMineError("empty search query")
    if engine.dialect.name == "postgresql":
        return _run(engine, _POSTGRES, query, limit)
    try:
        # FTS5 syntax (AND/OR/NOT, "phrases", prefix*) for those who know it ...
        return _run(engine, _SQLITE, query, limit)
    except exc.OperationalError:
        # ... and plain words for everyone else: "IL-2" or "5-HT" would be FTS5 syntax errors.
        return _run(engine, _SQLITE, _quoted_terms(query), limit)


def _quoted_terms(query: str) -> str:
    """Each whitespace-separated word as an FTS5 phrase: "IL-2" matches IL followed by 2."""
    words = [word for word in query.split() if re.search(r"\w", word)]
    if not words:
        raise BioMineError(f"search query {query!r} has no words")
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)


def _run(engine: Engine, statement, query: str, limit: int) -> list[SearchHit]:
    statement = statement.bindparams(bindparam("query"), bindparam("limit"))
    with engine.connect() as connection:
        rows = connection.execute(statement, {"query": query, "limit": limit}).all()
    return [SearchHit(r.id, r.title, r.year, r.journal, float(r.score), r.snippet) for r in rows]


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
