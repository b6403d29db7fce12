"""Commands behave the same on SQLite and PostgreSQL at the edges: over-long values, runs
that do nothing, mistyped database paths, hostile stored text, export oddities."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from mining.cli import app
from mining.store.database import open_database
from mining.store.queries import list_runs
from mining.store.schema import concepts, documents, entities
from mining.store.write_documents import store_documents
from mining.types import Document, Entity

runner = CliRunner()


def biomine(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def _record(doc_id: str, concept: str = "D008094", label: str = "Chemical", **extra) -> dict:
    return {
        "id": doc_id,
        "title": "Lithium and polyuria",
        "abstract": "",
        "entities": [
            {"start": 0, "end": 7, "text": "Lithium", "label": label, "concept_id": concept}
        ],
        **extra,
    }


def _jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_long_values_give_the_same_rows_on_both_backends(db_url, tmp_path):
    long_id, long_concept = "a" * 100, "C" * 300
    corpus = _jsonl(
        tmp_path / "wide.jsonl",
        [
            _record("1"),
            _record(long_id),  # fits once widened: kept
            _record("2", concept=long_concept),  # fits once widened: kept
            _record("3", concept="C" * 600),  # wider than the store holds: refused
            _record("b" * 300),  # refused
            _record("4", label="L" * 100),  # refused
            _record("5"),
        ],
    )
    result = biomine("ingest", str(corpus), "--db", db_url, "--batch-size", "100")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    output = " ".join(result.output.split())  # the console wraps long lines
    assert output.count("record skipped") == 3
    assert "'pmid:3': concept id is 600 bytes" in output
    assert "'pmid:4': entity label is 100 bytes" in output
    assert "document id is 306 bytes" in output
    assert "4 new" in output
    engine = open_database(db_url)
    with engine.connect() as connection:
        stored = set(connection.execute(select(documents.c.id)).scalars())
        concept_ids = set(connection.execute(select(concepts.c.id)).scalars())
        n_entities = len(connection.execute(select(entities.c.id)).all())
    engine.dispose()
    assert stored == {"pmid:1", f"jsonl:{long_id}", "pmid:2", "pmid:5"}
    assert concept_ids == {"D008094", long_concept}
    assert n_entities == 4


def test_commands_that_do_nothing_add_no_run(db_url, tmp_path):
    corpus = _jsonl(tmp_path / "c.jsonl", [_record("1"), _record("2")])
    assert biomine("ingest", str(corpus), "--db", db_url).exit_code == 0
    assert biomine("ingest", str(corpus), "--db", db_url).exit_code == 0
    engine = open_database(db_url)
    runs = list_runs(engine)
    engine.dispose()
    assert [(r.kind, r.status, r.counts["inserted"]) for r in runs] == [("ingest", "done", 2)]


def test_read_only_commands_refuse_a_missing_file(tmp_path):
    missing = tmp_path / "typo.db"
    for args in (["stats"], ["search", "lithium"], ["export", "-f", "jsonl"]):
        result = biomine(*args, "--db", f"sqlite:///{missing}")
        assert result.exit_code == 1, args
        assert "no such database file" in result.output and "Traceback" not in result.output
        assert not missing.exists()


def test_stats_upgrades_an_older_schema(tmp_path):
    from alembic import command

    from mining.store.database import _alembic_config

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = open_database(url)
    store_documents(engine, [Document("pmid:1", "Lithium", "")])
    with engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0002")
    engine.dispose()
    result = biomine("stats", "--db", url)
    assert result.exit_code == 0, result.output
    assert "1 documents" in result.output


def test_search_prints_no_terminal_escapes(db_url):
    engine = open_database(db_url)
    title = "Lithium \x1b[31mred\x1b[0m \x9b2J and\x07 bells"
    store_documents(engine, [Document("pmid:1", title, "Lithium \x1b]0;pwned\x07 here.")])
    engine.dispose()
    result = biomine("search", "lithium", "--db", db_url)
    assert result.exit_code == 0
    assert "Lithium" in result.output
    for control in ("\x1b", "\x9b", "\x07"):
        assert control not in result.output


def test_export_with_an_unknown_source_is_an_error(db_url, tmp_path):
    corpus = _jsonl(tmp_path / "c.jsonl", [_record("1")])
    biomine("ingest", str(corpus), "--db", db_url)
    result = biomine("export", "-f", "jsonl", "--source", "no-such-model", "--db", db_url)
    assert result.exit_code == 1
    assert "no-such-model" in result.output and "gold" in result.output
    ok = biomine("export", "-f", "jsonl", "--source", "gold", "--db", db_url)
    assert ok.exit_code == 0 and "Lithium" in ok.output


def test_pubtator_export_sorts_entities_and_refuses_pipes(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    engine = open_database(url)
    doc = Document("pmid:1", "Lithium and polyuria", "")
    doc.entities = [
        Entity(doc.id, 12, 20, "polyuria", "Disease", "D011141"),
        Entity(doc.id, 0, 7, "Lithium", "Chemical", "D008094"),
    ]
    store_documents(engine, [doc, Document("x:a|b", "Piped id", ""), Document("pmid:2", "Ok", "")])
    engine.dispose()
    result = biomine("export", "-f", "pubtator", "--db", url)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert [line.split("\t")[1] for line in lines if line.startswith("1\t")] == ["0", "12"]
    assert "Piped id" not in result.stdout and "2|t|Ok" in result.stdout
    assert "x:a|b" in result.output and "exported 2 documents" in result.output
