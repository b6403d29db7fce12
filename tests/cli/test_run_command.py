"""``biomine run`` as a user meets it: models checked before anything loads, a clear word
when there is nothing to do, failures listed at the end."""

from __future__ import annotations

from typer.testing import CliRunner

from mining.cli import app
from mining.shipped_models import shipped
from mining.store.database import open_database
from mining.store.write_documents import store_documents
from mining.types import Document
from tests.nlp.tiny_models import tiny_classifier, tiny_token_classifier

runner = CliRunner()
LABELS = ["O", "B-Chemical", "I-Chemical", "B-Gene", "I-Gene"]


def biomine(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def said(text: str) -> str:
    """Output with rich's line wrapping undone."""
    return " ".join(text.split())


def models(tmp_path) -> list[str]:
    tagger = tiny_token_classifier(tmp_path / "ner", LABELS)
    rel = tiny_classifier(tmp_path / "re", ["none", "CPR:3", "CPR:4", "CPR:5", "CPR:6", "CPR:9"])
    concepts = str(shipped("concepts-mesh"))
    encoder = str(tiny_classifier(tmp_path / "enc", ["a", "b"]))  # the embedder, last
    return [
        *("--ner-model", str(tagger), "--re-model", str(rel), "--concepts", concepts),
        *("--embed-model", encoder, "--embeddings"),
    ]


def test_run_processes_reports_failures_then_has_nothing_to_do(tmp_path):
    db = f"sqlite:///{tmp_path / 'b.db'}"
    store_documents(
        open_database(db),
        [
            Document("pmid:1", "Tamoxifen inhibits CYP2D6.", "Aspirin binds COX."),
            Document("pmid:2", "A very long record.", "tamoxifen " * 40),
            Document("x:[bold]3", "Another [red] long one.", "aspirin " * 40),
        ],
    )
    args = [*models(tmp_path), "--db", db, "--max-chars", "200", "--device", "cpu"]
    result = biomine("run", *args)
    assert result.exit_code == 0, result.output
    assert "3 document(s) processed" in result.stdout and "2 failed" in result.stdout
    assert f"browse them: biomine ui --db {db}" in result.stdout
    assert "x:[bold]3: input:" in said(result.stderr)  # printed as it is, never as markup
    assert "1 embeddings" in result.stdout  # the document that fails has no vector
    assert "pmid:2: input:" in said(result.stderr)
    assert "over the limit of 200" in said(result.stderr)
    again = biomine("run", *args)
    assert again.exit_code == 0 and again.stdout.startswith("nothing to do")
    retried = biomine("run", *args[:-4], "--retry-failed")  # no size limit this time
    assert "2 document(s) that failed before will be tried again" in said(retried.stderr)
    assert "2 document(s) processed" in retried.stdout and "0 failed" in retried.stdout
    assert "2 embeddings" in retried.stdout
    no_vectors = biomine("run", *args[:-4], "--no-embeddings")  # the default
    assert no_vectors.stdout.startswith("nothing to do") and "enc" not in no_vectors.stdout


def test_bad_models_and_options_are_named_before_anything_loads(tmp_path):
    db = f"sqlite:///{tmp_path / 'b.db'}"
    missing = biomine("run", "--db", db, "--re-model", str(tmp_path / "re-typo"))
    assert missing.exit_code == 1 and "re-typo: no such model folder" in said(missing.stderr)
    (tmp_path / "empty").mkdir()
    empty = biomine("run", "--db", db, "--ner-model", str(tmp_path / "empty"))
    assert "not a model folder (no config.json)" in said(empty.stderr)
    dtype = biomine("run", "--db", db, "--dtype", "fp8")
    assert dtype.exit_code == 2 and "--dtype" in dtype.output


def test_run_input_ingests_the_files_first_then_processes_what_is_pending(tmp_path):
    db = f"sqlite:///{tmp_path / 'b.db'}"
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text(
        '{"id": "pmid:1", "title": "Tamoxifen inhibits CYP2D6.", "abstract": "Aspirin binds."}\n'
        '{"id": "pmid:2", "title": "Aspirin and COX.", "abstract": "Tamoxifen binds COX."}\n'
    )
    second.write_text('{"id": "pmid:3", "title": "CYP2D6.", "abstract": "Aspirin."}\n')
    args = [*models(tmp_path)[:6], "--db", db, "--device", "cpu"]
    result = biomine("run", *args, "--input", str(first), "--input", str(second))
    assert result.exit_code == 0, result.output
    assert "2 input(s): 3 new" in result.stdout and "3 document(s) processed" in result.stdout
    again = biomine("run", *args, "--input", str(first), "--input", str(second))
    assert "(2 already ingested, unchanged: skipped)" in again.stdout
    assert again.exit_code == 0 and "nothing to do" in again.stdout
    typo = biomine("run", *args, "--input", str(tmp_path / "typo.jsonl"))
    assert typo.exit_code == 1 and "typo.jsonl: no such file" in said(typo.stderr)


def test_ray_engine_options_are_checked_first(tmp_path):
    db = f"sqlite:///{tmp_path / 'b.db'}"
    gpu = biomine("run", "--db", db, "--engine", "ray", "--device", "cuda:1")
    assert gpu.exit_code == 2 and "--device" in gpu.output and "Ray gives each" in gpu.output
    engine = biomine("run", "--db", db, "--engine", "spark")
    assert engine.exit_code == 2 and "--engine" in engine.output
