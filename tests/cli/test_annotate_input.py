"""biomine annotate: what the argument is (file, folder, text, mistyped path), progress on
stderr only; and biomine --version. The tagger is a stand-in: these tests are about the
command, not the model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import mining
from mining.annotate import input_file, looks_like_path
from mining.cli import app
from mining.errors import InputError

runner = CliRunner()


def biomine(*args: str):
    return runner.invoke(app, list(args))


def message(result) -> str:
    return " ".join(result.stderr.split())


class _Tagger:
    """Tags nothing; records that it was built."""

    built = 0

    @classmethod
    def from_pretrained(cls, models):
        cls.built += 1
        return cls()

    def predict_entities(self, docs, batch_size=32):
        for _ in docs:
            yield []


class _Normaliser:
    @classmethod
    def load(cls):
        return cls()

    def normalise(self, text, entities):
        return entities


@pytest.fixture(autouse=True)
def fake_models(monkeypatch):
    from mining.nlp import normalise, tagger_set

    _Tagger.built = 0
    monkeypatch.setattr(tagger_set, "TaggerSet", _Tagger)
    monkeypatch.setattr(normalise, "ConceptNormaliser", _Normaliser)


def jsonl(tmp_path: Path, n: int) -> Path:
    path = tmp_path / "docs.jsonl"
    rows = (json.dumps({"id": i, "title": f"Title {i}.", "abstract": "Text."}) for i in range(n))
    path.write_text("\n".join(rows) + "\n")
    return path


def test_a_folder_is_an_error_saying_to_pass_files(tmp_path):
    jsonl(tmp_path, 2)
    result = biomine("annotate", str(tmp_path))
    assert result.exit_code == 1 and result.stdout == ""
    assert str(tmp_path) in "".join(result.stderr.split())
    assert "is a folder: pass the files in it" in message(result)
    assert _Tagger.built == 0  # refused before any model loads


@pytest.mark.parametrize(
    "argument", ["abstracts/dump.xml", "dump.xml.gz", "notes.txt", "CDR.PubTator", "a.jsonl"]
)
def test_a_mistyped_path_is_an_error_not_a_text(tmp_path, argument: str):
    result = biomine("annotate", str(tmp_path / argument) if "/" in argument else argument)
    assert result.exit_code == 1 and result.stdout == ""
    assert "no such file; to tag text that looks like a path, pass --text" in message(result)


def test_text_forces_text(tmp_path):
    path = jsonl(tmp_path, 3)
    for argument in ("abstracts/dump.xml", str(path)):
        result = biomine("annotate", "--text", argument)
        assert result.exit_code == 0, result.output
        (line,) = result.stdout.splitlines()
        assert json.loads(line) == {"id": "text:1", "text": argument, "entities": []}


@pytest.mark.parametrize("text", ["Cisplatin-induced nephrotoxicity.", "aspirin", "e.g.", "TNF"])
def test_ordinary_text_is_tagged_as_text(text: str):
    assert not looks_like_path(text)
    result = biomine("annotate", text)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["text"] == text
    assert "documents" not in result.stderr  # no progress bar for one text


def test_input_file_rules(tmp_path):
    path = jsonl(tmp_path, 1)
    assert input_file(str(path)) == path
    assert input_file("words with a/slash inside") is None  # whitespace: a text
    with pytest.raises(InputError, match="is a folder"):
        input_file(str(tmp_path))
    with pytest.raises(InputError, match="no such file"):
        input_file("missing.pubtator")


@pytest.mark.parametrize("fmt", ["json", "pubtator"])
def test_a_file_shows_progress_on_stderr_never_on_stdout(tmp_path, fmt: str):
    path = jsonl(tmp_path, 5)
    result = biomine("annotate", str(path), "--format", fmt)
    assert result.exit_code == 0, result.output
    assert "5 documents" in result.stderr and "docs/s" in result.stderr
    assert "documents" not in result.stdout and "docs/s" not in result.stdout
    if fmt == "json":
        ids = [json.loads(line)["id"] for line in result.stdout.splitlines()]
        assert ids == [f"pmid:{i}" for i in range(5)]  # a bare number is a PMID
    else:
        assert result.stdout.count("|t|") == 5


def test_version():
    result = biomine("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"biomine {mining.__version__}"


def test_version_falls_back_to_the_package(monkeypatch):
    from importlib import metadata

    from mining import cli

    def not_installed(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(cli.metadata, "version", not_installed)
    assert cli.package_version() == mining.__version__
