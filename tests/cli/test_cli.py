"""The biomine command end to end: exit codes, messages, stdin, export round trips."""

from __future__ import annotations

import gzip
import io
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from mining.cli import app
from mining.corpus.bioc_xml import read_bioc_xml
from mining.corpus.jsonl import read_jsonl
from mining.corpus.pubtator import read_pubtator, write_pubtator
from mining.types import Document, Entity, Relation

runner = CliRunner()


def biomine(*args: str, stdin: str | None = None):
    return runner.invoke(app, list(args), input=stdin, catch_exceptions=False)


def small_pubtator(tmp_path: Path, n: int = 3) -> Path:
    docs = []
    for i in range(1, n + 1):
        title = f"Lithium and nephrogenic diabetes insipidus {i}"
        doc = Document(f"pmid:{100 + i}", title, "Lithium therapy caused polyuria.")
        doc.entities = [
            Entity(doc.id, 0, 7, "Lithium", "Chemical", "D008094"),
            Entity(doc.id, 12, 42, "nephrogenic diabetes insipidus", "Disease", "D018500"),
        ]
        doc.relations = [Relation(doc.id, "D008094", "D018500", "CID")]
        docs.append(doc)
    path = tmp_path / "small.pubtator"
    with open(path, "w") as out:
        write_pubtator(docs, out)
    return path


def test_ingest_twice_then_stats_and_search(db_url, tmp_path):
    corpus = small_pubtator(tmp_path)
    first = biomine("ingest", str(corpus), "--db", db_url)
    assert first.exit_code == 0, first.output
    assert "3 new" in first.output
    second = biomine("ingest", str(corpus), "--db", db_url)
    assert "0 new" in second.output and "3 unchanged" in second.output

    stats = biomine("stats", "--db", db_url)
    assert "3 documents" in stats.output and "Chemical" in stats.output

    found = biomine("search", "nephrogenic", "--limit", "2", "--db", db_url)
    assert found.exit_code == 0
    assert found.output.count("pmid:") == 2


def test_stats_counts_questions_and_their_answers(db_url, tmp_path):
    from mining.store.database import open_database
    from mining.store.questions import write_question
    from mining.types import Answer

    assert biomine("ingest", str(small_pubtator(tmp_path)), "--db", db_url).exit_code == 0
    question = "Does lithium cause polyuria?"
    engine = open_database(db_url)
    for doc_ids in (["pmid:101", "pmid:102"], []):
        read = [(Answer(question, doc_id, "yes", {"yes": 0.9}), 1.0) for doc_id in doc_ids]
        write_question(
            engine,
            question,
            "yes",
            {"yes": 0.9},
            read,
            k=2,
            retrieval="bm25",
            source="r",
            run_id=None,
        )
    engine.dispose()
    stats = biomine("stats", "--db", db_url)
    assert stats.exit_code == 0, stats.output
    assert "2 questions, 2 answers" in stats.output


def test_one_bad_input_is_named_and_the_rest_is_stored(db_url, tmp_path):
    good = small_pubtator(tmp_path)
    broken = tmp_path / "broken.xml.gz"
    broken.write_bytes(gzip.compress(b"<PubmedArticleSet><PubmedArticle>" * 50)[:40])
    result = biomine(
        "ingest", str(broken), str(tmp_path / "missing.xml"), str(good), "--db", db_url
    )
    assert result.exit_code == 1
    assert "broken.xml.gz" in result.output and "missing.xml" in result.output
    assert "3 new" in result.output
    assert "Traceback" not in result.output


def test_bad_database_urls(tmp_path):
    corpus = str(small_pubtator(tmp_path))
    malformed = biomine("ingest", corpus, "--db", "nonsense://")
    assert malformed.exit_code == 2 and "nonsense://" in malformed.output
    unreachable = biomine("stats", "--db", "postgresql+psycopg://u:pw@127.0.0.1:1/db")
    assert unreachable.exit_code == 1
    assert "127.0.0.1:1/db" in unreachable.output and "pw@" not in unreachable.output
    assert "Traceback" not in unreachable.output


def test_usage_errors_exit_2():
    assert biomine("ingest").exit_code == 2
    assert biomine("export", "--format", "docx").exit_code == 2
    assert biomine("export", "--format", "parquet").exit_code == 2


def test_stdin_is_read_with_format_detection(tmp_path):
    corpus = small_pubtator(tmp_path).read_bytes()
    db = f"sqlite:///{tmp_path / 'stdin.db'}"
    done = subprocess.run(
        [sys.executable, "-m", "mining.cli", "ingest", "-", "--db", db],
        input=gzip.compress(corpus),
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert b"3 new" in done.stdout


@pytest.mark.parametrize(
    ("fmt", "reader"),
    [("pubtator", read_pubtator), ("bioc", read_bioc_xml), ("jsonl", read_jsonl)],
)
def test_export_round_trips(db_url, tmp_path, fmt, reader):
    biomine("ingest", str(small_pubtator(tmp_path)), "--db", db_url)
    out = tmp_path / f"export.{fmt}"
    result = biomine("export", "--format", fmt, "--out", str(out), "--db", db_url)
    assert result.exit_code == 0 and "exported 3 documents" in result.output
    docs = list(reader(out))
    assert [doc.id for doc in docs] == ["pmid:101", "pmid:102", "pmid:103"]
    for doc in docs:
        assert [(e.text, e.concept_id) for e in doc.entities] == [
            ("Lithium", "D008094"),
            ("nephrogenic diabetes insipidus", "D018500"),
        ]
        assert [(r.head, r.tail, r.label) for r in doc.relations] == [("D008094", "D018500", "CID")]


def test_export_to_stdout_and_source_filter(tmp_path):
    db = f"sqlite:///{tmp_path / 'x.db'}"
    biomine("ingest", str(small_pubtator(tmp_path)), "--db", db)
    result = biomine("export", "--format", "pubtator", "--source", "gold", "--db", db)
    docs = list(read_pubtator(io.BytesIO(result.stdout.encode())))
    assert len(docs) == 3 and all(len(doc.entities) == 2 for doc in docs)
    unknown = biomine("export", "--format", "pubtator", "--source", "no-such-model", "--db", db)
    assert unknown.exit_code == 1 and "no-such-model" in unknown.output


def test_export_parquet(db_url, tmp_path):
    biomine("ingest", str(small_pubtator(tmp_path)), "--db", db_url)
    out = tmp_path / "docs.parquet"
    assert biomine("export", "-f", "parquet", "-o", str(out), "--db", db_url).exit_code == 0
    table = pq.read_table(out).to_pylist()
    assert [row["id"] for row in table] == ["pmid:101", "pmid:102", "pmid:103"]
    assert [e["text"] for e in table[0]["entities"]] == [
        "Lithium",
        "nephrogenic diabetes insipidus",
    ]
    assert table[0]["relations"][0]["label"] == "CID"
