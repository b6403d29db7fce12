"""Ingest benchmark: PubMed XML parsing against ``pubmed_parser``, and end-to-end ingest
(read + store) into SQLite and PostgreSQL, on a baseline-sized file.

``--workers 2`` (the default) also ingests with that many parse worker processes (``biomine
ingest --workers``) against one process, interleaved, best of ``--repeat``.

The file holds ``--records`` (30,000, about one NLM baseline file) PubmedArticles built by
replicating the real NLM sample's records under fresh PMIDs. Parse rates are the best of
``--repeat`` interleaved runs in this process. Each end-to-end ingest runs in a fresh child
process (one core: a single Python process, no workers) into a new, empty database, so its
peak memory (max RSS) is its own; a second ingest of the same file into the filled database
measures the idempotent re-run.

    pip install -e .[bench]      # pubmed-parser, the baseline
    python benchmarks/ingest.py [--records 30000] [--json figures.json] [--no-postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import textwrap
import uuid
from pathlib import Path

from parse_pubmed import SAMPLE, best_rates, build_replicated_sample, run_biomine, run_pubmed_parser

POSTGRES_SERVER = os.environ.get("BIOMINE_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1/test")

# One ingest in a child process; prints seconds, records and max RSS (MiB) as JSON.
CHILD = textwrap.dedent(
    r"""
    import json, re, sys, time
    from mining.ingest import ingest
    from mining.store.database import open_database
    engine = open_database(sys.argv[1])
    start = time.perf_counter()
    report = ingest(engine, [sys.argv[2]], batch_size=int(sys.argv[3]), workers=int(sys.argv[4]))
    seconds = time.perf_counter() - start
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across exec.
    status = open("/proc/self/status").read()
    rss = int(re.search(r"VmHWM:\s+(\d+) kB", status)[1]) / 1024
    print(json.dumps({"seconds": seconds, "records": report.counts.records,
                      "inserted": report.counts.inserted, "max_rss_mib": rss}))
    """
)


def ingest_in_child(url: str, path: Path, batch_size: int, workers: int = 1) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, url, str(path), str(batch_size), str(workers)],
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["records_per_s"] = round(figures["records"] / figures["seconds"])
    return figures


def end_to_end(url: str, path: Path, batch_size: int) -> dict:
    first = ingest_in_child(url, path, batch_size)
    rerun = ingest_in_child(url, path, batch_size)
    return {"first": first, "rerun": rerun}


def with_workers(folder: str, path: Path, batch_size: int, workers: list[int]) -> dict:
    """Ingest into a new SQLite database with each number of parse workers (1 means the one
    process parses and stores), interleaved ``repeat`` times; the best rate of each."""
    figures: dict = {}
    for n in workers:
        url = f"sqlite:///{folder}/workers{n}-{uuid.uuid4().hex[:6]}.db"
        run = ingest_in_child(url, path, batch_size, n)
        best = figures.get(str(n))
        if best is None or run["records_per_s"] > best["records_per_s"]:
            figures[str(n)] = run
    return figures


def postgres_database():
    """A fresh database on the server, or None when no server answers."""
    import psycopg

    try:
        admin = psycopg.connect(POSTGRES_SERVER, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        print(f"PostgreSQL skipped: {POSTGRES_SERVER} unreachable ({error})".strip())
        return None, None
    name = f"biomine_bench_{uuid.uuid4().hex[:8]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_SERVER.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    return admin, (name, f"{base}/{name}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=30_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument(
        "--workers", type=int, nargs="*", default=[2], help="parse worker counts to compare with 1"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if not SAMPLE.is_file():
        raise SystemExit(f"sample not found: {SAMPLE} (the shared corpora sit beside the repo)")

    result: dict = {
        "records": args.records,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    with tempfile.TemporaryDirectory() as work:
        path = build_replicated_sample(args.records, Path(work) / "replicated.xml.gz")
        result["gzip_mb"] = round(path.stat().st_size / 1e6, 1)
        rates = best_rates(
            {"pubmed_parser": run_pubmed_parser, "biomine": run_biomine},
            path,
            args.repeat,
            args.records,
        )
        result["parse"] = {name: round(rate) for name, rate in rates.items()}
        result["parse"]["ratio"] = round(rates["biomine"] / rates["pubmed_parser"], 2)
        result["sqlite"] = end_to_end(f"sqlite:///{work}/bench.db", path, args.batch_size)
        counts = [1, *args.workers]
        runs = [with_workers(work, path, args.batch_size, counts) for _ in range(args.repeat)]
        best = {
            str(n): max((r[str(n)] for r in runs), key=lambda f: f["records_per_s"]) for n in counts
        }
        best["speedup"] = {
            str(n): round(best[str(n)]["records_per_s"] / best["1"]["records_per_s"], 2)
            for n in args.workers
        }
        result["sqlite_workers"] = best
        if not args.no_postgres:
            admin, database = postgres_database()
            if admin:
                try:
                    result["postgresql"] = end_to_end(database[1], path, args.batch_size)
                finally:
                    admin.execute(f'DROP DATABASE IF EXISTS "{database[0]}" WITH (FORCE)')
    report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


def report(result: dict) -> None:
    parse = result["parse"]
    print(
        f"{result['records']:,} records ({result['gzip_mb']} MB gzipped), "
        f"{result['cpus']} CPUs, Python {result['python']}"
    )
    print(f"parse  pubmed_parser.parse_medline_xml {parse['pubmed_parser']:>8,} records/s")
    print(
        f"parse  biomine read_pubmed_xml         {parse['biomine']:>8,} records/s"
        f"   ({parse['ratio']:.2f}x)"
    )
    workers = result.get("sqlite_workers", {})
    for n, speedup in workers.get("speedup", {}).items():
        print(
            f"ingest sqlite --workers {n}: {workers[n]['records_per_s']:,} records/s against "
            f"{workers['1']['records_per_s']:,} in one process ({speedup:.2f}x)"
        )
    for database in ("sqlite", "postgresql"):
        if database not in result:
            continue
        for run in ("first", "rerun"):
            figures = result[database][run]
            print(
                f"ingest {database:<10} {run:<5} {figures['records_per_s']:>8,} records/s  "
                f"max RSS {figures['max_rss_mib']:,.0f} MiB"
            )


if __name__ == "__main__":
    main()
