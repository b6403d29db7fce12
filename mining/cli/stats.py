"""biomine stats: what the database holds."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from mining.cli.common import DbOption, printable, read_database, user_errors
from mining.store.queries import store_stats

NAME = "stats"


def run(db: DbOption = None) -> None:
    """Print counts of documents, entities, relations, concepts, questions, answers and runs."""
    with user_errors():
        stats = store_stats(read_database(db))
    console = Console()
    first, last = stats.years
    span = f", years {first}–{last}" if first else ""
    console.print(
        f"[bold]{stats.documents:,}[/] documents ({stats.with_abstract:,} with abstract{span}), "
        f"{stats.concepts:,} concepts, {stats.questions:,} questions, {stats.answers:,} answers, "
        f"{stats.runs:,} runs",
        highlight=False,
    )
    for title, counts in (("entities", stats.entities), ("relations", stats.relations)):
        if not counts:
            continue
        table = Table("source", "label", "rows", title=title, title_justify="left")
        for (source, label), n in counts.items():
            table.add_row(printable(source), printable(label), f"{n:,}")
        console.print(table)
