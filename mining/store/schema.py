"""The database tables, as SQLAlchemy Core tables (bulk writes need no ORM objects).

Migrations in ``migrations/versions`` create exactly these; full-text search objects
(SQLite FTS5 table and triggers, PostgreSQL tsvector column and GIN index) are dialect
specific and live only in the migrations and ``fulltext.py``.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    func,
    literal_column,
)

metadata = MetaData()

# Widest values the store holds, in UTF-8 bytes (a character is at most 4, so a value within
# the byte limit always fits the column's character length on both backends). A record with
# a longer value is refused by name on ingest (``write_documents``) instead of failing its
# whole batch on PostgreSQL while SQLite quietly stores it. Concept keys are capped so that
# the (label, head, tail) index entry stays under PostgreSQL's ~2.7 kB B-tree row limit.
DOC_ID_MAX = 255
CONCEPT_MAX = 512
LABEL_MAX = 64
SOURCE_MAX = 255


def _doc_fk() -> Column:
    return Column(
        "doc_id",
        String(DOC_ID_MAX),
        ForeignKey("documents.id", ondelete="CASCADE"),
        nullable=False,
    )


documents = Table(
    "documents",
    metadata,
    # Integer key: SQLite FTS5 external-content tables index by integer rowid.
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("id", String(DOC_ID_MAX), nullable=False, unique=True),  # "pmid:12345"
    Column("version", Integer, nullable=False, default=1),
    Column("title", Text, nullable=False),
    Column("abstract", Text, nullable=False),
    Column("journal", Text),
    Column("year", Integer),
    Column("meta", JSON, nullable=False),
    # Detects a re-released record with unchanged version but changed content.
    Column("content_hash", String(32), nullable=False),
    Column("source_file", Text),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
)
Index("ix_documents_year", documents.c.year)
# The Relations page's journal filter and its list of journals.
Index("ix_documents_journal", documents.c.journal)

concepts = Table(
    "concepts",
    metadata,
    Column("id", String(CONCEPT_MAX), primary_key=True),  # MeSH id or normalised-text key
    Column("label", String(LABEL_MAX), nullable=False),
    Column("name", Text, nullable=False),  # first surface form seen
    # Entities rows with this concept id (mining.store.concept_mentions keeps it exact).
    Column("mentions", Integer, nullable=False, server_default="0"),
)

entities = Table(
    "entities",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _doc_fk(),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("label", String(LABEL_MAX), nullable=False),
    Column("concept_id", String(CONCEPT_MAX)),
    Column("score", Float, nullable=False),
    Column("source", String(SOURCE_MAX), nullable=False),
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="SET NULL")),
)
Index("ix_entities_doc_source", entities.c.doc_id, entities.c.source)
# Concept pages: the documents mentioning a concept, without touching the entity rows.
Index("ix_entities_concept_doc", entities.c.concept_id, entities.c.doc_id)

relations = Table(
    "relations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _doc_fk(),
    Column("head", String(CONCEPT_MAX), nullable=False),  # concept keys
    Column("tail", String(CONCEPT_MAX), nullable=False),
    Column("label", String(LABEL_MAX), nullable=False),
    Column("score", Float, nullable=False),
    Column("head_entity_id", Integer, ForeignKey("entities.id", ondelete="CASCADE")),
    Column("tail_entity_id", Integer, ForeignKey("entities.id", ondelete="CASCADE")),
    Column("evidence_start", Integer),
    Column("evidence_end", Integer),
    Column("source", String(SOURCE_MAX), nullable=False),
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="SET NULL")),
)
Index("ix_relations_doc_source", relations.c.doc_id, relations.c.source)
Index("ix_relations_pair", relations.c.head, relations.c.tail, relations.c.label)
# The relation browser: filter by label, by the tail concept, by model.
Index("ix_relations_label_pair", relations.c.label, relations.c.head, relations.c.tail)
Index("ix_relations_tail", relations.c.tail)
Index("ix_relations_source", relations.c.source)

answers = Table(
    "answers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("question", Text, nullable=False),
    _doc_fk(),
    Column("label", String(16), nullable=False),
    Column("probs", JSON, nullable=False),
    Column("evidence_start", Integer),
    Column("evidence_end", Integer),
    Column("source", String(SOURCE_MAX), nullable=False),
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="SET NULL")),
    # Set for the answers of an asked question (``questions``); NULL for answers stored
    # without one (gold PubMedQA labels, rows from before migration 0006).
    Column(
        "question_id",
        Integer,
        # Named: migration 0006 adds it in batch mode, which needs the name on SQLite.
        ForeignKey("questions.id", ondelete="CASCADE", name="fk_answers_question_id"),
    ),
    Column("rank", Integer),  # 1-based retrieval rank of the document for the question
    Column("retrieval_score", Float),
)
Index("ix_answers_doc_source", answers.c.doc_id, answers.c.source)
Index("ix_answers_question", answers.c.question_id)

# A question asked of the store (``biomine ask``): the aggregated answer over the retrieved
# abstracts, how they were retrieved and which reader read them. Its per-abstract answers
# are ``answers`` rows pointing here; they go with it.
questions = Table(
    "questions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("question", Text, nullable=False),
    Column("label", String(16), nullable=False),  # yes, no, maybe
    Column("probs", JSON, nullable=False),  # label -> probability
    Column("k", Integer, nullable=False),  # abstracts asked for
    Column("retrieval", String(16), nullable=False),  # hybrid, bm25, dense
    Column("source", String(SOURCE_MAX), nullable=False),  # the reader
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="SET NULL")),
    Column("asked_at", DateTime(timezone=True), nullable=False),
)
# The app lists the recent questions.
Index("ix_questions_asked_at", questions.c.asked_at)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),  # ingest, ner, relations, qa
    Column("source", Text, nullable=False),  # model name/version, or the input files
    Column("config", JSON, nullable=False),
    Column("counts", JSON, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("status", String(16), nullable=False),  # running, done, failed
)

# Which model (``source``) has processed which document, found something or not: what
# ``biomine run`` skips. Dropped with the derived rows, so a new version is processed again.
processed = Table(
    "processed",
    metadata,
    Column(
        "doc_id",
        String(DOC_ID_MAX),
        ForeignKey("documents.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("source", String(SOURCE_MAX), primary_key=True),
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="SET NULL")),
    # Set when the document made a component fail: "<component source>: <error>".
    Column("error", Text),
)
Index("ix_processed_source", processed.c.source)

# One dense vector a document and embedding model (``mining.nlp.embeddings``): ``dim``
# little-endian float16 values (``mining.store.embeddings``). Read by model, in doc-id order,
# for the brute-force cosine search: hence the (source, doc_id) index beside the key.
embeddings = Table(
    "embeddings",
    metadata,
    Column(
        "doc_id",
        String(DOC_ID_MAX),
        ForeignKey("documents.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("source", String(SOURCE_MAX), primary_key=True),
    Column("dim", Integer, nullable=False),
    Column("vector", LargeBinary, nullable=False),
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="SET NULL")),
)
Index("ix_embeddings_source_doc", embeddings.c.source, embeddings.c.doc_id)

# --- the Relations page's summary (mining.store.pair_summary keeps it exact) -----------------


# Concept keys compared byte by byte on PostgreSQL as on SQLite, whatever the database's
# collation: the ranking merges pages of pairs in Python, so both must order keys alike.
# The same holds for names and types, which the summary compares in Python and in SQL.
def _bytewise(length: int | None = None):
    plain, ordered = (
        (String(length), String(length, collation="C")) if length else (Text(), Text(collation="C"))
    )
    return plain.with_variant(ordered, "postgresql")


_KEY, _LABEL = _bytewise(CONCEPT_MAX), _bytewise(LABEL_MAX)
NAME_SORT_CHARS = 100  # names sort by their first 100 characters (an index entry stays small)


# Sort keys of relation_pairs, indexed below and queried by mining.store.pair_ranking. Their
# constants are SQL literals, not bound parameters: a database uses an expression index only
# for the very same expression.
def last_year_key(pairs):
    """Sorted descending: latest year first, pairs without a year last (-1)."""
    return func.coalesce(pairs.c.last_year, literal_column("-1"))


def name_key(pairs, side: str):
    """A side's name (else its key), case folded, its first NAME_SORT_CHARS characters."""
    name = func.coalesce(pairs.c[f"{side}_name"], pairs.c[side])
    return func.lower(func.substr(name, literal_column("1"), literal_column(str(NAME_SORT_CHARS))))


def _pair_totals() -> list[Column]:
    """The figures of a pair, over every model (relation_pairs) or one (relation_pair_models).
    Name and type are those over the rows summed (the concept's, else the largest mention text
    / type); a side is ``mixed`` when those rows do not all carry one entity type (a key with no
    concepts row whose mentions differ), so a type filter must then look at the rows."""
    return [
        Column("head", _KEY, nullable=False),
        Column("tail", _KEY, nullable=False),
        Column("label", _LABEL, nullable=False),
        Column("abstracts", Integer, nullable=False),  # distinct documents
        Column("mentions", Integer, nullable=False),  # relation rows
        Column("best_score", Float, nullable=False),
        Column("score_sum", Float, nullable=False),  # mean = score_sum / mentions
        Column("first_year", Integer),
        Column("last_year", Integer),
        Column("head_name", _bytewise()),
        Column("head_type", _LABEL),
        Column("tail_name", _bytewise()),
        Column("tail_type", _LABEL),
        Column("head_mixed", Boolean, nullable=False),
        Column("tail_mixed", Boolean, nullable=False),
    ]


# One row per (head, tail, label), over every model: what ``relation_pairs`` returns with no
# filter on rows, read a page at a time through the indexes below.
relation_pairs = Table(
    "relation_pairs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    *_pair_totals(),
)
_PAIR_KEY = (relation_pairs.c.head, relation_pairs.c.tail, relation_pairs.c.label)
Index("ux_relation_pairs_key", *_PAIR_KEY, unique=True)
Index("ix_relation_pairs_tail", relation_pairs.c.tail)  # the key index serves the head side
# Each sort, ties by key: the first page of any sort is an index range, not a sort.
Index("ix_relation_pairs_abstracts", relation_pairs.c.abstracts.desc(), *_PAIR_KEY)
Index("ix_relation_pairs_mentions", relation_pairs.c.mentions.desc(), *_PAIR_KEY)
Index("ix_relation_pairs_best_score", relation_pairs.c.best_score.desc(), *_PAIR_KEY)
Index("ix_relation_pairs_last_year", last_year_key(relation_pairs).desc(), *_PAIR_KEY)
for _side in ("head", "tail"):
    Index(f"ix_relation_pairs_{_side}_name", name_key(relation_pairs, _side), *_PAIR_KEY)
    # A type filter (and the list of types) walks its type's pairs in ranking order.
    Index(
        f"ix_relation_pairs_{_side}_type",
        relation_pairs.c[f"{_side}_type"],
        relation_pairs.c.abstracts.desc(),
        *_PAIR_KEY,
    )
    # The rare pairs that mix types, found without a scan.
    _mixed = relation_pairs.c[f"{_side}_mixed"].is_(True)
    Index(
        f"ix_relation_pairs_{_side}_mixed",
        relation_pairs.c.id,
        sqlite_where=_mixed,
        postgresql_where=_mixed,
    )
# The relation-type filter and the list of types.
Index(
    "ix_relation_pairs_label",
    relation_pairs.c.label,
    relation_pairs.c.abstracts.desc(),
    relation_pairs.c.head,
    relation_pairs.c.tail,
)

# One row per pair and model that found it: the Model filter's ranking, a page at a time
# through its one index (the key rides along for the ties). A table of its own: in
# relation_pairs these rows would make a database without statistics (SQLite) take an index
# on the model for every query there, and need every index there.
relation_pair_models = Table(
    "relation_pair_models",
    metadata,
    Column("pair_id", Integer, primary_key=True, autoincrement=False),  # relation_pairs.id
    Column("source", String(SOURCE_MAX), primary_key=True),
    *_pair_totals(),
)
_MODEL_KEY = (
    relation_pair_models.c.head,
    relation_pair_models.c.tail,
    relation_pair_models.c.label,
)
Index(
    "ix_relation_pair_models_abstracts",
    relation_pair_models.c.source,
    relation_pair_models.c.abstracts.desc(),
    *_MODEL_KEY,
)
for _side in ("head", "tail"):
    _mixed = relation_pair_models.c[f"{_side}_mixed"].is_(True)
    Index(
        f"ix_relation_pair_models_{_side}_mixed",
        relation_pair_models.c.source,
        sqlite_where=_mixed,
        postgresql_where=_mixed,
    )

# One row per relation row, with what its filters need (its document's year and journal, the
# effective entity types), under its pair's id and clustered by it on SQLite: a filtered
# ranking sums the rows of a few candidate pairs, or all the rows one selective filter
# matches, from the table or a covering index. ``head_text``/``tail_text``
# hold the mention text only while the key has no concepts row (the name is then the largest
# of them; concepts rows are never deleted nor changed).
relation_pair_rows = Table(
    "relation_pair_rows",
    metadata,
    Column("pair_id", Integer, primary_key=True, autoincrement=False),
    Column("score", Float, primary_key=True),  # in the key: a min-score filter is a range
    Column("relation_id", Integer, primary_key=True, autoincrement=False),
    Column("doc_id", String(DOC_ID_MAX), nullable=False),
    Column("source", String(SOURCE_MAX), nullable=False),
    Column("year", Integer),
    Column("journal", Text),
    Column("head_type", _LABEL),
    Column("tail_type", _LABEL),
    Column("head_text", _bytewise()),
    Column("tail_text", _bytewise()),
    sqlite_with_rowid=False,
)
_ROWS = relation_pair_rows.c
Index("ix_relation_pair_rows_doc", _ROWS.doc_id)
Index("ix_relation_pair_rows_score", _ROWS.score)
# Covering (the key's columns ride along): a pair's rows in a year range, or of one model.
# (PostgreSQL keeps no key in an index entry: the score is included there.)
Index(
    "ix_relation_pair_rows_year",
    _ROWS.pair_id,
    _ROWS.year,
    _ROWS.doc_id,
    postgresql_include=["score"],
)
Index(
    "ix_relation_pair_rows_source",
    _ROWS.source,
    _ROWS.pair_id,
    _ROWS.doc_id,
    _ROWS.year,
    postgresql_include=["score"],
)

# A counter every write that changes what the app shows increments (mining.store.data_version):
# the app's cached query results are keyed on it, so a new run shows without a restart.
data_version = Table(
    "data_version",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # the one row: 1
    Column("version", Integer, nullable=False),
)

# Rows derived from a document: dropped when a newer version of it replaces it.
DERIVED_TABLES = (processed, relations, answers, entities, embeddings)
