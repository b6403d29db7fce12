"""``biomine ask``, ``biomine eval qa`` and ``biomine train qa`` as a user meets them."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from mining.cli import app
from mining.store.database import open_database
from mining.store.queries import list_runs, question_answers, recent_questions
from mining.store.write_documents import store_documents
from mining.types import Document
from tests.nlp.tiny_models import tiny_classifier
from tests.qa.synthetic import VOCAB, tiny_base, write_synthetic

runner = CliRunner()


def biomine(*args: str):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def said(text: str) -> str:
    return " ".join(text.split())


def favouring_reader(tmp_path, label: str):
    """A reader that answers ``label`` whatever it reads (plumbing, not quality)."""
    return tiny_classifier(tmp_path / f"reader-{label}", ["yes", "no", "maybe"], label, "pubmedqa",
                           words=VOCAB)  # fmt: skip


def store(tmp_path) -> str:
    db = f"sqlite:///{tmp_path / 'qa.db'}"
    engine = open_database(db)
    store_documents(
        engine,
        [
            Document("pmid:1", "Aspirin and stroke.", "Aspirin lowered stroke. It was safe."),
            Document("pmid:2", "Statins [bold]in[/bold] stroke\x1b[2J.", "Stroke fell on statins."),
            Document("pmid:3", "Measles vaccine.", "Measles fell."),
        ],
    )
    engine.dispose()
    return db


def test_ask_answers_with_evidence_and_stores_the_question(tmp_path):
    db = store(tmp_path)
    reader = favouring_reader(tmp_path, "no")
    result = biomine("ask", "Does aspirin prevent stroke?", "--db", db, "--model", reader,
                     "--k", 5, "--device", "cpu", "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["answer"] == "no" and out["retrieval"] == "bm25"  # no vectors stored
    assert abs(sum(out["probs"].values()) - 1) < 1e-3
    ranked = [a["doc_id"] for a in out["abstracts"]]
    assert ranked[0] == "pmid:1" and set(ranked) == {"pmid:1", "pmid:2"}  # measles: no hit
    first = out["abstracts"][0]
    assert first["answer"] == "no" and first["rank"] == 1
    start, end = first["evidence_span"]
    text = "Aspirin and stroke. Aspirin lowered stroke. It was safe."
    assert first["evidence"] == text[start:end] and first["evidence"].endswith(".")

    engine = open_database(db)
    (asked,) = recent_questions(engine)
    assert asked.id == out["question_id"] and asked.question == "Does aspirin prevent stroke?"
    assert asked.label == "no" and asked.k == 5 and asked.n_answers == 2
    assert asked.source == out["reader"] == "reader-no"  # no biomine_version: no @version
    rows = question_answers(engine, asked.id)
    assert [r.doc_id for r in rows] == ranked and rows[0].evidence.text == first["evidence"]
    (run,) = [r for r in list_runs(engine) if r.kind == "qa"]
    assert run.id == asked.run_id and run.status == "done" and run.source == "reader-no"

    shown = biomine("ask", "stroke", "--db", db, "--model", reader, "--device", "cpu")
    assert shown.exit_code == 0, shown.output
    assert said(shown.stdout).startswith("NO yes")
    assert "Statins [bold]in[/bold] stroke" in shown.stdout and "\x1b" not in shown.stdout
    assert len(recent_questions(open_database(db))) == 2


def test_ask_names_a_missing_database_and_says_when_nothing_matches(tmp_path):
    reader = favouring_reader(tmp_path, "yes")
    missing = tmp_path / "nope.db"
    result = biomine("ask", "Does it?", "--db", f"sqlite:///{missing}", "--model", reader)
    assert result.exit_code != 0 and "nope.db" in said(result.stderr)
    assert not missing.exists()
    db = store(tmp_path)
    none = biomine("ask", "zebrafish fins?", "--db", db, "--model", reader, "--device", "cpu")
    assert none.exit_code == 1 and "no stored abstract matches" in said(none.stderr)
    assert recent_questions(open_database(db)) == []  # nothing answered, nothing stored


def test_eval_qa_json_puts_reasoning_required_on_top(tmp_path):
    data = write_synthetic(tmp_path, n_per_label=4)
    reader = favouring_reader(tmp_path, "yes")
    result = biomine("eval", "qa", "--gold", data, "--model", reader, "--device", "cpu", "--json")
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    # Always "yes" on a balanced set: a third right; macro-F1 = F1(yes) / 3 = 0.5 / 3.
    assert scores["accuracy"] == 33.33 and scores["macro_f1"] == 16.67
    assert scores["reasoning_free"]["accuracy"] == 33.33
    assert scores["labels"]["maybe"]["predicted"] == 0 and scores["n"] == 12
    text = biomine("eval", "qa", "--gold", data, "--model", reader, "--device", "cpu")
    assert "reasoning-free" in text.stdout and "accuracy 33.33" in text.stdout
    wrong = biomine("eval", "qa", "--gold", tmp_path / "none.json", "--model", reader)
    assert wrong.exit_code == 1 and "none.json" in said(wrong.stderr)


def test_train_qa_cross_validates_then_writes_the_reader(tmp_path):
    data = write_synthetic(tmp_path)
    report = tmp_path / "cv.json"
    result = biomine(
        "train", "qa", "--train", data, "--out", tmp_path / "reader", "--cross-validate", 3,
        "--report", report, "--base", tiny_base(tmp_path / "base"), "--lora-r", 0,
        "--epochs", 1, "--max-tokens", 64,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    cv = json.loads(report.read_text())
    assert cv["n"] == 18 and len(cv["folds"]) == 3 and "macro_f1" in cv["reasoning_free"]
    metrics = json.loads((tmp_path / "reader" / "training_metrics.json").read_text())
    assert metrics["cross_validation"]["accuracy"] == cv["accuracy"]
    assert metrics["command"].startswith("biomine train qa")
    assert biomine("train", "qa", "--train", data).exit_code == 2  # neither --out nor folds


def test_a_database_password_never_reaches_the_folder():
    from mining.cli.common import shown

    assert (
        shown("postgresql+psycopg://me:s3cret@db/pubmed") == "postgresql+psycopg://me:***@db/pubmed"
    )
    assert shown("sqlite:///corpora.db") == "sqlite:///corpora.db"
    assert shown("a@b://") == "a@b://"  # not a URL: as it is


def test_without_a_shipped_reader_ask_says_what_to_pass(tmp_path, monkeypatch):
    monkeypatch.setenv("BIOMINE_MODELS", str(tmp_path))  # a models/ folder with no reader
    result = biomine("ask", "Does it?", "--db", store(tmp_path))
    assert result.exit_code == 1
    assert "no shipped question reader: pass --model" in said(result.stderr)
    assert "BioGPT-Large-PubMedQA" in said(result.stderr)
