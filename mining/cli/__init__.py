"""The ``biomine`` command: thin Typer wrappers around plain, tested library functions."""

from __future__ import annotations

from importlib import metadata
from typing import Annotated

import typer

from mining.cli import (
    annotate,
    ask,
    concepts_build,
    embed,
    eval_ner,
    eval_qa,
    eval_re,
    eval_retrieval,
    export,
    ingest,
    pretrain,
    run,
    search,
    stats,
    train_base_delta,
    train_biogpt_re,
    train_build_biogpt,
    train_concepts,
    train_ner,
    train_qa,
    train_re,
    ui,
)

app = typer.Typer(
    name="biomine",
    help="Mine PubMed abstracts for entities, relations and answers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def package_version() -> str:
    """The installed distribution's version; the package's own when it is not installed
    (run from a source tree)."""
    try:
        return metadata.version("biomine")
    except metadata.PackageNotFoundError:
        from mining import __version__

        return __version__


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"biomine {package_version()}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    pass


for module in (ingest, run, embed, ask, stats, search, export, annotate, pretrain, ui):
    app.command(module.NAME, help=module.run.__doc__)(module.run)

# Command groups (`biomine eval ner`, `biomine eval re`): one module per command.
GROUPS = {
    "eval": ("Score models on gold corpora.", (eval_ner, eval_re, eval_qa, eval_retrieval)),
    "train": (
        "Train models on gold corpora, and build the folders they start from.",
        (
            train_ner,
            train_re,
            train_biogpt_re,
            train_qa,
            train_base_delta,
            train_build_biogpt,
            train_concepts,
        ),
    ),
    "concepts": ("Build concept dictionaries (mention text -> MeSH id).", (concepts_build,)),
}
for group, (group_help, modules) in GROUPS.items():
    sub = typer.Typer(name=group, help=group_help, no_args_is_help=True)
    for module in modules:
        sub.command(module.NAME, help=module.run.__doc__)(module.run)
    app.add_typer(sub, name=group)


def main() -> None:
    app()
