"""The ``biomine`` command: thin Typer wrappers around plain, tested library functions."""

from __future__ import annotations

import typer

from mining.cli import export, ingest, search, stats

app = typer.Typer(
    name="biomine",
    help="Mine PubMed abstracts for entities, relations and answers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
for module in (ingest, stats, search, export):
    app.command(module.NAME, help=module.run.__doc__)(module.run)


def main() -> None:
    app()
