"""biomine train biogpt-re: fine-tune a BioGPT causal LM to write a task's relations (the
BioGPT paper's generative format) and score what it generates."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mining.cli.common import command_line, log_progress, user_errors
from mining.cli.eval_re import Split, Task

GROUP = "train"
NAME = "biogpt-re"

_Corpus = "in its own layout (ChemProt folder, DDI XML folder, BC5CDR PubTator or BioC file)"


def run(
    ctx: typer.Context,
    task: Annotated[Task, typer.Option(help="Relation set to learn.", show_default=False)],
    train: Annotated[Path, typer.Option(help=f"Training corpus, {_Corpus}.", show_default=False)],
    base: Annotated[
        str,
        typer.Option(
            help="BioGPT folder or hub id (microsoft/biogpt; offline: a folder from "
            "biomine train build-biogpt).",
            show_default=False,
        ),
    ],
    out: Annotated[Path, typer.Option(help="Model folder to write.", show_default=False)],
    dev: Annotated[
        Path | None,
        typer.Option(
            help=f"Corpus to score on, {_Corpus}; default: the training documents (an overfit "
            "check).",
            show_default=False,
        ),
    ] = None,
    train_split: Annotated[
        Split, typer.Option(help="DDI: train on this hashed split of --train.")
    ] = Split.all,
    dev_split: Annotated[
        Split, typer.Option(help="DDI: score on this split of --dev.")
    ] = Split.all,
    epochs: Annotated[int, typer.Option(min=1)] = 10,
    lr: Annotated[float, typer.Option(help="Learning rate (every weight is trained).")] = 1e-4,
    batch_size: Annotated[int, typer.Option(min=1, help="Documents per batch.")] = 8,
    max_source: Annotated[
        int, typer.Option(min=8, help="Abstract tokens kept in the prompt.")
    ] = 400,
    seed: Annotated[int, typer.Option()] = 13,
    threads: Annotated[int, typer.Option(min=1, help="CPU threads for torch.")] = 2,
    max_minutes: Annotated[
        float | None, typer.Option(help="Stop after the epoch that passes this budget.")
    ] = None,
    limit_docs: Annotated[
        int | None, typer.Option(help="Use only the first N train and dev documents (smoke).")
    ] = None,
) -> None:
    """Fine-tune BioGPT to generate relations; score them on --dev (or the training set)."""
    from mining.train.train_biogpt_re import BioGptReConfig, train_biogpt_re

    config = BioGptReConfig(
        task=task.value,
        train=train,
        base=base,
        out=out,
        dev=dev,
        train_split=train_split.value,
        dev_split=dev_split.value,
        epochs=epochs,
        lr=lr,
        batch_size=batch_size,
        max_source=max_source,
        seed=seed,
        threads=threads,
        max_minutes=max_minutes,
        limit_docs=limit_docs,
        command=command_line(ctx),
    )
    log_progress()
    with user_errors():
        train_biogpt_re(config)
