"""biomine run's loop: NER -> normalisation -> relations into the store, resumable, idempotent.

Runs on SQLite and PostgreSQL with the shipped Chemical + Disease tagger and a tiny CID
classifier that calls every candidate related (the plumbing under test, not its quality).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from mining.nlp.ner import NerTagger
from mining.nlp.normalise import ConceptNormaliser
from mining.nlp.relations.classifier import RelationClassifier
from mining.nlp.sentences import SentenceSplitter
from mining.pipeline import Pipeline, pending, run_pipeline
from mining.shipped_models import shipped
from mining.store.read_documents import iter_documents
from mining.store.schema import entities, processed, relations, runs
from mining.store.write_documents import store_documents
from mining.types import Document
from tests.nlp.tiny_models import tiny_classifier

DOCS = [
    Document(
        "pmid:1", "Cisplatin-induced nephrotoxicity in rats.", "Cisplatin caused renal failure."
    ),
    Document("pmid:2", "Haloperidol and tardive dyskinesia.", "Haloperidol caused dyskinesia."),
    Document("pmid:3", "A survey of hospital staffing.", "No chemicals here."),
]


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    folder = tiny_classifier(
        tmp_path_factory.mktemp("re") / "re-cid", ["none", "CID"], "CID", "cdr"
    )
    return Pipeline(
        [
            SentenceSplitter(),
            NerTagger.from_pretrained(shipped("ner-chem-disease"), device="cpu"),
            ConceptNormaliser.load(),
            RelationClassifier.from_pretrained(folder, device="cpu"),
        ]
    )


def count(engine, table, *where):
    with engine.connect() as c:
        return c.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def test_run_stores_linked_relations_and_resumes(engine, pipeline):
    store_documents(engine, DOCS[:2])
    assert pending(engine, pipeline) == 2
    batches = []
    counts = run_pipeline(engine, pipeline, batch_size=1, on_batch=lambda c, n: batches.append(n))
    assert counts.documents == 2 and batches == [1, 1]
    assert counts.entities == count(engine, entities) > 0
    assert counts.relations == count(engine, relations) > 0
    with engine.connect() as c:
        rows = c.execute(select(relations)).all()
    assert all(r.head_entity_id and r.tail_entity_id and r.evidence_end for r in rows)
    doc = next(d for d in iter_documents(engine) if d.id == "pmid:1")
    rel = next(r for r in doc.relations if r.source == "re-cid")
    assert rel.head_mention.label == "Chemical" and rel.tail_mention.label == "Disease"
    assert rel.head == "D002945"  # cisplatin's MeSH id, from the shipped dictionary
    start, end = rel.evidence
    assert start <= rel.head_mention.start < rel.tail_mention.end <= end

    # Nothing left: a second run writes nothing and duplicates nothing.
    before = (count(engine, entities), count(engine, relations))
    assert run_pipeline(engine, pipeline).documents == 0
    assert (count(engine, entities), count(engine, relations)) == before

    # A new document (and one without entities) is processed alone, and marked done.
    store_documents(engine, DOCS[2:])
    assert run_pipeline(engine, pipeline).documents == 1
    assert count(engine, processed, processed.c.doc_id == "pmid:3") == len(pipeline.sources)
    with engine.connect() as c:
        statuses = c.execute(select(runs.c.status).where(runs.c.kind == "pipeline")).scalars()
        assert set(statuses) == {"done"}


def test_new_version_is_processed_again(engine, pipeline):
    store_documents(engine, DOCS[:1])
    run_pipeline(engine, pipeline)
    newer = Document("pmid:1", "Cisplatin nephrotoxicity.", "Updated text.", meta={"version": 2})
    store_documents(engine, [newer])
    assert pending(engine, pipeline) == 1
    run_pipeline(engine, pipeline)
    with engine.connect() as c:
        texts = c.execute(select(entities.c.text).where(entities.c.doc_id == "pmid:1")).scalars()
        assert "Cisplatin" in set(texts)
        assert (
            c.execute(
                select(func.count())
                .select_from(entities)
                .where(entities.c.doc_id == "pmid:1", entities.c.start >= len(newer.text))
            ).scalar_one()
            == 0
        )  # nothing left from the longer old text


def test_another_concept_table_normalises_the_stored_documents_again(engine, pipeline, tmp_path):
    from mining.train.build_concept_dictionary import write_dictionary

    store_documents(engine, DOCS[:2])
    run_pipeline(engine, pipeline)
    before = (count(engine, entities), count(engine, relations))
    write_dictionary([("Chemical", "Cisplatin", "D999999", 1)], tmp_path / "concepts-other")
    sentences, tagger, _, classifier = pipeline.components
    table = ConceptNormaliser.load(tmp_path / "concepts-other")
    other = Pipeline([sentences, tagger, table, classifier])
    assert table.source.startswith("concepts-other@")
    assert pending(engine, pipeline) == 0 and pending(engine, other) == 2
    assert run_pipeline(engine, other).documents == 2
    assert (count(engine, entities), count(engine, relations)) == before  # replaced, not added
    with engine.connect() as c:
        ids = c.execute(select(entities.c.concept_id).where(entities.c.text == "Cisplatin"))
        assert set(ids.scalars()) == {"D999999"}
