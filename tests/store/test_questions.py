"""Asked questions: stored with their ranked answers in one transaction, read back newest
first, deleted with their answers; migration 0006 keeps the answers stored before it. Every
test runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from alembic import command
from sqlalchemy import delete, func, inspect, select, update
from sqlalchemy.exc import IntegrityError

from mining.store.database import _alembic_config, open_database
from mining.store.queries import question_answers, recent_questions
from mining.store.questions import write_question
from mining.store.runs import start_run
from mining.store.schema import answers, questions, runs
from mining.store.stats import store_stats
from mining.store.write_annotations import replace_annotations
from mining.store.write_documents import store_documents
from mining.types import Answer, Deletion, Document

QUESTION = "Does aspirin prevent stroke?"
READER = "models/qa-reader@1"
DOCS = [
    Document("pmid:30", "Aspirin and stroke", "Aspirin lowered the risk of stroke in trials."),
    Document("pmid:10", "Warfarin dosing", "Warfarin needs monitoring."),
    Document("pmid:20", "Statins", ""),
]


def count(engine, table) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def read(
    doc_id: str, label: str, evidence: tuple[int, int] | None = None, question: str = QUESTION
) -> Answer:
    probs = {"yes": 0.1, "no": 0.1, "maybe": 0.1} | {label: 0.8}
    return Answer(question, doc_id, label, probs, evidence, READER)


def ask(
    engine,
    question: str = QUESTION,
    read_answers: list[tuple[Answer, float]] | None = None,
    run_id: int | None = None,
) -> int:
    """Store a question answered "yes"; by default read from pmid:30 (rank 1) and pmid:10."""
    if read_answers is None:
        read_answers = [
            (read("pmid:30", "yes", (0, 7), question), 0.9),
            (read("pmid:10", "no", None, question), 0.5),
        ]
    probs = {"yes": 0.7, "no": 0.2, "maybe": 0.1}
    return write_question(
        engine,
        question,
        "yes",
        probs,
        read_answers,
        k=5,
        retrieval="hybrid",
        source=READER,
        run_id=run_id,
    )


@pytest.fixture
def stored(engine):
    store_documents(engine, DOCS)
    return engine


def test_write_then_read_round_trip(stored):
    run_id = start_run(stored, "qa", READER, {})
    answers_read = [
        # A reader's numpy scalars must come back as numbers, not as their str().
        (Answer(QUESTION, "pmid:30", "yes", {"yes": np.float32(0.75)}, (19, 26), READER), 2.5),
        (Answer(QUESTION, "pmid:10", "no", {"no": 0.6}, None, "other-reader@2"), np.float64(1.5)),
        (read("pmid:20", "maybe", (0, 7)), 0.25),
    ]
    before = datetime.now(UTC)
    question_id = write_question(
        stored,
        QUESTION,
        "yes",
        {"yes": np.float32(0.5), "no": 0.3, "maybe": 0.2},
        answers_read,
        k=3,
        retrieval="bm25",
        source=READER,
        run_id=run_id,
    )

    [row] = recent_questions(stored)
    assert (row.id, row.question, row.label, row.k, row.retrieval, row.source, row.run_id) == (
        question_id,
        QUESTION,
        "yes",
        3,
        "bm25",
        READER,
        run_id,
    )
    assert row.probs == pytest.approx({"yes": 0.5, "no": 0.3, "maybe": 0.2})
    assert all(isinstance(p, float) for p in row.probs.values())
    assert row.n_answers == 3
    assert row.asked_at.tzinfo is not None
    assert before - timedelta(seconds=1) <= row.asked_at <= datetime.now(UTC) + timedelta(seconds=1)

    found = question_answers(stored, question_id)
    # Rank order is the retrieval order given, not doc-id or any other order.
    assert [(a.rank, a.doc_id, a.label) for a in found] == [
        (1, "pmid:30", "yes"),
        (2, "pmid:10", "no"),
        (3, "pmid:20", "maybe"),
    ]
    assert [a.title for a in found] == ["Aspirin and stroke", "Warfarin dosing", "Statins"]
    assert [a.retrieval_score for a in found] == pytest.approx([2.5, 1.5, 0.25])
    assert [a.source for a in found] == [READER, "other-reader@2", READER]
    assert found[0].probs == pytest.approx({"yes": 0.75})
    assert isinstance(found[0].probs["yes"], float)
    # Spans index title + " " + abstract; an abstract-less document's text is its title.
    assert (found[0].evidence.start, found[0].evidence.end) == (19, 26)
    assert found[0].evidence.text == DOCS[0].text[19:26] == "Aspirin"
    assert found[1].evidence is None
    assert found[2].evidence.text == "Statins"
    with stored.connect() as connection:
        assert set(connection.execute(select(answers.c.run_id)).scalars()) == {run_id}
    assert question_answers(stored, question_id + 1) == []


def test_a_question_without_answers_is_stored(stored):
    question_id = ask(stored, read_answers=[])
    [row] = recent_questions(stored)
    assert (row.id, row.n_answers) == (question_id, 0)
    assert question_answers(stored, question_id) == []


@pytest.mark.parametrize(
    "change",
    [
        {"label": "Yes"},
        {"label": "unsure"},
        {"answer_label": "positive"},
        {"other_question": True},
        {"retrieval": "hybrid-rerank-rrf-x"},
        {"source": "m" * 256},
    ],
)
def test_invalid_input_raises_and_writes_nothing(stored, change):
    bad = read("pmid:10", change.get("answer_label", "no"))
    if change.get("other_question"):
        bad = read("pmid:10", "no", None, "Does warfarin prevent stroke?")
    with pytest.raises(ValueError):
        write_question(
            stored,
            QUESTION,
            change.get("label", "yes"),
            {"yes": 1.0},
            [(read("pmid:30", "yes"), 1.0), (bad, 0.5)],
            k=2,
            retrieval=change.get("retrieval", "hybrid"),
            source=change.get("source", READER),
            run_id=None,
        )
    assert (count(stored, questions), count(stored, answers)) == (0, 0)


def test_an_answer_for_an_unknown_document_rolls_the_question_back(stored):
    """The question row is inserted before its answers: one transaction takes both back."""
    with pytest.raises(IntegrityError):
        ask(stored, read_answers=[(read("pmid:30", "yes"), 1.0), (read("pmid:404", "no"), 0.5)])
    assert (count(stored, questions), count(stored, answers)) == (0, 0)


def test_deleting_a_question_deletes_its_answers_only(stored):
    first = ask(stored)
    second = ask(stored, "Does warfarin cause bleeding?")
    with stored.begin() as connection:
        connection.execute(answers.insert().values(_plain_answer("pmid:30")))
        connection.execute(delete(questions).where(questions.c.id == first))
    assert [q.id for q in recent_questions(stored)] == [second]
    assert question_answers(stored, first) == []
    assert [a.doc_id for a in question_answers(stored, second)] == ["pmid:30", "pmid:10"]
    with stored.connect() as connection:
        kept = connection.execute(select(answers.c.question_id)).scalars().all()
    assert sorted(kept, key=lambda q: q or 0) == [None, second, second]


def test_deleting_the_run_keeps_the_question(stored):
    run_id = start_run(stored, "qa", READER, {})
    question_id = ask(stored, run_id=run_id)
    with stored.begin() as connection:
        connection.execute(delete(runs).where(runs.c.id == run_id))
    [row] = recent_questions(stored)
    assert (row.id, row.run_id, row.n_answers) == (question_id, None, 2)


def test_recent_questions_newest_first_and_limited(stored):
    ids = [ask(stored, f"Question {i}?", read_answers=[]) for i in range(4)]
    base = datetime(2026, 1, 1, tzinfo=UTC)
    # Asked times against id order: ids[2] newest; ids[0] and ids[3] tie (later id first).
    times = {ids[0]: base, ids[1]: base - timedelta(days=1), ids[2]: base + timedelta(hours=1)}
    times[ids[3]] = base
    with stored.begin() as connection:
        for question_id, moment in times.items():
            connection.execute(
                update(questions).where(questions.c.id == question_id).values(asked_at=moment)
            )
    assert [q.id for q in recent_questions(stored)] == [ids[2], ids[3], ids[0], ids[1]]
    assert [q.id for q in recent_questions(stored, limit=2)] == [ids[2], ids[3]]
    assert recent_questions(stored)[0].asked_at == base + timedelta(hours=1)
    with pytest.raises(ValueError):
        recent_questions(stored, limit=0)


def test_a_replaced_or_deleted_document_loses_its_answers_not_the_question(stored):
    question_id = ask(
        stored,
        read_answers=[
            (read("pmid:30", "yes", (0, 7)), 0.9),
            (read("pmid:10", "no"), 0.5),
            (read("pmid:20", "maybe"), 0.1),
        ],
    )
    newer = Document("pmid:30", "Aspirin revisited", "A new version.", {"version": 2})
    counts = store_documents(stored, [newer, Deletion("pmid:20")])
    assert (counts.replaced, counts.deleted) == (1, 1)
    [row] = recent_questions(stored)
    assert (row.id, row.label, row.n_answers) == (question_id, "yes", 1)
    # Its offsets were into the old text: the answer goes with the version it was read from.
    assert [(a.rank, a.doc_id) for a in question_answers(stored, question_id)] == [(2, "pmid:10")]


def test_rerunning_a_model_keeps_the_answers_of_asked_questions(stored):
    question_id = ask(stored)
    with stored.begin() as connection:
        connection.execute(answers.insert().values(_plain_answer("pmid:30")))
        replace_annotations(connection, ["pmid:30", "pmid:10"], READER, [], [])
    assert [a.doc_id for a in question_answers(stored, question_id)] == ["pmid:30", "pmid:10"]
    assert count(stored, answers) == 2  # the per-document answer of READER was replaced


def test_stats_count_questions(stored):
    ask(stored)
    ask(stored, "Does warfarin cause bleeding?", read_answers=[])
    stats = store_stats(stored)
    assert (stats.questions, stats.answers) == (2, 2)


def _plain_answer(doc_id: str) -> dict:
    """An answers row as stored before questions existed."""
    return {
        "question": "Is it?",
        "doc_id": doc_id,
        "label": "maybe",
        "probs": {"maybe": 1.0},
        "evidence_start": None,
        "evidence_end": None,
        "source": READER,
        "run_id": None,
    }


def test_migration_0006_keeps_the_answers_stored_before_it(db_url):
    engine = open_database(db_url)
    store_documents(engine, DOCS)
    with engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0005")
    with engine.begin() as connection:
        assert "questions" not in inspect(connection).get_table_names()
        connection.execute(answers.insert().values(_plain_answer("pmid:30")))  # 0005 columns
    engine.dispose()

    engine = open_database(db_url)  # migrates to head
    with engine.connect() as connection:
        [old] = connection.execute(select(answers)).all()
    assert (old.question, old.doc_id, old.label, old.probs, old.source) == (
        "Is it?",
        "pmid:30",
        "maybe",
        {"maybe": 1.0},
        READER,
    )
    assert (old.question_id, old.rank, old.retrieval_score) == (None, None, None)

    # The migrated table has the question key with its cascade (SQLite copied the table).
    question_id = ask(engine)
    assert [a.doc_id for a in question_answers(engine, question_id)] == ["pmid:30", "pmid:10"]
    with engine.begin() as connection:
        connection.execute(delete(questions).where(questions.c.id == question_id))
    assert count(engine, answers) == 1

    # And back: the downgrade drops the new table and columns, the old answer stays.
    ask(engine)
    with engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0005")
    with engine.connect() as connection:
        schema = inspect(connection)
        assert "questions" not in schema.get_table_names()
        assert "question_id" not in {c["name"] for c in schema.get_columns("answers")}
        assert connection.execute(select(func.count()).select_from(answers)).scalar_one() == 3
    engine.dispose()
