"""biomine export: write stored documents with their annotations to a corpus format."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from mining.cli.common import EXIT_USAGE, DbOption, database, fail, user_errors
from mining.store.read_documents import iter_documents

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
    with user_errors():
        docs = iter_documents(database(db), sources=source)
        count = _write(format, docs, out)
    typer.echo(f"exported {count:,} documents", err=True)


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
