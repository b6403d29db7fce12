"""biomine train base-delta: ship a full fine-tune as only what differs from its base."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mining.cli.common import user_errors

GROUP = "train"
NAME = "base-delta"


def run(
    model: Annotated[
        Path,
        typer.Option(
            help="Folder of a full fine-tune (trained with --lora-r 0).", show_default=False
        ),
    ],
    out: Annotated[
        Path, typer.Option(help="Folder to write (replaced if it exists).", show_default=False)
    ],
    embedding_rank: Annotated[
        int, typer.Option(min=1, help="Rank of the word embeddings' change (SVD).")
    ] = 32,
    linear_rank: Annotated[
        int, typer.Option(min=0, help="Rank of the linear layers' change; 0: stored whole.")
    ] = 0,
    int8: Annotated[
        bool,
        typer.Option(help="Store each changed matrix's moved rows as int8 changes (no SVD)."),
    ] = False,
) -> None:
    """Export a full fine-tune as its change from the installed base (a small adapter folder)."""
    from mining.train.base_delta import export

    with user_errors():
        folder = export(model, out, embedding_rank, linear_rank, int8)
    size = sum(p.stat().st_size for p in folder.iterdir())
    typer.echo(f"wrote {folder} ({size / 2**20:.1f} MiB)")
