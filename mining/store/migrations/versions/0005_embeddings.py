"""embeddings: one dense vector (float16 bytes) a document and embedding model.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "embeddings",
        sa.Column(
            "doc_id",
            sa.String(255),
            sa.ForeignKey("documents.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("source", sa.String(255), primary_key=True),
        sa.Column("dim", sa.Integer, nullable=False),
        sa.Column("vector", sa.LargeBinary, nullable=False),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="SET NULL")),
    )
    op.create_index("ix_embeddings_source_doc", "embeddings", ["source", "doc_id"])


def downgrade() -> None:
    op.drop_index("ix_embeddings_source_doc", table_name="embeddings")
    op.drop_table("embeddings")
