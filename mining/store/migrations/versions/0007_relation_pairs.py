"""relation_pairs, relation_pair_models and relation_pair_rows: the Relations page's summary of
relations by concept pair (over every model, per model, per relation row), filled from the
relations already stored; data_version, the counter the app's caches are keyed on; an index
on documents.journal for the journal filter; concepts.mentions, the count of each concept's
mentions that concept autocomplete ranks by.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-10

The store's writes keep the three tables exact from here on (``mining.store.pair_summary``).
This migration fills them with INSERT ... SELECT statements written against the tables
as they are at this revision (not schema.py, which may change later), then builds their
indexes: building an index once is faster than growing it row by row.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

NAME_SORT_CHARS = 100


def _bytewise(length: int | None = None) -> sa.types.TypeEngine:
    """Compared byte by byte on PostgreSQL too, as on SQLite (see schema.py)."""
    if length is None:
        return sa.Text().with_variant(sa.Text(collation="C"), "postgresql")
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def _pair_totals() -> list[sa.Column]:
    return [
        sa.Column("head", _bytewise(512), nullable=False),
        sa.Column("tail", _bytewise(512), nullable=False),
        sa.Column("label", _bytewise(64), nullable=False),
        sa.Column("abstracts", sa.Integer, nullable=False),
        sa.Column("mentions", sa.Integer, nullable=False),
        sa.Column("best_score", sa.Float, nullable=False),
        sa.Column("score_sum", sa.Float, nullable=False),
        sa.Column("first_year", sa.Integer),
        sa.Column("last_year", sa.Integer),
        sa.Column("head_name", _bytewise()),
        sa.Column("head_type", _bytewise(64)),
        sa.Column("tail_name", _bytewise()),
        sa.Column("tail_type", _bytewise(64)),
        sa.Column("head_mixed", sa.Boolean, nullable=False),
        sa.Column("tail_mixed", sa.Boolean, nullable=False),
    ]


def upgrade() -> None:
    op.create_index("ix_documents_journal", "documents", ["journal"])
    pairs = op.create_table(
        "relation_pairs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        *_pair_totals(),
    )
    models = op.create_table(
        "relation_pair_models",
        sa.Column("pair_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("source", sa.String(255), primary_key=True),
        *_pair_totals(),
    )
    pair_rows = op.create_table(
        "relation_pair_rows",
        sa.Column("pair_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("score", sa.Float, primary_key=True),
        sa.Column("relation_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("doc_id", sa.String(255), nullable=False),
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column("year", sa.Integer),
        sa.Column("journal", sa.Text),
        sa.Column("head_type", _bytewise(64)),
        sa.Column("tail_type", _bytewise(64)),
        sa.Column("head_text", _bytewise()),
        sa.Column("tail_text", _bytewise()),
        sqlite_with_rowid=False,
    )
    versions = op.create_table(
        "data_version",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.bulk_insert(versions, [{"id": 1, "version": 0}])
    _count_mentions()
    _fill(pairs, models, pair_rows)
    _create_indexes()


def _count_mentions() -> None:
    op.add_column("concepts", sa.Column("mentions", sa.Integer, nullable=False, server_default="0"))
    concepts = sa.table("concepts", sa.column("id"), sa.column("mentions"))
    entities = sa.table("entities", sa.column("concept_id"))
    mentions = (
        sa.select(sa.func.count())
        .where(entities.c.concept_id == concepts.c.id)
        .correlate(concepts)
        .scalar_subquery()
    )
    op.execute(concepts.update().values(mentions=mentions))


def _fill(pairs: sa.Table, models: sa.Table, pair_rows: sa.Table) -> None:
    meta = sa.MetaData()
    relations = sa.Table("relations", meta, autoload_with=op.get_bind())
    documents = sa.Table("documents", meta, autoload_with=op.get_bind())
    concepts = sa.Table("concepts", meta, autoload_with=op.get_bind())
    entities = sa.Table("entities", meta, autoload_with=op.get_bind())
    r = relations.alias("r")
    hc, tc = concepts.alias("hc"), concepts.alias("tc")
    he, te = entities.alias("he"), entities.alias("te")
    head_type = sa.func.coalesce(hc.c.label, he.c.label)
    tail_type = sa.func.coalesce(tc.c.label, te.c.label)
    joined = (
        r.join(documents, documents.c.id == r.c.doc_id)
        .outerjoin(hc, hc.c.id == r.c.head)
        .outerjoin(tc, tc.c.id == r.c.tail)
        .outerjoin(he, he.c.id == r.c.head_entity_id)
        .outerjoin(te, te.c.id == r.c.tail_entity_id)
    )

    def bytewise(expr):  # maxima as the store's writes take them (schema.py)
        return sa.collate(expr, "C") if op.get_bind().dialect.name == "postgresql" else expr

    head_type, tail_type = bytewise(head_type), bytewise(tail_type)

    def mixed(kind):  # the rows disagree: two types, or a type and none
        typed = sa.func.count(kind)
        differ = sa.or_(typed < sa.func.count(), sa.func.min(kind) != sa.func.max(kind))
        return sa.and_(typed > 0, differ)  # never NULL: no type at all is no mix

    def totals(*by):  # a row a pair (and model): its figures over its relation rows
        return (
            sa.select(
                r.c.head,
                r.c.tail,
                r.c.label,
                *by,
                sa.func.count(sa.distinct(r.c.doc_id)),
                sa.func.count(),
                sa.func.max(r.c.score),
                sa.func.sum(r.c.score),
                sa.func.min(documents.c.year),
                sa.func.max(documents.c.year),
                sa.func.max(bytewise(sa.func.coalesce(hc.c.name, he.c.text))),
                sa.func.max(head_type),
                sa.func.max(bytewise(sa.func.coalesce(tc.c.name, te.c.text))),
                sa.func.max(tail_type),
                mixed(head_type),
                mixed(tail_type),
            )
            .select_from(joined)
            .group_by(r.c.head, r.c.tail, r.c.label, *by)
        )

    columns = [
        "head", "tail", "label", "abstracts", "mentions", "best_score", "score_sum",
        "first_year", "last_year", "head_name", "head_type", "tail_name", "tail_type",
        "head_mixed", "tail_mixed",
    ]  # fmt: skip
    op.execute(pairs.insert().from_select(columns, totals()))
    p = pairs.alias("p")
    key = sa.and_(p.c.head == r.c.head, p.c.tail == r.c.tail, p.c.label == r.c.label)
    per_model = totals(r.c.source).subquery("per_model")
    same = sa.and_(
        p.c.head == per_model.c.head, p.c.tail == per_model.c.tail, p.c.label == per_model.c.label
    )
    named = [per_model.c[i] for i in range(len(per_model.c))]  # in totals' order
    op.execute(
        models.insert().from_select(
            ["pair_id", "head", "tail", "label", "source", *columns[3:]],
            sa.select(p.c.id, *named).select_from(per_model.join(p, same)),
        )
    )
    rows = sa.select(
        p.c.id,
        r.c.score,
        r.c.id,
        r.c.doc_id,
        r.c.source,
        documents.c.year,
        documents.c.journal,
        head_type,
        tail_type,
        sa.case((hc.c.id.is_(None), he.c.text)),
        sa.case((tc.c.id.is_(None), te.c.text)),
    ).select_from(joined.join(p, key))
    op.execute(
        pair_rows.insert().from_select(
            [
                "pair_id", "score", "relation_id", "doc_id", "source", "year", "journal",
                "head_type", "tail_type", "head_text", "tail_text",
            ],
            rows,
        )
    )  # fmt: skip


def _create_indexes() -> None:
    names = "id head tail label abstracts mentions best_score last_year"
    names += " head_name tail_name head_type tail_type head_mixed tail_mixed"
    t = sa.table("relation_pairs", *(sa.column(name) for name in names.split()))
    key = [t.c.head, t.c.tail, t.c.label]

    def index(name, *columns, **options):
        op.create_index(name, "relation_pairs", list(columns), **options)

    index("ux_relation_pairs_key", *key, unique=True)
    index("ix_relation_pairs_tail", t.c.tail)
    index("ix_relation_pairs_abstracts", t.c.abstracts.desc(), *key)
    index("ix_relation_pairs_mentions", t.c.mentions.desc(), *key)
    index("ix_relation_pairs_best_score", t.c.best_score.desc(), *key)
    last_year = sa.func.coalesce(t.c.last_year, sa.literal_column("-1"))
    index("ix_relation_pairs_last_year", last_year.desc(), *key)
    for side in ("head", "tail"):
        name = sa.func.lower(
            sa.func.substr(
                sa.func.coalesce(t.c[f"{side}_name"], t.c[side]),
                sa.literal_column("1"),
                sa.literal_column(str(NAME_SORT_CHARS)),
            )
        )
        index(f"ix_relation_pairs_{side}_name", name, *key)
        index(f"ix_relation_pairs_{side}_type", t.c[f"{side}_type"], t.c.abstracts.desc(), *key)
        mixed = t.c[f"{side}_mixed"].is_(True)
        index(f"ix_relation_pairs_{side}_mixed", t.c.id, sqlite_where=mixed, postgresql_where=mixed)
    index("ix_relation_pairs_label", t.c.label, t.c.abstracts.desc(), t.c.head, t.c.tail)
    m = sa.table(
        "relation_pair_models",
        *(sa.column(n) for n in "source abstracts head tail label head_mixed tail_mixed".split()),
    )
    op.create_index(
        "ix_relation_pair_models_abstracts",
        "relation_pair_models",
        [m.c.source, m.c.abstracts.desc(), m.c.head, m.c.tail, m.c.label],
    )
    for side in ("head", "tail"):
        mixed = m.c[f"{side}_mixed"].is_(True)
        op.create_index(
            f"ix_relation_pair_models_{side}_mixed",
            "relation_pair_models",
            [m.c.source],
            sqlite_where=mixed,
            postgresql_where=mixed,
        )
    op.create_index("ix_relation_pair_rows_doc", "relation_pair_rows", ["doc_id"])
    op.create_index("ix_relation_pair_rows_score", "relation_pair_rows", ["score"])
    op.create_index(
        "ix_relation_pair_rows_year",
        "relation_pair_rows",
        ["pair_id", "year", "doc_id"],
        postgresql_include=["score"],
    )
    op.create_index(
        "ix_relation_pair_rows_source",
        "relation_pair_rows",
        ["source", "pair_id", "doc_id", "year"],
        postgresql_include=["score"],
    )


def downgrade() -> None:
    with op.batch_alter_table("concepts") as batch:
        batch.drop_column("mentions")
    op.drop_table("data_version")
    op.drop_table("relation_pair_rows")
    op.drop_table("relation_pair_models")
    op.drop_table("relation_pairs")
    op.drop_index("ix_documents_journal", table_name="documents")
