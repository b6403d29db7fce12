"""What `biomine run` and `biomine embed` share: a pipeline run behind a progress bar, and
the list of the documents that failed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from mining.cli.common import printable, stderr

SHOWN_FAILURES = 20


def run_with_progress(engine, pipeline, label: str, todo: int, batch_size: int):
    """``run_pipeline`` with a bar on stderr (documents, documents/s); returns its counts."""
    from mining.pipeline import run_pipeline

    with progress_bar(label, todo) as advance:
        return run_pipeline(engine, pipeline, batch_size=batch_size, on_batch=advance)


@contextmanager
def progress_bar(label: str, todo: int) -> Iterator[Callable]:
    """A bar on stderr (documents, documents/s, time left) for ``todo`` documents; yields
    the ``on_batch(counts, batch_docs)`` callback that advances it."""
    progress = Progress(
        TextColumn(f"[bold]{label}[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("[cyan]{task.fields[rate]} docs/s"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=stderr,
    )
    with progress:
        task = progress.add_task(label, total=todo, rate="-")

        def advance(counts, batch_docs: int) -> None:
            progress.update(task, advance=batch_docs, rate=f"{counts.docs_per_s:.1f}")

        yield advance


def print_failures(failures, with_component: bool = True) -> None:
    """The first failures on stderr, as text (ids and messages are untrusted: escaped, with
    control characters replaced), and how many more there are."""
    for f in failures[:SHOWN_FAILURES]:
        where = f"{f.component}: " if with_component else ""
        said = printable(f"{f.doc_id}: {where}{f.error}")
        stderr.print(f"[red]failed:[/] {escape(said)}", highlight=False)
    if len(failures) > SHOWN_FAILURES:
        stderr.print(f"... and {len(failures) - SHOWN_FAILURES:,} more", highlight=False)
