"""Writing an asked question: its aggregated answer, the answers of the abstracts read for
it (in retrieval order) and the provenance of the run, in one transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from sqlalchemy import Engine

from mining.store.data_version import bump_data_version
from mining.store.schema import SOURCE_MAX, questions
from mining.store.schema import answers as answers_table
from mining.types import ANSWER_LABELS as LABELS
from mining.types import Answer

RETRIEVAL_MAX = 16  # questions.retrieval is String(16)


def write_question(
    engine: Engine,
    question: str,
    label: str,
    probs: Mapping[str, float],
    answers: Sequence[tuple[Answer, float]],
    *,
    k: int,
    retrieval: str,
    source: str,
    run_id: int | None,
) -> int:
    """Store a question, its aggregated ``label`` and ``probs``, and one answers row per
    (answer, retrieval score) in ``answers``, ranked by position (the first is rank 1);
    returns the question's id. Nothing is written if any of it is invalid."""
    _check(question, label, answers, retrieval, source)
    with engine.begin() as connection:
        question_id = connection.execute(
            questions.insert().values(
                question=question,
                label=label,
                probs=_plain(probs),
                k=k,
                retrieval=retrieval,
                source=source,
                run_id=run_id,
                asked_at=datetime.now(UTC),
            )
        ).inserted_primary_key[0]
        if answers:
            rows = [
                _answer_row(answer, score, rank, question_id, run_id)
                for rank, (answer, score) in enumerate(answers, start=1)
            ]
            connection.execute(answers_table.insert(), rows)
        bump_data_version(connection)
    return question_id


def _check(
    question: str,
    label: str,
    answers: Sequence[tuple[Answer, float]],
    retrieval: str,
    source: str,
) -> None:
    """ValueError for what either backend would store wrongly or refuse mid-transaction
    (PostgreSQL enforces VARCHAR lengths, SQLite does not)."""
    if label not in LABELS:
        raise ValueError(f"answer label {label!r} is not one of {', '.join(LABELS)}")
    if len(retrieval) > RETRIEVAL_MAX:
        raise ValueError(f"retrieval {retrieval!r} is longer than {RETRIEVAL_MAX} characters")
    for answer, _score in answers:
        if answer.label not in LABELS:
            raise ValueError(
                f"answer label {answer.label!r} for {answer.doc_id} is not one of "
                f"{', '.join(LABELS)}"
            )
        if answer.question != question:
            raise ValueError(f"the answer for {answer.doc_id} is to another question")
    for name in {source, *(answer.source for answer, _score in answers)}:
        if len(name.encode("utf-8", "surrogatepass")) > SOURCE_MAX:
            raise ValueError(f"source {name[:60]!r}… is longer than {SOURCE_MAX} bytes")


def _plain(probs: Mapping[str, float]) -> dict[str, float]:
    # Readers hand numpy or torch scalars; the JSON serializer would store them as strings.
    return {str(label): float(p) for label, p in probs.items()}


def _answer_row(
    answer: Answer, score: float, rank: int, question_id: int, run_id: int | None
) -> dict:
    start, end = answer.evidence if answer.evidence else (None, None)
    return {
        "question": answer.question,
        "doc_id": answer.doc_id,
        "label": answer.label,
        "probs": _plain(answer.probs),
        "evidence_start": start,
        "evidence_end": end,
        "source": answer.source,
        "run_id": run_id,
        "question_id": question_id,
        "rank": rank,
        "retrieval_score": float(score),
    }
