"""mining.ingest: which files the user's arguments stand for, and re-ingesting the demo
data (a baseline file and an update file deleting one of its records) is a no-op."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from mining.cli import app
from mining.ingest import STDIN, expand_inputs, ingest
from mining.store.database import open_database
from mining.store.schema import documents

REPO = Path(__file__).resolve().parents[1]
PUBTATOR = "1|t|Aspirin study.\n1|a|Aspirin caused ulcers.\n\n"


def tree(root: Path, *names: str) -> Path:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(PUBTATOR)
    return root


def rel(root: Path, names) -> list[str]:
    return [os.path.relpath(name, root) if name != STDIN else name for name in names]


def test_folder_gives_corpus_files_only_sorted_recursive_without_hidden(tmp_path):
    tree(
        tmp_path,
        "b.xml",
        "a.pubtator",
        "c.jsonl.gz",
        "README.md",
        "paper.pdf",
        "notes.docx",
        "sub/d.tsv",
        ".hidden.xml",
        ".git/objects/x.json",
        ".ipynb_checkpoints/a-checkpoint.xml",
        "sub/.ipynb_checkpoints/d-checkpoint.tsv",
    )
    assert rel(tmp_path, expand_inputs([str(tmp_path)])) == [
        "a.pubtator",
        "b.xml",
        "c.jsonl.gz",
        os.path.join("sub", "d.tsv"),
    ]


def test_globs_are_sorted_and_skip_hidden_names(tmp_path):
    tree(tmp_path, "z.xml", "a.xml", "m.txt", ".h.xml", "sub/b.xml", ".git/c.xml")
    pattern = str(tmp_path / "**" / "*.xml")
    assert rel(tmp_path, expand_inputs([pattern])) == [
        "a.xml",
        os.path.join("sub", "b.xml"),
        "z.xml",
    ]


def test_argument_order_kept_and_duplicates_dropped(tmp_path):
    tree(tmp_path, "a.xml", "b.xml")
    a, b = str(tmp_path / "a.xml"), str(tmp_path / "b.xml")
    dotted = str(tmp_path / "." / "a.xml")
    args = [b, a, str(tmp_path), dotted, str(tmp_path / "*.xml"), STDIN, STDIN]
    assert list(expand_inputs(args)) == [b, a, STDIN]
    assert list(expand_inputs(args)) == list(expand_inputs(args))


def test_text_folder_is_one_input_beside_its_other_corpus_files(tmp_path):
    (tmp_path / "one.txt").write_text("A title\n\nAn abstract.\n")
    (tmp_path / ".draft.txt").write_text("Hidden\n\nNot an abstract.\n")
    tree(tmp_path, "gold.xml", "sub/more.pubtator")
    assert rel(tmp_path, expand_inputs([str(tmp_path)])) == [
        ".",
        "gold.xml",
        os.path.join("sub", "more.pubtator"),
    ]


def test_a_chemprot_split_is_one_input(tmp_path):
    tree(tmp_path, "a.pubtator", "cp/train/x_abstracts.tsv", "cp/train/x_entities.tsv")
    tree(tmp_path, "cp/dev/y_abstracts.tsv", "cp/dev/y_entities.tsv", "cp/notes.tsv")
    assert rel(tmp_path, expand_inputs([str(tmp_path)])) == [
        os.path.join("cp", "dev"),
        os.path.join("cp", "train"),
        "a.pubtator",
        os.path.join("cp", "notes.tsv"),
    ]


def test_missing_path_and_empty_glob_are_clear_errors_naming_them(tmp_path):
    tree(tmp_path, "good.pubtator")
    missing, nothing = str(tmp_path / "missing.xml"), str(tmp_path / "*.nothing")
    assert list(expand_inputs([missing, nothing])) == [missing, nothing]
    engine = open_database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    report = ingest(engine, [missing, nothing, str(tmp_path / "good.pubtator")])
    assert report.counts.inserted == 1
    assert [(e.source, e.message) for e in report.errors] == [
        (missing, "no such file or folder"),
        (nothing, "no file or folder matches this pattern"),
    ]


# --- the demo: ingest data/ twice ---------------------------------------------------------


def _row_counts(url: str) -> dict[str, int]:
    engine = open_database(url)
    with engine.connect() as connection:
        ids = sorted(connection.execute(select(documents.c.id, documents.c.version)))
        total = connection.execute(select(func.count()).select_from(documents)).scalar_one()
    return {"documents": total, "ids": ids}


def test_ingesting_the_demo_data_twice_is_a_no_op(tmp_path):
    data = shutil.copytree(REPO / "data", tmp_path / "data")
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    runner = CliRunner()
    first = runner.invoke(app, ["ingest", str(data), "--db", url])
    assert first.exit_code == 0, first.output
    assert "10 new, 1 replaced" in first.stdout and "1 deleted" in first.stdout
    after_first = _row_counts(url)
    assert after_first["documents"] == 9  # PMID 90000007 withdrawn by the update file
    assert ("pmid:90000003", 2) in after_first["ids"]

    second = runner.invoke(app, ["ingest", str(data), "--db", url])
    assert second.exit_code == 0, second.output
    assert "0 new, 0 replaced, 12 unchanged" in second.stdout
    assert "0 deleted" in second.stdout and "2 already ingested" in second.stdout
    assert _row_counts(url) == after_first

    # A genuinely new version is still stored, and --force reads everything again.
    update = (data / "examples_update.xml").read_text()
    (data / "examples_update2.xml").write_text(
        update.replace('<PMID Version="2">90000003', '<PMID Version="3">90000003')
    )
    third = runner.invoke(app, ["ingest", str(data), "--db", url])
    assert "1 replaced" in third.stdout and ("pmid:90000003", 3) in _row_counts(url)["ids"]
    forced = runner.invoke(app, ["ingest", str(data), "--db", url, "--force"])
    assert forced.exit_code == 0 and "already ingested" not in forced.stdout


def test_a_file_with_errors_is_read_again(tmp_path):
    bad = tmp_path / "x.jsonl"
    bad.write_text('{"id": 1, "title": "Fine."}\n{"id": 2, "title": \n')
    engine = open_database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert ingest(engine, [str(bad)]).errors
    again = ingest(engine, [str(bad)])
    assert again.skipped == [] and again.errors and again.counts.unchanged == 1
