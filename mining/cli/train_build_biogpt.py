"""biomine train build-biogpt: a small, randomly initialised BioGPT with the real vocabulary."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mining.cli.common import user_errors

GROUP = "train"
NAME = "build-biogpt"


def run(
    vocab: Annotated[
        Path,
        typer.Option(help="Folder with fairseq dict.txt + bpecodes.", show_default=False),
    ],
    out: Annotated[Path, typer.Option(help="Model folder to write.", show_default=False)],
    hidden: Annotated[int, typer.Option(min=8, help="Hidden size.")] = 128,
    layers: Annotated[int, typer.Option(min=1, help="Decoder layers.")] = 4,
    heads: Annotated[int, typer.Option(min=1, help="Attention heads.")] = 4,
    intermediate: Annotated[
        int | None, typer.Option(help="Feed-forward size (default 4 x hidden).")
    ] = None,
    max_positions: Annotated[int, typer.Option(min=16, help="Longest input in tokens.")] = 512,
    seed: Annotated[int, typer.Option()] = 13,
) -> None:
    """Build a BioGPT-architecture model folder with random weights (train it from scratch)."""
    from mining.train.build_biogpt import build_biogpt

    with user_errors():
        folder = build_biogpt(
            vocab,
            out,
            hidden=hidden,
            layers=layers,
            heads=heads,
            intermediate=intermediate,
            max_positions=max_positions,
            seed=seed,
        )
    typer.echo(f"wrote {folder}")
