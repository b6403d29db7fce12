"""biomine eval ner: strict entity-level scores of an NER model on a gold corpus."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from mining.cli.common import EXIT_USAGE, fail, user_errors

GROUP = "eval"
NAME = "ner"


class Strategy(StrEnum):  # mining.nlp.span_decoding.STRATEGIES
    first = "first"
    average = "average"
    max = "max"
    token = "token"


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
    strategy: Annotated[
        Strategy | None,
        typer.Option(
            help="Word aggregation of subword labels; default: the model folder's.",
            show_default=False,
        ),
    ] = None,
    abbreviations: Annotated[
        bool | None,
        typer.Option(
            "--abbreviations/--no-abbreviations",
            help="Propagate types to abbreviations; default: the model folder's.",
            show_default=False,
        ),
    ] = None,
    write_card: Annotated[
        bool,
        typer.Option(
            "--write-card",
            help="Rewrite the model folder's README.md card with these scores (one --model, "
            "a folder with training_metrics.json).",
        ),
    ] = False,
    card_notes: Annotated[
        Path | None,
        typer.Option(help="With --write-card: markdown file to include in the card."),
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Sentence windows per batch.")] = 64,
    threads: Annotated[int, typer.Option(min=1, help="CPU threads for torch.")] = 2,
) -> None:
    """Score an NER model on a gold corpus: strict P/R/F1 in percent (exact span and type)."""
    from mining.cli.scores_output import scores_json, scores_table
    from mining.train.eval_ner import evaluate_model

    if (write_card or card_notes) and len(model or []) != 1:
        raise fail("--write-card and --card-notes need exactly one --model folder", EXIT_USAGE)
    if write_card and not (Path(model[0]) / "training_metrics.json").is_file():
        raise fail(f"{model[0]}: no training_metrics.json to write a card from")
    if card_notes and not card_notes.is_file():
        raise fail(f"{card_notes}: no such notes file")
    with user_errors():
        scores = evaluate_model(
            model,
            gold,
            strategy=strategy.value if strategy else None,
            abbreviations=abbreviations,
            batch_size=batch_size,
            threads=threads,
        )
        if write_card:
            from mining.train.ner_card import write_card as write

            notes = card_notes.read_text() if card_notes else ""
            typer.echo(f"wrote {write(model[0], scores, notes)}", err=True)
    if as_json:
        typer.echo(json.dumps(scores_json(scores)))
        return
    models = " + ".join(model) if model else "shipped taggers"
    Console().print(scores_table(f"{models} on {gold}", scores))
