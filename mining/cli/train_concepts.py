"""biomine train concepts: build the concept dictionary (mention text -> MeSH id) of
mining.nlp.normalise from gold-annotated corpora."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mining.cli.common import log_progress, user_errors

GROUP = "train"
NAME = "concepts"


# The gold corpora and the dev corpus options, shared with `biomine concepts build`.
GoldCorpora = Annotated[
    list[Path] | None,
    typer.Option(
        help="Gold-annotated corpus (PubTator, BioC, ...); repeat for several. Default: "
        "BC5CDR + NCBI disease train from ../shared/data.",
        exists=True,
        show_default=False,
    ),
]
DevCorpus = Annotated[
    Path | None,
    typer.Option(
        help="Gold corpus to measure concept accuracy on (BC5CDR dev).",
        exists=True,
        show_default=False,
    ),
]


def run(
    out: Annotated[
        Path, typer.Option(help="Dictionary folder to write (concepts.tsv.gz).", show_default=False)
    ],
    train: GoldCorpora = None,
    dev: DevCorpus = None,
) -> None:
    """Build a concept dictionary from gold mentions; with --dev, report its accuracy."""
    from mining.nlp.normalise import ConceptNormaliser
    from mining.train.build_concept_dictionary import (
        TRAIN_FILES,
        build_dictionary,
        concept_accuracy,
        read_gold,
    )

    log_progress()
    with user_errors():
        path, rows = build_dictionary(train or TRAIN_FILES, out)
        typer.echo(f"{path}: {len(rows)} entries, {path.stat().st_size} bytes")
        if dev is None:
            return
        report = concept_accuracy(ConceptNormaliser(rows), read_gold(dev))
    typer.echo(f"{dev.name}: {report['mentions']} gold mentions with an id")
    for key, value in report["accuracy"].items():
        typer.echo(f"  accuracy {key}: {value:.4f} ({report['counts'][key]})")
    for key, value in report["share"].items():
        acc = report["method_accuracy"].get(key)
        typer.echo(f"  {key}: {value:.4f} of mentions" + (f", {acc:.4f} right" if acc else ""))
