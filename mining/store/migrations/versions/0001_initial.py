"""Initial schema: documents, concepts, entities, relations, answers, runs, full-text index.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _doc_fk() -> sa.Column:
    return sa.Column(
        "doc_id", sa.String(64), sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False
    )


def _run_fk() -> sa.Column:
    return sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="SET NULL"))


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(64), nullable=False, unique=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("abstract", sa.Text, nullable=False),
        sa.Column("journal", sa.Text),
        sa.Column("year", sa.Integer),
        sa.Column("meta", sa.JSON, nullable=False),
        sa.Column("content_hash", sa.String(32), nullable=False),
        sa.Column("source_file", sa.Text),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_documents_year", "documents", ["year"])
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("config", sa.JSON, nullable=False),
        sa.Column("counts", sa.JSON, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("status", sa.String(16), nullable=False),
    )
    op.create_table(
        "concepts",
        sa.Column("id", sa.String(255), primary_key=True),
        sa.Column("label", sa.String(32), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
    )
    op.create_table(
        "entities",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _doc_fk(),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("label", sa.String(32), nullable=False),
        sa.Column("concept_id", sa.String(255)),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("source", sa.String(255), nullable=False),
        _run_fk(),
    )
    op.create_index("ix_entities_doc_source", "entities", ["doc_id", "source"])
    op.create_index("ix_entities_concept", "entities", ["concept_id"])
    op.create_table(
        "relations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _doc_fk(),
        sa.Column("head", sa.String(255), nullable=False),
        sa.Column("tail", sa.String(255), nullable=False),
        sa.Column("label", sa.String(64), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("head_entity_id", sa.Integer, sa.ForeignKey("entities.id", ondelete="CASCADE")),
        sa.Column("tail_entity_id", sa.Integer, sa.ForeignKey("entities.id", ondelete="CASCADE")),
        sa.Column("evidence_start", sa.Integer),
        sa.Column("evidence_end", sa.Integer),
        sa.Column("source", sa.String(255), nullable=False),
        _run_fk(),
    )
    op.create_index("ix_relations_doc_source", "relations", ["doc_id", "source"])
    op.create_index("ix_relations_pair", "relations", ["head", "tail", "label"])
    op.create_table(
        "answers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("question", sa.Text, nullable=False),
        _doc_fk(),
        sa.Column("label", sa.String(16), nullable=False),
        sa.Column("probs", sa.JSON, nullable=False),
        sa.Column("evidence_start", sa.Integer),
        sa.Column("evidence_end", sa.Integer),
        sa.Column("source", sa.String(255), nullable=False),
        _run_fk(),
    )
    op.create_index("ix_answers_doc_source", "answers", ["doc_id", "source"])
    _create_fulltext(op.get_bind().dialect.name)


def _create_fulltext(dialect: str) -> None:
    if dialect == "sqlite":
        # External-content FTS5 index. The store keeps it in step with documents batch by
        # batch (mining.store.fulltext): per-row triggers made bulk ingest 3x slower.
        op.execute(
            "CREATE VIRTUAL TABLE documents_fts USING fts5("
            "title, abstract, content='documents', content_rowid='pk', "
            "tokenize='porter unicode61 remove_diacritics 2')"
        )
    elif dialect == "postgresql":
        # Title weighted above abstract, so title hits rank first. Only the first 100k
        # characters are indexed: a tsvector holds at most 1 MB, and a pathological 1 MB
        # "abstract" must not make its whole batch fail.
        op.execute(
            "ALTER TABLE documents ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
            "setweight(to_tsvector('english', left(coalesce(title, ''), 10000)), 'A') || "
            "setweight(to_tsvector('english', left(coalesce(abstract, ''), 100000)), 'B')) "
            "STORED"
        )
        op.execute("CREATE INDEX ix_documents_search ON documents USING GIN (search_vector)")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TABLE IF EXISTS documents_fts")
    for table in ("answers", "relations", "entities", "concepts", "runs", "documents"):
        op.drop_table(table)
