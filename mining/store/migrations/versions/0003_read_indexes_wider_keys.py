"""Indexes for the read API (mining.store.queries) and key columns wide enough for real ids.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03

PostgreSQL enforces VARCHAR lengths (a 100-character document id failed its whole batch);
SQLite does not, so the widening runs on PostgreSQL only: recreating SQLite tables (batch
mode) would cost a full copy of every table, FTS5 index included, to change nothing SQLite
checks. The limits themselves are enforced for both backends on ingest (schema.DOC_ID_MAX...).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# (table, column, old length, new length)
_WIDENED = [
    ("documents", "id", 64, 255),
    ("entities", "doc_id", 64, 255),
    ("relations", "doc_id", 64, 255),
    ("answers", "doc_id", 64, 255),
    ("processed", "doc_id", 64, 255),
    ("concepts", "id", 255, 512),
    ("concepts", "label", 32, 64),
    ("entities", "label", 32, 64),
    ("entities", "concept_id", 255, 512),
    ("relations", "head", 255, 512),
    ("relations", "tail", 255, 512),
]

# (name, table, columns)
_INDEXES = [
    ("ix_entities_concept_doc", "entities", ["concept_id", "doc_id"]),
    ("ix_relations_label_pair", "relations", ["label", "head", "tail"]),
    ("ix_relations_tail", "relations", ["tail"]),
    ("ix_relations_source", "relations", ["source"]),
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # Growing a VARCHAR is a catalogue-only change on PostgreSQL: no table rewrite.
        for table, column, old, new in _WIDENED:
            op.alter_column(table, column, type_=sa.String(new), existing_type=sa.String(old))
    for name, table, columns in _INDEXES:
        op.create_index(name, table, columns)
    # (concept_id, doc_id) answers every question the single-column index did.
    op.drop_index("ix_entities_concept", table_name="entities")


def downgrade() -> None:
    op.create_index("ix_entities_concept", "entities", ["concept_id"])
    for name, table, _columns in reversed(_INDEXES):
        op.drop_index(name, table_name=table)
    if op.get_bind().dialect.name == "postgresql":
        for table, column, old, new in reversed(_WIDENED):
            op.alter_column(table, column, type_=sa.String(old), existing_type=sa.String(new))
