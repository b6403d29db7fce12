"""biomine search: ranked full-text search over titles and abstracts."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from mining.cli.common import DbOption, printable, read_database, user_errors
from mining.store.queries import search_documents

NAME = "search"


def run(
    query: Annotated[
        str,
        typer.Argument(help='Words to find, all must match; "quoted phrases" match as written.'),
    ],
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Hits to show.")] = 10,
    db: DbOption = None,
) -> None:
    """Ranked full-text search over titles and abstracts."""
    with user_errors():
        hits = search_documents(read_database(db), query, limit)
    console = Console()
    if not hits:
        console.print(f"no documents match {escape(printable(query))!r}", highlight=False)
        return
    for rank, hit in enumerate(hits, 1):
        # Stored text is untrusted: no markup, no terminal control characters.
        where = printable(", ".join(str(x) for x in (hit.journal, hit.year) if x))
        console.print(
            f"{rank:>2}. [bold]{escape(printable(hit.doc_id))}[/] {escape(printable(hit.title))}"
            + (f" [dim]({escape(where)})[/]" if where else ""),
            highlight=False,
        )
        console.print(f"    {escape(printable(hit.snippet))}", highlight=False, soft_wrap=False)
