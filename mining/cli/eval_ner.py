"""biomine eval ner: strict entity-level scores of an NER model on a gold corpus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from mining.cli.common import user_errors

GROUP = "eval"
NAME = "ner"


def run(
    gold: Annotated[
        Path,
        typer.Option(
            "--gold",
            help="Corpus with gold entities, any format biomine reads (PubTator, BioC XML/JSON, "
            "JSONL, ...). NCBI disease classes (SpecificDisease, ...) count as Disease.",
            show_default=False,
        ),
    ],
    model: Annotated[
        list[str] | None,
        typer.Option(
            help="NER model folder or hub id; repeat it to score several taggers together. "
            "Default: the shipped taggers of the types the gold corpus annotates (Chemical + "
            "Disease, Gene). Only the gold corpus' types are scored.",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print one JSON object: precision, recall, f1 (percent, 0-100, two decimals), "
            "tp, fp, fn, and per_type with the same keys per entity type.",
        ),
    ] = False,
    batch_size: Annotated[int, typer.Option(min=1, help="Sentence windows per batch.")] = 64,
    threads: Annotated[int, typer.Option(min=1, help="CPU threads for torch.")] = 2,
) -> None:
    """Score an NER model on a gold corpus: strict P/R/F1 in percent (exact span and type)."""
    from mining.cli.scores_output import scores_json, scores_table
    from mining.train.train_ner import evaluate_model

    with user_errors():
        scores = evaluate_model(model, gold, batch_size=batch_size, threads=threads)
    if as_json:
        typer.echo(json.dumps(scores_json(scores)))
        return
    models = " + ".join(model) if model else "shipped taggers"
    Console().print(scores_table(f"{models} on {gold}", scores))
