"""Stored document vectors: written with the batch's marks, read back in chunks, nearest by
cosine, dropped with a replaced document version and embedded again by `biomine embed`."""

from __future__ import annotations

import numpy as np
from sqlalchemy import func, select
from typer.testing import CliRunner

from mining.cli import app
from mining.store.processed import count_pending, write_results
from mining.store.queries import embedding_sources, nearest_documents
from mining.store.schema import embeddings, processed
from mining.store.write_documents import store_documents
from mining.types import Document
from tests.nlp.tiny_models import tiny_classifier

SOURCE = "enc@1"


def unit(*values: float) -> np.ndarray:
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def docs() -> list[Document]:
    return [Document(f"pmid:{i}", f"Title {i}", f"Abstract {i}.") for i in range(1, 6)]


def test_vectors_round_trip_and_the_nearest_come_first(engine):
    store_documents(engine, docs())
    vectors = {
        "pmid:1": unit(1, 0, 0),
        "pmid:2": unit(0, 1, 0),
        "pmid:3": unit(1, 1, 0),
        "pmid:4": unit(0, 0, 1),
        "pmid:5": unit(-1, 0, 0),
    }
    ids = list(vectors)
    write_results(engine, ids, {}, {}, sources=[SOURCE], embeddings={SOURCE: vectors})
    assert count_pending(engine, [SOURCE]) == 0  # marked processed in the same transaction
    assert embedding_sources(engine) == {SOURCE: 5}
    queries = np.stack([unit(1, 0.1, 0), unit(0, 0, 1)])
    for chunk in (2, 100):  # several chunks, or one
        near = nearest_documents(engine, SOURCE, queries, k=3, chunk=chunk)
        assert [h.doc_id for h in near[0]] == ["pmid:1", "pmid:3", "pmid:2"]
        assert near[1][0].doc_id == "pmid:4" and abs(near[1][0].score - 1.0) < 1e-3
    assert nearest_documents(engine, "nobody@1", queries, k=3) == [[], []]
    with engine.connect() as c:
        row = c.execute(select(embeddings).where(embeddings.c.doc_id == "pmid:3")).one()
    assert row.dim == 3 and len(row.vector) == 6  # float16
    stored = np.frombuffer(row.vector, dtype="<f2").astype(np.float32)
    np.testing.assert_allclose(stored, vectors["pmid:3"], atol=1e-3)
    # Re-writing replaces, never duplicates.
    again = {SOURCE: {"pmid:3": unit(0, 1, 1)}}
    write_results(engine, ["pmid:3"], {}, {}, sources=[SOURCE], embeddings=again)
    assert embedding_sources(engine) == {SOURCE: 5}


def test_a_replaced_version_loses_its_vector_and_embed_embeds_it_again(db_url, tmp_path):
    from mining.store.database import open_database

    model = str(tiny_classifier(tmp_path / "enc", ["a", "b"]))
    engine = open_database(db_url)
    store_documents(engine, docs())
    runner = CliRunner()
    args = ["embed", "--db", db_url, "--model", model, "--device", "cpu", "--batch-size", "2"]
    first = runner.invoke(app, args, catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert "5 document(s) embedded" in first.stdout
    assert embedding_sources(engine) == {"enc": 5}

    changed = Document("pmid:2", "Title 2", "A corrected abstract.", {"version": 2})
    store_documents(engine, [changed])
    with engine.connect() as c:
        left = c.execute(select(embeddings.c.doc_id).where(embeddings.c.source == "enc"))
        assert sorted(r[0] for r in left) == ["pmid:1", "pmid:3", "pmid:4", "pmid:5"]
        marks = select(func.count()).where(processed.c.doc_id == "pmid:2")
        assert c.execute(marks).scalar_one() == 0

    again = runner.invoke(app, args, catch_exceptions=False)
    assert again.exit_code == 0 and "1 document(s) embedded" in again.stdout
    assert embedding_sources(engine) == {"enc": 5}
    done = runner.invoke(app, args, catch_exceptions=False)
    assert done.stdout.startswith("nothing to do: every document is embedded by enc")
    engine.dispose()
