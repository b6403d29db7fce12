"""biomine annotate: tag a text or a corpus file with an NER model and print the entities."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated, TypeVar

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from mining.cli.common import stderr, user_errors

T = TypeVar("T")

NAME = "annotate"


class Format(StrEnum):
    json = "json"
    pubtator = "pubtator"


def run(
    text_or_file: Annotated[
        str,
        typer.Argument(
            metavar="TEXT|FILE",
            help="A corpus file (any format biomine reads: every document is tagged) or the "
            "text itself (one document, id text:1). A folder, or a path-like argument that "
            "names no file, is an error; --text tags the argument as text whatever it is.",
            show_default=False,
        ),
    ],
    model: Annotated[
        list[str] | None,
        typer.Option(
            help="NER model folder or hub id; repeat it to run several taggers. Default: the "
            "shipped taggers (Chemical + Disease, Gene).",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        Format,
        typer.Option(
            "--format",
            help="json: one object per line {id, text, entities: [{start, end, text, label, "
            "concept_id, score}]} (end-exclusive character offsets into text); "
            "pubtator: PubTator blocks with mention lines.",
        ),
    ] = Format.json,
    batch_size: Annotated[int, typer.Option(min=1, help="Sentence windows per batch.")] = 32,
    text: Annotated[
        bool, typer.Option("--text", help="Tag the argument as text, even if it names a file.")
    ] = False,
) -> None:
    """Tag a text or every document of a corpus file and print the entities found."""
    from mining.annotate import annotate, as_json, input_documents, input_file
    from mining.corpus.pubtator import write_pubtator
    from mining.nlp.normalise import ConceptNormaliser
    from mining.nlp.tagger_set import TaggerSet

    with user_errors():
        path = input_file(text_or_file, force_text=text)  # before the models load: fail fast
        tagger = TaggerSet.from_pretrained(model or None)
        normaliser = ConceptNormaliser.load()
        docs = annotate(
            input_documents(text_or_file, force_text=text),
            tagger,
            batch_size=batch_size,
            normaliser=normaliser,
        )
        # A file shows its progress on stderr; stdout holds the output only.
        with _progress(path is not None) as counted:
            docs = counted(docs)
            if output_format is Format.pubtator:
                write_pubtator(docs, sys.stdout)
            else:
                for doc in docs:
                    sys.stdout.write(json.dumps(as_json(doc)) + "\n")


@contextmanager
def _progress(show: bool) -> Iterator[Callable[[Iterable[T]], Iterator[T]]]:
    """A wrapper that counts documents through a Rich bar on stderr (documents/s), or a
    wrapper that does nothing."""
    if not show:
        yield iter
        return
    progress = Progress(
        SpinnerColumn(),
        TextColumn("[bold]annotate[/]"),
        TextColumn("{task.completed:,} documents"),
        TextColumn("[cyan]{task.fields[rate]} docs/s"),
        TimeElapsedColumn(),
        console=stderr,
    )

    def counted(items: Iterable[T]) -> Iterator[T]:
        task = progress.add_task("annotate", total=None, rate="-")
        for item in items:
            yield item
            progress.advance(task)
            state = progress.tasks[task]
            elapsed = state.elapsed or 0.0
            progress.update(task, rate=f"{state.completed / elapsed:,.1f}" if elapsed else "-")

    with progress:
        yield counted
