"""biomine eval qa: a PubMedQA reader's accuracy and macro-F1 on labelled questions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from mining.cli.common import user_errors

GROUP = "eval"
NAME = "qa"


def run(
    gold: Annotated[
        Path,
        typer.Option(
            "--gold",
            help="Labelled questions, PubMedQA JSON (ori_pqal.json format).",
            show_default=False,
        ),
    ],
    model: Annotated[
        str | None,
        typer.Option(
            help="Reader folder or hub id: a sequence classifier with yes/no/maybe labels, or "
            "a causal LM (BioGPT's PubMedQA format). Default: models/qa-pubmedqa when it "
            "ships (none does yet).",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print one JSON object: accuracy and macro_f1 (percent) reasoning-required "
            "(contexts without the conclusion), the same under reasoning_free (with it), "
            "per-label scores and the confusion counts.",
        ),
    ] = False,
    limit: Annotated[int | None, typer.Option(min=1, help="Only the first N questions.")] = None,
    device: Annotated[str, typer.Option(help="auto, cpu, cuda or cuda:N.")] = "auto",
    dtype: Annotated[str, typer.Option(help="auto, fp32, bf16 or fp16.")] = "auto",
) -> None:
    """Score a reader on PubMedQA questions, reasoning-required and reasoning-free."""
    from mining.corpus.pubmedqa import read_pubmedqa
    from mining.nlp.qa.open_reader import open_reader
    from mining.shipped_models import default_reader
    from mining.train.eval_qa import evaluate_reader
    from mining.train.qa_metrics import qa_report

    with user_errors():
        records = [r for r in read_pubmedqa(gold) if r.decision][:limit]
        reader = open_reader(model or default_reader(), device=device, dtype=dtype)
        scores = evaluate_reader(reader, records)
    if as_json:
        typer.echo(json.dumps(scores, indent=2))
        return
    out = Console(highlight=False)
    out.print(f"{reader.source} on {len(records)} questions of {gold}", markup=False)
    out.print("reasoning-required\n" + qa_report(scores), markup=False)
    out.print("reasoning-free\n" + qa_report(scores["reasoning_free"]), markup=False)
