"""The Ray engine (``biomine run --engine ray``): the pipeline's components on Ray Data actors.

    driver   the models checked (``plan``), the pending documents exported to Parquet
    Ray      read_parquet → map_batches(PipelineActor, ActorPoolStrategy(size=N), num_gpus=1)
             → write_parquet: one actor per GPU (or CPU slot), each loading the models once
    driver   the result shards written into the store, one transaction per batch

The actors run the local engine's own code (``Pipeline.load`` of the same specs, then
``Pipeline.process``), so both engines store the same rows; only the driver writes to the
store, so SQLite works as well as PostgreSQL. Resuming after a kill and loading exactly once
are the shards' business (``mining.engines.shards``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from mining.engines.result_rows import documents_from_table, result_table
from mining.engines.shards import (
    RunFolder,
    database_name,
    default_root,
    export_pending,
    leftover_folders,
    load_results,
)
from mining.errors import EngineError
from mining.nlp.batching import DEFAULT_BATCH_TOKENS
from mining.pipeline import DEFAULT_MAX_CHARS, Pipeline, RunCounts
from mining.pipeline_plan import ComponentSpec
from mining.store.processed import count_pending
from mining.store.runs import DONE, FAILED, finish_run, start_run

log = logging.getLogger(__name__)

LOCAL = "local"  # a Ray instance started by this process, for this run only
# Input files of this many batches: enough blocks to keep several actors busy, few enough
# files (about 35,000 for all of PubMed at 64 documents a batch) for any filesystem.
BATCHES_PER_FILE = 16


@dataclass(frozen=True)
class RayOptions:
    address: str = LOCAL  # or "auto" / "HOST:6379" / "ray://HOST:10001" for a cluster
    actors: int | None = None  # default: one per GPU of the cluster, else one
    device: str = "auto"
    dtype: str = "auto"
    max_chars: int = DEFAULT_MAX_CHARS
    batch_tokens: int | None = DEFAULT_BATCH_TOKENS
    batch_size: int = 64  # documents per actor call and per store transaction
    threads: int | None = None  # torch threads (and Ray CPUs) of a CPU actor
    shards: Path | None = None  # default: beside the SQLite file, or ./biomine-shards


class PipelineActor:
    """Ray Data's callable class: loads the pipeline once, then maps batches of document
    rows to result rows."""

    def __init__(self, specs, device, dtype, max_chars, batch_tokens, threads):
        if threads:
            import torch

            torch.set_num_threads(threads)
        self.pipeline = Pipeline.load(specs, device, dtype, max_chars, batch_tokens)

    def __call__(self, batch):
        docs, hashes = documents_from_table(batch)
        return result_table(docs, hashes, self.pipeline.process(docs))


def run_ray(
    engine: Engine,
    specs: Sequence[ComponentSpec],
    options: RayOptions = RayOptions(),
    *,
    on_batch: Callable[[RunCounts, int], None] | None = None,
) -> RunCounts:
    """Process every stored document the components of ``specs`` have not processed yet on
    Ray, after loading what a killed run had finished; returns the totals, as
    ``run_pipeline`` does (``on_batch`` is called after each batch written to the store).
    Nothing pending: nothing is started and no run is recorded."""
    sources = [s.source for s in specs if s.marks]
    root = Path(options.shards) if options.shards else default_root(engine)
    complete, incomplete = leftover_folders(engine, root, sources)
    for folder in incomplete:
        folder.remove()  # partial files of a run killed while Ray wrote: recomputed below
    counts = RunCounts()
    if count_pending(engine, sources) == 0:
        for folder in complete:
            folder.remove()  # killed after its last batch was written: nothing left in it
        return counts
    config = {
        "engine": "ray",
        "address": options.address,
        "actors": options.actors,
        "device": options.device,
        "batch_size": options.batch_size,
        "shards": str(root),
    }
    run_id = start_run(engine, "pipeline", " + ".join(sources)[:2000], config)
    t0 = time.perf_counter()
    status = FAILED

    def loaded(counts: RunCounts, batch_docs: int) -> None:
        counts.seconds = time.perf_counter() - t0
        if on_batch:
            on_batch(counts, batch_docs)

    def load(folder: RunFolder) -> None:
        load_results(
            engine,
            folder.results,
            specs,
            run_id,
            batch_size=options.batch_size,
            counts=counts,
            on_batch=loaded,
        )
        folder.remove()

    try:
        for folder in complete:
            log.info("loading the results a killed run left in %s", folder.path)
            load(folder)
        if count_pending(engine, sources):
            with ray_session(options.address) as ray:
                pool = actor_pool(ray, options)  # a cluster too small fails before the export
                folder = RunFolder.create(root, run_id, database_name(engine), sources)
                docs_per_file = options.batch_size * BATCHES_PER_FILE
                export_pending(engine, sources, folder.documents, options.batch_size, docs_per_file)
                process_shards(ray, folder, specs, options, pool)
            folder.mark_complete()
            load(folder)
        with suppress(OSError):
            root.rmdir()  # when no other run's folder is in it
        status = DONE
    finally:
        counts.seconds = time.perf_counter() - t0
        finish_run(engine, run_id, counts.as_dict(), status=status)
    return counts


@dataclass(frozen=True)
class ActorPool:
    size: int
    device: str  # "cuda" (each actor's own GPU) or "cpu"
    resources: dict  # what each actor reserves: num_gpus or num_cpus


def actor_pool(ray, options: RayOptions) -> ActorPool:
    """The actors the cluster can hold: one per GPU on ``cuda``, else ``--actors`` CPU ones."""
    cluster = ray.cluster_resources()
    gpus, cpus = int(cluster.get("GPU", 0)), int(cluster.get("CPU", 0))
    device = actor_device(options.device, gpus, options.address)
    size = options.actors or (gpus if device == "cuda" else 1)
    check_fits(size, device, options.threads or 1, gpus, cpus, options.address)
    # One GPU an actor: Ray sets each actor's CUDA_VISIBLE_DEVICES, so "cuda" is its own.
    resources = {"num_gpus": 1} if device == "cuda" else {"num_cpus": options.threads or 1}
    log.info("Ray: %d actor(s) on %s at %s", size, device, options.address)
    return ActorPool(size, device, resources)


def process_shards(
    ray, folder: RunFolder, specs: Sequence[ComponentSpec], options: RayOptions, pool: ActorPool
) -> None:
    """Ray Data over the folder's document shards, writing its result shards."""
    documents = ray.data.read_parquet(str(folder.documents.resolve()))
    results = documents.map_batches(
        PipelineActor,
        fn_constructor_args=(
            list(specs),
            pool.device,
            options.dtype,
            options.max_chars,
            options.batch_tokens,
            options.threads,
        ),
        batch_size=options.batch_size,
        batch_format="pyarrow",
        compute=ray.data.ActorPoolStrategy(size=pool.size),
        **pool.resources,
    )
    results.write_parquet(str(folder.results.resolve()))


@contextmanager
def ray_session(address: str) -> Iterator:
    """The ``ray`` module, connected to a Ray instance of its own (``local``) or to the
    cluster at ``address``; disconnected (and a local instance stopped) after."""
    try:
        import ray
    except ImportError as error:
        raise EngineError(
            f"--engine ray needs Ray: pip install 'biomine[ray]' ({error})"
        ) from error
    import mining

    quiet = {"logging_level": logging.WARNING, "log_to_driver": True}
    try:
        if address == LOCAL:
            ray.init(address=LOCAL, include_dashboard=False, **quiet)
        else:
            # The cluster's workers import this process's BioMine code, whatever they have.
            code = {"py_modules": [str(Path(mining.__file__).parent)]}
            ray.init(address=address, runtime_env=code, **quiet)
    except (ConnectionError, ValueError, RuntimeError) as error:
        raise EngineError(f"cannot reach the Ray cluster at {address}: {error}") from error
    try:
        yield ray
    finally:
        ray.shutdown()


def actor_device(device: str, gpus: int, address: str) -> str:
    """``cuda`` when the run asks for it or ``auto`` finds GPUs in the cluster, else ``cpu``."""
    if device == "auto":
        return "cuda" if gpus else "cpu"
    if device.startswith("cuda"):
        if not gpus:
            raise EngineError(f"--device {device}, but the Ray cluster at {address} has no GPU")
        return "cuda"
    return device


def check_fits(actors: int, device: str, threads: int, gpus: int, cpus: int, address: str):
    """An actor pool larger than the cluster would wait for resources for ever; so would
    reading and writing the shards if CPU actors took every CPU."""
    if device == "cuda" and actors > gpus:
        raise EngineError(f"{actors} actors need a GPU each; the Ray cluster at {address} "
                          f"has {gpus}")  # fmt: skip
    if device != "cuda" and actors * threads > cpus - 1:
        raise EngineError(
            f"{actors} actor(s) x {threads} thread(s) leave none of the {cpus} CPUs of the Ray "
            f"cluster at {address} to read and write the shards: use fewer --actors or --threads"
        )
