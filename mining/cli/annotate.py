"""biomine annotate: tag a text or a corpus file with an NER model and print the entities."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Annotated

import typer

from mining.cli.common import user_errors

NAME = "annotate"


class Format(StrEnum):
    json = "json"
    pubtator = "pubtator"


def run(
    text_or_file: Annotated[
        str,
        typer.Argument(
            metavar="TEXT|FILE",
            help="A corpus file (any format biomine reads: every document is tagged) or, when "
            "no such file exists, the text itself (one document, id text:1).",
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
) -> None:
    """Tag a text or every document of a corpus file and print the entities found."""
    from mining.annotate import annotate, as_json, input_documents
    from mining.corpus.pubtator import write_pubtator
    from mining.nlp.normalise import ConceptNormaliser
    from mining.nlp.tagger_set import TaggerSet

    with user_errors():
        tagger = TaggerSet.from_pretrained(model or None)
        normaliser = ConceptNormaliser.load()
        docs = annotate(
            input_documents(text_or_file), tagger, batch_size=batch_size, normaliser=normaliser
        )
        if output_format is Format.pubtator:
            write_pubtator(docs, sys.stdout)
        else:
            for doc in docs:
                sys.stdout.write(json.dumps(as_json(doc)) + "\n")
