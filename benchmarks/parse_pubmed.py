"""Parse-speed benchmark: BioMine's PubMed XML reader against ``pubmed_parser``.

Builds a baseline-sized file (30,000 records by default, gzipped) by replicating the real NLM
sample's 177 records under fresh PMIDs, then times, in the same process and interleaved so
machine noise hits both alike, best of ``--repeat`` runs each:

- ``pubmed_parser.parse_medline_xml(path, year_info_only=True, author_list=True,
  parse_downto_mesh_subterms=True)``, drained into a list. Those options ask it for what the
  BioMine reader extracts: the year only, authors as a list, MeSH with qualifiers. It also
  always extracts fields BioMine skips (affiliations, grants, chemicals, cited PMIDs, journal
  info); no option turns them off.
- ``list(read_pubmed_xml(path))``.

    python benchmarks/parse_pubmed.py [--records 30000] [--work DIR] [--json out.json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pubmed_parser  # the baseline: pip install -e .[bench]

from mining.corpus.pubmed_xml import read_pubmed_xml

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO.parent / "shared" / "data" / "pubmed_xml" / "pubmedsample18n0001.xml.gz"
FIRST_PMID = 70_000_001  # above every PMID issued so far, so replicas never collide with real ones

_RECORD = re.compile(rb"<PubmedArticle>.*?</PubmedArticle>", re.S)
_PMID = re.compile(rb"(<PMID[^>]*>)\d+(</PMID>)")  # the first one is the record's own


def build_replicated_sample(n_records: int, out_path: str | Path, sample: Path = SAMPLE) -> Path:
    """Write ``n_records`` PubmedArticles, the sample's records repeated with PMIDs
    FIRST_PMID, FIRST_PMID + 1, ..., as a gzipped PubmedArticleSet at ``out_path``."""
    raw = gzip.decompress(Path(sample).read_bytes())
    records = _RECORD.findall(raw)
    if not records:
        raise ValueError(f"{sample}: no PubmedArticle records")
    head = raw[: raw.index(b"<PubmedArticle>")]
    out_path = Path(out_path)
    with gzip.open(out_path, "wb", compresslevel=6) as out:
        out.write(head)
        for i in range(n_records):
            pmid = str(FIRST_PMID + i).encode()
            record = records[i % len(records)]
            out.write(_PMID.sub(lambda m, p=pmid: m[1] + p + m[2], record, count=1))
            out.write(b"\n")
        out.write(b"</PubmedArticleSet>\n")
    return out_path


def run_pubmed_parser(path: Path) -> int:
    articles = pubmed_parser.parse_medline_xml(
        str(path), year_info_only=True, author_list=True, parse_downto_mesh_subterms=True
    )
    return len(list(articles))


def run_biomine(path: Path) -> int:
    return len(list(read_pubmed_xml(path)))


def best_rates(
    runs: dict[str, Callable[[Path], int]], path: Path, repeat: int, expected: int
) -> dict[str, float]:
    """Records per second, the best of ``repeat`` runs of each, taken in turns."""
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(repeat):
        for name, run in runs.items():
            start = time.perf_counter()
            count = run(path)
            best[name] = min(best[name], time.perf_counter() - start)
            if count != expected:
                raise SystemExit(f"{name} read {count} records, expected {expected}")
    return {name: expected / seconds for name, seconds in best.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=30_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, help="folder for the built file (default: a temp dir)")
    parser.add_argument("--sample", type=Path, default=SAMPLE)
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if not args.sample.is_file():
        raise SystemExit(
            f"sample not found: {args.sample} (the shared corpora sit beside the repo)"
        )

    with tempfile.TemporaryDirectory(dir=args.work) as work:
        path = build_replicated_sample(args.records, Path(work) / "replicated.xml.gz", args.sample)
        runs = {"pubmed_parser": run_pubmed_parser, "biomine": run_biomine}
        rates = best_rates(runs, path, args.repeat, args.records)
        size = path.stat().st_size

    result = {
        "records": args.records,
        "gzip_bytes": size,
        "repeat": args.repeat,
        "pubmed_parser_records_per_s": round(rates["pubmed_parser"]),
        "biomine_records_per_s": round(rates["biomine"]),
        "ratio": round(rates["biomine"] / rates["pubmed_parser"], 2),
        "python": platform.python_version(),
        "machine": platform.processor() or platform.machine(),
    }
    print(f"{args.records} records, {size / 1e6:.1f} MB gzipped, best of {args.repeat}")
    print(f"pubmed_parser.parse_medline_xml: {result['pubmed_parser_records_per_s']:>8} records/s")
    print(f"read_pubmed_xml:                 {result['biomine_records_per_s']:>8} records/s")
    print(f"ratio:                           {result['ratio']:>8.2f}x")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
