"""Web app query benchmark: the store queries each page runs, on a large synthetic store.

Seeds a database with ``--relations`` relation rows (default 1,000,000), four a document,
each with its two entity mentions, over a few thousand chemical and disease concepts whose
popularity follows a Zipf law (so pairs aggregate as in PubMed: a few pairs with thousands
of abstracts, a long tail with one), in 200 journals over 35 years. Then runs every query the
Relations, Entity and Document pages make ``--repeat`` times and reports p50 and p95 in
milliseconds. The goal of issue 13: p95 under 300 ms for every Relations-page query;
``relations_p95_ms`` is the slowest of them.

    python benchmarks/app_queries.py [--relations 1000000] [--db URL] [--repeat 20] [--json]
                                     [--measure-only]

``--db`` names an empty database to fill (a PostgreSQL URL measures PostgreSQL, e.g.
``--db postgresql://postgres@127.0.0.1/bench``); by default a temporary SQLite file. Seeding
goes through the store's own bulk writes (store_documents), which keep the Relations summary
as ``biomine run`` does. ``--measure-only`` measures a database seeded by an earlier call.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

from mining.store import queries
from mining.store.data_version import read_data_version
from mining.store.database import open_database
from mining.store.write_documents import store_documents
from mining.types import Document, Entity, Relation

MODEL = "bench-re@1"
RELATIONS_PER_DOC = 4
CHEMICALS, DISEASES = 3000, 3000
LABELS = ("CID", "treats")
VACUUM_EVERY = 10  # batches, on PostgreSQL
UPDATED_TABLES = ("relation_pairs", "concepts", "data_version")  # updated in place each batch


def _zipf_index(rng: random.Random, n: int) -> int:
    """An index in [0, n) with probability roughly proportional to 1 / (i + 1)."""
    return min(int(n ** rng.random()) - 1, n - 1)


def _document(i: int, rng: random.Random) -> Document:
    """One abstract of RELATIONS_PER_DOC sentences, each relating a chemical to a disease."""
    sentences, mentions = [], []
    title = f"Study {i}"
    offset = len(title) + 1
    for _ in range(RELATIONS_PER_DOC):
        chem, dis = _zipf_index(rng, CHEMICALS), _zipf_index(rng, DISEASES)
        chem_text, dis_text = f"chemical{chem}", f"disease{dis}"
        sentence = f"{chem_text.capitalize()} was linked to {dis_text}."
        mentions.append((offset, sentence, chem, dis, chem_text, dis_text))
        sentences.append(sentence)
        offset += len(sentence) + 1
    doc = Document(
        f"pmid:{1_000_000 + i}", title, " ".join(sentences),
        meta={"year": 1990 + rng.randrange(35), "journal": f"Journal {rng.randrange(200)}"},
    )  # fmt: skip
    for start, sentence, chem, dis, chem_text, dis_text in mentions:
        head = Entity(doc.id, start, start + len(chem_text), chem_text.capitalize(), "Chemical",
                      f"C{chem:06d}", 0.95, MODEL)  # fmt: skip
        d0 = start + sentence.index(dis_text)
        tail = Entity(doc.id, d0, d0 + len(dis_text), dis_text, "Disease", f"D{dis:06d}", 0.95,
                      MODEL)  # fmt: skip
        doc.entities += [head, tail]
        doc.relations.append(
            Relation(doc.id, head.concept_id, tail.concept_id, rng.choice(LABELS),
                     round(rng.random(), 3), (start, start + len(sentence)), MODEL, head, tail)
        )  # fmt: skip
    return doc


def seed(url: str, n_relations: int, batch: int = 2000) -> float:
    """Fill the database; returns the seconds it took."""
    engine = open_database(url)
    rng = random.Random(13)
    n_docs = max(1, n_relations // RELATIONS_PER_DOC)
    start = time.perf_counter()
    for number, first in enumerate(range(0, n_docs, batch), start=1):
        last = min(first + batch, n_docs)
        store_documents(engine, [_document(i, rng) for i in range(first, last)])
        if engine.dialect.name == "postgresql" and number % VACUUM_EVERY == 0:
            _vacuum(engine, UPDATED_TABLES)
        print(f"\rseeded {last:,}/{n_docs:,} documents", end="",
              file=sys.stderr, flush=True)  # fmt: skip
    print(file=sys.stderr)
    if engine.dialect.name == "postgresql":
        # What autovacuum does soon after a bulk load, done now so the measurement does not
        # depend on when it runs: planner statistics, and the visibility map that lets the
        # covering indexes answer without the table.
        _vacuum(engine, ())
    engine.dispose()
    return time.perf_counter() - start


def _vacuum(engine, tables: tuple[str, ...]) -> None:
    """VACUUM ANALYZE these tables (all when none), as PostgreSQL's autovacuum would: it is
    off on some servers (the test server here), and every batch updates the pair totals."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for statement in [f"VACUUM ANALYZE {t}" for t in tables] or ["VACUUM ANALYZE"]:
            connection.execute(text(statement))  # fixed table names, no user input


def timings(run: Callable[[], object], repeat: int) -> dict[str, float]:
    run()  # warm the page cache and the statement cache once
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return {"p50_ms": round(statistics.median(samples), 1), "p95_ms": round(p95, 1)}


def page_queries(engine) -> dict[str, tuple[str, Callable[[], object]]]:
    """Each query a page runs: name -> (page, call), as the app makes them."""
    first = queries.relation_pairs(engine, limit=50)
    top = first.rows[0]

    def pairs(**filters) -> Callable[[], object]:
        return lambda: queries.relation_pairs(engine, limit=50, **filters)

    relations_page = {
        "data_version (cache key)": lambda: read_data_version(engine),
        "filter options": lambda: queries.relation_filters(engine),
        "first page": pairs(),
        "next page": pairs(after=first.next),
        "relation type CID": pairs(labels=["CID"]),
        "head type Chemical": pairs(head_types=["Chemical"]),
        "tail type Disease": pairs(tail_types=["Disease"]),
        "head type Disease (none)": pairs(head_types=["Disease"]),
        "one concept": pairs(concept=top.head),
        "min score 0.9": pairs(min_score=0.9),
        "min score 1.0": pairs(min_score=1.0),
        "years 2000-2005": pairs(years=(2000, 2005)),
        "one year 2010": pairs(years=(2010, 2010)),
        "journal": pairs(journals=["Journal 7"]),
        "model": pairs(sources=[MODEL]),
        "sort mentions": pairs(sort="mentions"),
        "sort best score": pairs(sort="best_score"),
        "sort latest year": pairs(sort="last_year"),
        "sort head name": pairs(sort="head_name"),
        "sort tail name": pairs(sort="tail_name"),
        "sort best score, next page": pairs(
            sort="best_score", after=queries.relation_pairs(engine, sort="best_score").next
        ),
        "concept autocomplete": lambda: queries.suggest_concepts(engine, "chemical1"),
        "pair evidence (top pair)": lambda: queries.pair_evidence(
            engine, top.head, top.tail, top.label
        ),
    }
    other_pages = {
        "concept_page (top concept)": ("entity", lambda: queries.concept_page(engine, top.head)),
        "concept_documents (top concept)": (
            "entity", lambda: queries.concept_documents(engine, top.head)
        ),
        "document_view": ("document", lambda: queries.document_view(engine, "pmid:1000000")),
    }  # fmt: skip
    return {name: ("relations", call) for name, call in relations_page.items()} | other_pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--relations", type=int, default=1_000_000)
    parser.add_argument("--db", help="an empty database to fill (default: a temporary SQLite)")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--measure-only", action="store_true", help="measure --db as an earlier call seeded it"
    )
    args = parser.parse_args()
    if args.measure_only and not args.db:
        parser.error("--measure-only needs --db")
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'bench.db'}"
        seconds = None if args.measure_only else seed(url, args.relations)
        engine = open_database(url, read_only=True)  # as the app opens it
        figures = {
            name: {"page": page, **timings(call, args.repeat)}
            for name, (page, call) in page_queries(engine).items()
        }
        engine.dispose()
    relations_p95 = max(f["p95_ms"] for f in figures.values() if f["page"] == "relations")
    result = {
        "database": "postgresql" if url.startswith("postgresql") else "sqlite",
        "relations": args.relations,
        "seed_seconds": round(seconds, 1) if seconds is not None else None,
        "relations_p95_ms": relations_p95,
        "queries": figures,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    seeded = f"seeded in {seconds:.0f} s" if seconds is not None else "seeded earlier"
    print(f"{result['database']}, {args.relations:,} relations ({seeded})")
    for name, f in figures.items():
        print(f"  {f['page']:<9} {name:<34} p50 {f['p50_ms']:>9.1f} ms  p95 {f['p95_ms']:>9.1f} ms")
    print(f"slowest Relations-page p95: {relations_p95:.1f} ms (goal < 300 ms)")


if __name__ == "__main__":
    main()
