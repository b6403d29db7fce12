"""biomine eval re: relation extraction scores of a classifier on a task's gold corpus."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from mining.cli.common import user_errors

GROUP = "eval"
NAME = "re"


class Task(StrEnum):
    chemprot = "chemprot"
    ddi = "ddi"
    cdr = "cdr"


class Split(StrEnum):
    all = "all"
    train = "train"
    dev = "dev"


def run(
    task: Annotated[
        Task,
        typer.Option(
            help="chemprot: micro-F1 over CPR:3/4/5/6/9; ddi: micro-F1 over mechanism, effect, "
            "advise, int; cdr: chemical-induced-disease concept pairs (end to end from raw text, "
            "and with gold entities).",
            show_default=False,
        ),
    ],
    gold: Annotated[
        Path,
        typer.Option(
            help="The corpus in its original layout: a ChemProt folder (abstracts, entities, "
            "gold_standard TSVs), a folder of DDI-2013 XML files, a BC5CDR PubTator or BioC "
            "file.",
            show_default=False,
        ),
    ],
    model: Annotated[
        str | None,
        typer.Option(
            help="Relation classifier folder or hub id; default: the shipped one of the task.",
            show_default=False,
        ),
    ] = None,
    ner_model: Annotated[
        list[str] | None,
        typer.Option(
            help="cdr end to end: tagger folder(s) to find the entities with (repeatable); "
            "default: the shipped Chemical + Disease tagger. Score dev with one that never saw "
            "it (models/ner-chem-disease-train).",
            show_default=False,
        ),
    ] = None,
    concepts: Annotated[
        Path | None,
        typer.Option(
            help="cdr end to end: concept dictionary folder (concepts.tsv.gz, built by "
            "biomine train concepts); default: the shipped "
            "models/concepts-mesh, which holds dev names: score dev with "
            "models/concepts-mesh-train.",
            show_default=False,
        ),
    ] = None,
    split: Annotated[
        Split,
        typer.Option(
            help="DDI only: the held-out files (dev, one document in five by a hash of its id), "
            "the rest (train), or all."
        ),
    ] = Split.all,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print one JSON object: precision, recall, f1 (percent), tp, fp, fn, per_type; "
            "for cdr the top level is end to end and gold_entities holds the same keys with "
            "gold entities.",
        ),
    ] = False,
    batch_size: Annotated[int, typer.Option(min=1, help="Candidates per batch.")] = 64,
    threads: Annotated[int, typer.Option(min=1, help="CPU threads for torch.")] = 2,
) -> None:
    """Score a relation classifier on a gold corpus: micro P/R/F1 in percent."""
    from mining.cli.scores_output import scores_json, scores_table
    from mining.train.eval_re import evaluate_model

    with user_errors():
        results = evaluate_model(
            task.value,
            gold,
            model,
            split=split.value,
            ner_models=ner_model,
            concepts=concepts,
            batch_size=batch_size,
            threads=threads,
        )
    if as_json:
        out = scores_json(results.get("end_to_end", results["gold_entities"]))
        if "end_to_end" in results:
            out["gold_entities"] = scores_json(results["gold_entities"])
        typer.echo(json.dumps(out))
        return
    for setting, scores in results.items():
        Console().print(scores_table(f"{task} {setting.replace('_', ' ')} on {gold}", scores))
