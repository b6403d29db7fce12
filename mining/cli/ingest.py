"""biomine ingest: read abstract dumps into the database."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import typer
from rich.progress import (
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from sqlalchemy import Engine

from mining.cli.common import EXIT_FAILED, DbOption, database, stderr, user_errors
from mining.errors import InputError
from mining.ingest import IngestReport, ingest

NAME = "ingest"


def run(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Files, folders or globs (PubMed XML[.gz], PubTator, BioC XML/JSON, JSONL, "
            "IOB, a folder of .txt); '-' reads standard input.",
            show_default=False,
        ),
    ],
    db: DbOption = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Records per transaction.")] = 1000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Processes that parse PubMed XML records while this one stores them "
            "(a core each; other formats are read by this process).",
        ),
    ] = 1,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Read every file, even one this database already ingested, unchanged, from "
            "an earlier run (such files are skipped: re-reading a baseline file would re-add "
            "the records a later update file deleted).",
        ),
    ] = False,
) -> None:
    """Read abstract dumps into the database (idempotent: re-running changes nothing)."""
    with user_errors():
        engine = database(db)
        report = ingest_with_progress(
            engine, paths, batch_size=batch_size, force=force, workers=workers
        )
    if not print_report(report):
        raise typer.Exit(EXIT_FAILED)


def ingest_with_progress(engine: Engine, paths: Sequence[str], **options) -> IngestReport:
    """``ingest`` with a records/s counter and each input's errors on stderr."""
    progress = Progress(
        SpinnerColumn(),
        TextColumn("[bold]ingest[/]"),
        TextColumn("{task.completed:,} records"),
        TextColumn("[cyan]{task.fields[rate]} rec/s"),
        TimeElapsedColumn(),
        console=stderr,
        transient=False,
    )

    def show_error(error: InputError) -> None:
        progress.console.print(f"[red]error:[/] {error}", highlight=False, markup=True)

    with progress:
        task = progress.add_task("ingest", total=None, rate="-")

        def advance(counts) -> None:
            progress.advance(task, counts.records)
            state = progress.tasks[task]
            elapsed = state.elapsed or 0.0
            rate = f"{state.completed / elapsed:,.0f}" if elapsed > 0 else "-"
            progress.update(task, rate=rate)

        return ingest(engine, paths, on_error=show_error, on_batch=advance, **options)


def print_report(report: IngestReport) -> bool:
    """The ingest's summary on stdout, the inputs that failed on stderr; True when every
    input was read."""
    c = report.counts
    skipped = (
        f" ({len(report.skipped)} already ingested, unchanged: skipped)" if report.skipped else ""
    )
    typer.echo(
        f"{report.inputs} input(s){skipped}: {c.inserted:,} new, {c.replaced:,} replaced, "
        f"{c.unchanged:,} unchanged, {c.duplicates:,} duplicate, {c.older:,} older, "
        f"{c.deleted:,} deleted; {c.entities:,} gold entities, {c.relations:,} gold relations"
    )
    if report.errors:
        failed = ", ".join(report.failed_inputs)
        stderr.print(f"[red]{len(report.errors)} error(s) in:[/] {failed}", highlight=False)
    return not report.errors
