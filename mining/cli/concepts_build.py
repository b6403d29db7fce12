"""biomine concepts build: the concept dictionary from the gold corpora and the MeSH indexing
(and tagged mentions) of the PubMed records in the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mining.cli.common import DbOption, command_line, log_progress, read_database, user_errors
from mining.cli.train_concepts import DevCorpus, GoldCorpora

GROUP = "concepts"
NAME = "build"


def run(
    ctx: typer.Context,
    out: Annotated[
        Path,
        typer.Option(
            help="Dictionary folder to write (concepts.tsv.gz, card, counts).", show_default=False
        ),
    ],  # fmt: skip
    db: DbOption = None,
    train: GoldCorpora = None,
    tagger: Annotated[
        list[str] | None,
        typer.Option(
            help="Use only this tagger's stored mentions for distant supervision (its source, "
            "e.g. ner-chem-disease-train, with or without @version); repeatable. Default: "
            "every stored Chemical and Disease mention.",
            show_default=False,
        ),
    ] = None,
    dev: DevCorpus = None,
) -> None:
    """Build a concept dictionary from gold corpora and the stored PubMed records: the MeSH
    descriptors and substances NLM indexed them with, and mentions linked to them by distant
    supervision (run `biomine run` first to store tagged mentions)."""
    from mining.nlp.normalise import ConceptNormaliser
    from mining.train.build_concept_dictionary import TRAIN_FILES, concept_accuracy, read_gold
    from mining.train.build_concepts_from_records import build_with_records, origin_accuracy
    from mining.train.concepts_card import write_card

    log_progress()
    with user_errors():
        engine = read_database(db)
        path, build = build_with_records(engine, train or TRAIN_FILES, out, tagger)
        c = build.counts
        typer.echo(
            f"{path}: {c['rows']['all']:,} entries, {path.stat().st_size:,} bytes "
            f"(gold {c['rows']['gold']:,}, record names {c['rows']['records']:,}, "
            f"distant supervision {c['rows']['distant']:,}); {c['records']:,} records, "
            f"{c['records indexed']:,} indexed with MeSH"
        )
        report = None
        if dev is not None:
            docs = read_gold(dev)
            report = (dev.name, concept_accuracy(ConceptNormaliser(build.all_rows), docs),
                      origin_accuracy(build, docs))  # fmt: skip
        write_card(path.parent, build, command_line(ctx), report)
    if report is None:
        return
    name, accuracy, origins = report
    typer.echo(f"{name}: {accuracy['mentions']:,} gold mentions with an id")
    for key, value in accuracy["accuracy"].items():
        typer.echo(f"  accuracy {key}: {value:.4f} ({accuracy['counts'][key]:,})")
    for origin, n in origins.items():
        typer.echo(f"  {origin} rows decide {n['decided']:,} mentions, {n['right']:,} right")
