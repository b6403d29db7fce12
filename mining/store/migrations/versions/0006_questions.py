"""questions: a question asked of the store, its aggregated answer and provenance; answers
gain the question they belong to, the document's retrieval rank and score.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08

Existing answers keep their rows, with NULL in the new columns. On SQLite the foreign key
makes batch mode copy the answers table (a small table: one row a document and question),
and batch mode needs the constraint named; ``schema.py`` gives it the same name.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ANSWER_QUESTION_FK = "fk_answers_question_id"


def upgrade() -> None:
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("label", sa.String(16), nullable=False),
        sa.Column("probs", sa.JSON, nullable=False),
        sa.Column("k", sa.Integer, nullable=False),
        sa.Column("retrieval", sa.String(16), nullable=False),
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="SET NULL")),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_questions_asked_at", "questions", ["asked_at"])
    with op.batch_alter_table("answers") as batch:
        batch.add_column(
            sa.Column(
                "question_id",
                sa.Integer,
                sa.ForeignKey("questions.id", ondelete="CASCADE", name=ANSWER_QUESTION_FK),
                nullable=True,
            )
        )
        batch.add_column(sa.Column("rank", sa.Integer, nullable=True))
        batch.add_column(sa.Column("retrieval_score", sa.Float, nullable=True))
    op.create_index("ix_answers_question", "answers", ["question_id"])


def downgrade() -> None:
    op.drop_index("ix_answers_question", table_name="answers")
    with op.batch_alter_table("answers") as batch:
        batch.drop_column("retrieval_score")
        batch.drop_column("rank")
        batch.drop_constraint(ANSWER_QUESTION_FK, type_="foreignkey")
        batch.drop_column("question_id")
    op.drop_index("ix_questions_asked_at", table_name="questions")
    op.drop_table("questions")
