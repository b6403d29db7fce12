"""``biomine ingest --workers N``: PubMed XML records parsed in worker processes give the same
rows, in the same order, with the same errors, as one process; re-running stays a no-op."""

from __future__ import annotations

import gzip

from sqlalchemy import DateTime, select
from typer.testing import CliRunner

from mining.cli import app
from mining.corpus.parse_pool import ParsePool
from mining.corpus.pubmed_xml import read_pubmed_xml
from mining.errors import InputError
from mining.ingest import ingest
from mining.store.database import open_database
from mining.store.schema import documents
from tests.corpus.helpers import Errors, truncated_gzip, write
from tests.corpus.test_pubmed_xml import HEAD, TAIL, article, pubmed

runner = CliRunner()


def rows(url: str) -> list[tuple]:
    """Every stored document, all columns but when it was written."""
    engine = open_database(url)
    kept = [c for c in documents.columns if not isinstance(c.type, DateTime)]
    with engine.connect() as connection:
        found = [tuple(r) for r in connection.execute(select(*kept).order_by(documents.c.id))]
    engine.dispose()
    return found


def test_the_real_sample_reads_the_same_in_workers(shared_data):
    path = shared_data / "pubmed_xml" / "pubmedsample18n0001.xml.gz"
    alone = list(read_pubmed_xml(path))
    with ParsePool(2) as pool:
        parallel = list(read_pubmed_xml(path, pool=pool))
    assert len(parallel) == len(alone) > 100  # more than one batch of a worker
    assert parallel == alone  # same documents, fields and order


def broken_file(tmp_path):
    """Records (more than one worker batch), a malformed one among them, then a cut gzip."""
    records = [article(str(i), f"Title {i}.") for i in range(1, 700)]
    records[300] = records[300].replace("</ArticleTitle>", "</ArticleTitel>")
    text = HEAD + "".join(records) + TAIL
    return write(tmp_path / "broken.xml.gz", truncated_gzip(text))


def test_errors_and_items_match_one_process_on_a_broken_file(tmp_path):
    path = broken_file(tmp_path)
    alone_errors, parallel_errors = Errors(), Errors()
    alone = list(read_pubmed_xml(path, on_error=alone_errors))
    with ParsePool(2) as pool:
        parallel = list(read_pubmed_xml(path, on_error=parallel_errors, pool=pool))
    assert parallel == alone and 300 < len(alone) < 699
    assert [str(e) for e in parallel_errors] == [str(e) for e in alone_errors]
    messages = " ".join(str(e) for e in parallel_errors)
    assert "malformed XML in PMID 301" in messages and "truncated gzip" in messages
    assert all(isinstance(e, InputError) and e.source == str(path) for e in parallel_errors)


def test_ingest_with_workers_stores_the_same_rows_and_reruns_as_a_no_op(tmp_path):
    good = write(tmp_path / "good.xml", pubmed(*(article(str(i)) for i in range(1, 600))))
    update = tmp_path / "update.xml.gz"
    update.write_bytes(
        gzip.compress(
            (
                HEAD
                + article("5", "Title five, version two.")
                + "<DeleteCitation><PMID>7</PMID></DeleteCitation>"
                + TAIL
            ).encode()
        )
    )
    broken = broken_file(tmp_path)
    inputs = [str(good), str(update), str(broken)]
    urls = {n: f"sqlite:///{tmp_path}/w{n}.db" for n in (1, 2)}
    reports = {}
    for n, url in urls.items():
        engine = open_database(url)
        reports[n] = ingest(engine, inputs, workers=n, batch_size=100)
        engine.dispose()
    assert rows(urls[2]) == rows(urls[1])
    assert reports[2].counts == reports[1].counts
    assert reports[2].failed_inputs == [str(broken)]
    assert [str(e) for e in reports[2].errors] == [str(e) for e in reports[1].errors]
    # again with workers: the clean files are skipped, the broken one read again, nothing added
    before = rows(urls[2])
    result = runner.invoke(app, ["ingest", "--db", urls[2], "--workers", "2", *inputs])
    assert result.exit_code == 1, result.output
    assert "2 already ingested, unchanged" in result.output
    assert rows(urls[2]) == before
