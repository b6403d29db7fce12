"""processed: which model has processed which document (so `biomine run` resumes).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "processed",
        sa.Column(
            "doc_id",
            sa.String(64),
            sa.ForeignKey("documents.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("source", sa.String(255), primary_key=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="SET NULL")),
    )
    op.create_index("ix_processed_source", "processed", ["source"])


def downgrade() -> None:
    op.drop_index("ix_processed_source", table_name="processed")
    op.drop_table("processed")
