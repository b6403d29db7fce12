"""biomine export: write stored documents with their annotations to a corpus format."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from mining.cli.common import (
    EXIT_FAILED,
    EXIT_USAGE,
    DbOption,
    fail,
    printable,
    read_database,
    stderr,
    user_errors,
)
from mining.errors import BioMineError
from mining.store.queries import iter_documents, store_sources

NAME = "export"


class ExportFormat(StrEnum):
    pubtator = "pubtator"
    bioc = "bioc"
    jsonl = "jsonl"
    parquet = "parquet"


def run(
    format: Annotated[ExportFormat, typer.Option("--format", "-f", help="Output format.")],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Output file (default: standard output; parquet needs a file).",
            show_default=False,
        ),
    ] = None,
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source",
            help="Only annotations from this model ('gold' for corpus "
            "labels); repeatable. Default: all.",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Export documents with their entities and relations (PubTator, BioC XML, JSONL, Parquet)."""
    if format is ExportFormat.parquet and out is None:
        raise fail("--format parquet needs --out FILE", EXIT_USAGE)
    refused: list[str] = []
    with user_errors():
        engine = read_database(db)
        if source:
            _check_sources(source, store_sources(engine))
        docs = iter_documents(engine, sources=source)
        if format is ExportFormat.pubtator:
            docs = _pubtator_safe(docs, refused)
        count = _write(format, docs, out)
    typer.echo(f"exported {count:,} documents", err=True)
    if refused:
        raise typer.Exit(EXIT_FAILED)


def _check_sources(wanted: list[str], stored: list[str]) -> None:
    unknown = [name for name in wanted if name not in stored]
    if unknown:
        have = ", ".join(stored) if stored else "none: the database holds no annotations"
        raise BioMineError(f"no annotations from source {', '.join(unknown)}; sources: {have}")


# PubTator separates fields by '|' and tabs and has no escaping: such an id cannot be written
# so that it reads back as the same document.
_PUBTATOR_UNSAFE = ("|", "\t", "\n", "\r")


def _pubtator_safe(docs, refused: list[str]):
    """The documents PubTator can hold; each other one is named on stderr and skipped."""
    for doc in docs:
        if any(mark in doc.id for mark in _PUBTATOR_UNSAFE):
            refused.append(doc.id)
            stderr.print(
                f"[bold red]error:[/] document {escape(printable(doc.id))!r}: its id holds '|' "
                "or a tab or line break, which PubTator cannot hold; document skipped",
                highlight=False,
                markup=True,
            )
            continue
        yield doc


def _write(format: ExportFormat, docs, out: Path | None) -> int:
    if format is ExportFormat.parquet:
        from mining.corpus.parquet_writer import write_parquet

        return write_parquet(docs, out)
    writer = _text_writer(format)
    counted = _Counter(docs)
    if out is None:
        writer(counted, sys.stdout)
    else:
        with open(out, "w", encoding="utf-8", newline="\n") as stream:
            writer(counted, stream)
    return counted.n


def _text_writer(format: ExportFormat):
    if format is ExportFormat.pubtator:
        from mining.corpus.pubtator import write_pubtator

        return write_pubtator
    if format is ExportFormat.bioc:
        from mining.corpus.bioc_xml import write_bioc_xml

        return write_bioc_xml
    from mining.corpus.jsonl import write_jsonl

    return write_jsonl


class _Counter:
    """Counts documents as a writer consumes them."""

    def __init__(self, docs):
        self._docs, self.n = docs, 0

    def __iter__(self):
        for doc in self._docs:
            self.n += 1
            yield doc
