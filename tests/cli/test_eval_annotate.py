"""biomine eval ner / annotate / train ner end to end with the shipped default tagger."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mining.cli import app
from mining.corpus.pubtator import read_pubtator, write_pubtator
from mining.shipped_models import shipped
from mining.types import Document

runner = CliRunner()
SENTENCE = "Cisplatin-induced nephrotoxicity was observed in rats."

DEFAULT_NER_MODEL = shipped("ner-chem-disease")


def biomine(*args: str):
    return runner.invoke(app, list(args))


def message(result) -> str:
    """stderr with Rich's line wrapping (at spaces) undone."""
    return " ".join(result.stderr.split())


def names(result, path: Path) -> bool:
    """Whether stderr names ``path`` (Rich may also fold a long path across lines)."""
    return str(path) in "".join(result.stderr.split())


@pytest.fixture(scope="module")
def dev_slice(shared_data, tmp_path_factory) -> Path:
    """The first 20 BC5CDR dev abstracts (keeps the test fast)."""
    source = shared_data / "bc5cdr/pubtator/CDR_DevelopmentSet.PubTator.txt"
    path = tmp_path_factory.mktemp("gold") / "dev20.pubtator"
    with open(path, "w") as out:
        write_pubtator(itertools.islice(read_pubtator(source), 20), out)
    return path


def test_eval_ner_json_on_bc5cdr_slice(dev_slice):
    result = biomine("eval", "ner", "--gold", str(dev_slice), "--json")
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    assert {"precision", "recall", "f1", "per_type"} <= scores.keys()
    assert {"Chemical", "Disease"} <= scores["per_type"].keys()
    for s in [scores, *scores["per_type"].values()]:
        assert {"precision", "recall", "f1"} <= s.keys()
        p, r, f1 = s["precision"], s["recall"], s["f1"]
        assert 0 <= p <= 100 and 0 <= r <= 100  # percent
        assert f1 == pytest.approx(2 * p * r / (p + r) if p + r else 0.0, abs=0.02)
    assert scores["f1"] > 60


def test_eval_re_cdr_end_to_end_reads_the_chosen_dictionary(shared_data, tmp_path):
    # Same tagger and classifier; the dictionary alone decides which pairs carry MeSH ids.
    from mining.train.build_concept_dictionary import write_dictionary

    source = shared_data / "bc5cdr/pubtator/CDR_DevelopmentSet.PubTator.txt"
    gold = tmp_path / "dev4.pubtator"
    with open(gold, "w") as out:
        write_pubtator(itertools.islice(read_pubtator(source), 4), out)  # 4 keep it fast
    empty = tmp_path / "empty"
    write_dictionary([], empty)
    args = ["eval", "re", "--task", "cdr", "--gold", str(gold), "--json"]
    args += ["--ner-model", str(DEFAULT_NER_MODEL.parent / "ner-chem-disease-train")]
    scores = {}
    for name, folder in [("empty", empty), ("shipped", DEFAULT_NER_MODEL.parent / "concepts-mesh")]:
        result = biomine(*args, "--concepts", str(folder))
        assert result.exit_code == 0, result.output
        scores[name] = json.loads(result.stdout)
    assert scores["empty"]["tp"] == scores["empty"]["fp"] == 0  # only text keys: no answer
    assert scores["shipped"]["tp"] > 0
    assert scores["empty"]["gold_entities"] == scores["shipped"]["gold_entities"]


def test_eval_ner_table(dev_slice):
    result = biomine("eval", "ner", "--gold", str(dev_slice))
    assert result.exit_code == 0, result.output
    for word in ("Chemical", "Disease", "overall"):
        assert word in result.stdout


def test_eval_ner_gold_without_entities(tmp_path):
    gold = tmp_path / "plain.pubtator"
    with open(gold, "w") as out:
        write_pubtator([Document("pmid:1", "Aspirin and headache.", "No mentions here.")], out)
    result = biomine("eval", "ner", "--gold", str(gold), "--json")
    assert result.exit_code == 1
    assert "no gold entities" in message(result) and names(result, gold)
    assert "Traceback" not in result.output


def test_eval_ner_missing_gold(tmp_path):
    missing = tmp_path / "missing.pubtator"
    result = biomine("eval", "ner", "--gold", str(missing))
    assert result.exit_code == 1
    assert names(result, missing)


def test_eval_ner_bad_model(dev_slice, tmp_path):
    bad = tmp_path / "not-a-model"
    bad.mkdir()
    result = biomine("eval", "ner", "--model", str(bad), "--gold", str(dev_slice))
    assert result.exit_code == 1
    assert names(result, bad)
    assert "Traceback" not in result.output


def test_annotate_bad_model(tmp_path):
    result = biomine("annotate", SENTENCE, "--model", str(tmp_path / "nowhere"))
    assert result.exit_code == 1
    assert "nowhere" in message(result)


def test_annotate_text_json():
    result = biomine("annotate", SENTENCE)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    doc = json.loads(lines[0])
    assert doc["id"] == "text:1" and doc["text"] == SENTENCE
    for e in doc["entities"]:
        assert SENTENCE[e["start"] : e["end"]] == e["text"]
        assert {"label", "concept_id", "score"} <= e.keys()
    found = {(e["text"], e["label"], e["concept_id"]) for e in doc["entities"]}
    assert ("Cisplatin", "Chemical", "D002945") in found  # MeSH id from the shipped dictionary


def test_annotate_file_pubtator_round_trip(dev_slice, tmp_path):
    result = biomine("annotate", str(dev_slice), "--format", "pubtator")
    assert result.exit_code == 0, result.output
    out = tmp_path / "tagged.pubtator"
    out.write_text(result.stdout)
    docs = list(read_pubtator(out))
    gold = list(read_pubtator(dev_slice))
    assert [d.id for d in docs] == [d.id for d in gold]
    assert sum(len(d.entities) for d in docs) > 0
    labels = set()
    for d in docs:
        for e in d.entities:
            assert d.text[e.start : e.end] == e.text
            labels.add(e.label)
    assert labels == {"Chemical", "Disease", "Gene"}  # the shipped taggers, all three types


def test_annotate_with_one_chosen_model(dev_slice):
    result = biomine("annotate", SENTENCE, "--model", str(DEFAULT_NER_MODEL))
    assert result.exit_code == 0, result.output
    labels = {e["label"] for e in json.loads(result.stdout)["entities"]}
    assert labels <= {"Chemical", "Disease"} and labels


def test_train_ner_help():
    result = biomine("train", "ner", "--help")
    assert result.exit_code == 0
    for option in ("--train", "--dev", "--base", "--out", "--epochs", "--lora-r"):
        assert option in result.stdout


def test_eval_help_says_percent():
    result = biomine("eval", "ner", "--help")
    assert result.exit_code == 0
    assert "percent" in result.stdout
