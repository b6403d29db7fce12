"""biomine run: tag, normalise and relate the stored documents the models have not seen."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from mining.cli.common import DbOption, database, stderr, user_errors

NAME = "run"


def run(
    db: DbOption = None,
    ner_model: Annotated[
        list[str] | None,
        typer.Option(
            "--ner-model",
            help="NER model folder or hub id (repeat for several); default: the shipped taggers.",
            show_default=False,
        ),
    ] = None,
    re_model: Annotated[
        list[str] | None,
        typer.Option(
            "--re-model",
            help="Relation classifier folder or hub id (repeat for several); default: the "
            "shipped ones (ChemProt, DDI, CDR).",
            show_default=False,
        ),
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Documents per transaction.")] = 64,
    threads: Annotated[int | None, typer.Option(min=1, help="CPU threads for torch.")] = None,
) -> None:
    """Run NER, concept normalisation and relation extraction over the stored documents that
    the current models have not processed yet, and store entities and relations (with their
    evidence sentences). Resumable: a killed run continues where it stopped."""
    from mining.pipeline import Pipeline, pending, run_pipeline

    with user_errors():
        engine = database(db)
        if threads:
            import torch

            torch.set_num_threads(threads)
        pipeline = Pipeline.from_pretrained(ner_model, re_model)
        todo = pending(engine, pipeline)
        progress = Progress(
            TextColumn("[bold]run[/]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("[cyan]{task.fields[rate]} docs/s"),
            TimeElapsedColumn(),
            console=stderr,
        )
        with progress:
            task = progress.add_task("run", total=todo, rate="-")

            def advance(counts, batch_docs: int) -> None:
                progress.update(task, advance=batch_docs, rate=f"{counts.docs_per_s:.1f}")

            counts = run_pipeline(engine, pipeline, batch_size=batch_size, on_batch=advance)
    models = ", ".join(pipeline.sources)
    typer.echo(
        f"{counts.documents:,} document(s) processed in {counts.seconds:.1f} s "
        f"({counts.docs_per_s:.1f}/s): {counts.entities:,} entities, "
        f"{counts.relations:,} relations; models: {models}"
    )
