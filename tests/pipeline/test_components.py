"""The component shape: order checked at construction, failures isolated per document."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from mining.nlp.component import ENTITIES, RELATIONS, Component, PipelineError, check_order
from mining.pipeline import INPUT, Pipeline, pending, run_pipeline
from mining.store.processed import clear_failures, recorded_failures
from mining.store.schema import entities, relations, runs
from mining.store.write_documents import store_documents
from mining.types import Document, Entity, Relation


class WordTagger(Component):
    """Tags every capitalised word as a Chemical; fails on a document that says "poison"."""

    kind = "tagger"
    assigns = (ENTITIES,)

    def __init__(self, source: str = "words@1"):
        self.source = source
        self.calls = 0

    @classmethod
    def from_pretrained(cls, path_or_id, *, device=None, dtype=None):
        return cls()

    def pipe(self, docs, batch_size=32):
        self.calls += 1
        for doc in docs:
            if "poison" in doc.text:
                raise RuntimeError("index out of range in self")
            found = [
                Entity(doc.id, m.start(), m.end(), m.group(), "Chemical", None, 0.9, self.source)
                for m in re.finditer(r"\b[A-Z]\w+", doc.text)
            ]
            doc.entities = [*doc.entities, *found]
            yield doc


class PairRelater(Component):
    """Relates the first two entities of a document."""

    kind = "relation classifier"
    requires = (ENTITIES,)
    assigns = (RELATIONS,)
    source = "pairs@1"

    @classmethod
    def from_pretrained(cls, path_or_id, *, device=None, dtype=None):
        return cls()

    def pipe(self, docs, batch_size=32):
        for doc in docs:
            if len(doc.entities) >= 2:
                a, b = doc.entities[:2]
                rel = Relation(
                    doc.id, a.text, b.text, "CID", 0.8, (a.start, b.end), self.source, a, b
                )
                doc.relations = [*doc.relations, rel]
            yield doc


DOCS = [
    Document("pmid:1", "Cisplatin and Haloperidol.", "Both were given."),
    Document("pmid:2", "Lithium poison case.", "Aspirin too."),  # fails in the tagger
    Document("pmid:3", "Warfarin with Heparin.", ""),
    Document("pmid:4", "Long " + "x" * 500, ""),  # over the size limit below
]


def count(engine, table, *where):
    with engine.connect() as c:
        return c.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def test_order_is_checked_naming_both_components():
    with pytest.raises(PipelineError) as error:
        Pipeline([PairRelater(), WordTagger()])
    message = str(error.value)
    assert "relation classifier pairs@1 requires entities" in message
    assert "tagger words@1 does, but comes after it" in message
    with pytest.raises(PipelineError, match="no component before it assigns$"):
        check_order([PairRelater()])
    with pytest.raises(PipelineError, match="twice"):
        Pipeline([WordTagger(), WordTagger()])
    Pipeline([WordTagger(), PairRelater()])  # the right order


def test_a_failing_document_is_recorded_skipped_and_the_rest_stored(engine):
    store_documents(engine, DOCS)
    tagger = WordTagger()
    pipeline = Pipeline([tagger, PairRelater()], max_chars=100)
    counts = run_pipeline(engine, pipeline, batch_size=10)
    assert counts.documents == 4
    failed = {f.doc_id: f for f in counts.failures}
    assert set(failed) == {"pmid:2", "pmid:4"}
    assert failed["pmid:2"].component == "words@1"
    assert "RuntimeError: index out of range" in failed["pmid:2"].error
    assert failed["pmid:4"].component == INPUT and "limit of 100" in failed["pmid:4"].error
    assert tagger.calls == 1 + 3  # the batch, then each of its three documents alone
    # The others are stored with their relations; the failed ones have no rows.
    assert count(engine, entities, entities.c.doc_id == "pmid:1") == 3  # Both, too
    assert count(engine, relations) == 2
    assert count(engine, entities, entities.c.doc_id.in_(["pmid:2", "pmid:4"])) == 0
    # Recorded, so a resumed run does not stop at them again; retried on request.
    assert pending(engine, pipeline) == 0
    assert dict(recorded_failures(engine, pipeline.sources))["pmid:2"].startswith("words@1: ")
    assert run_pipeline(engine, pipeline).documents == 0
    with engine.connect() as c:
        assert c.execute(select(runs.c.counts)).scalar_one()["failures"] == 2
    assert clear_failures(engine, pipeline.sources) == 2
    assert pending(engine, pipeline) == 2


class PickyTagger(WordTagger):
    """A newer tagger that fails on the document pmid:1 only."""

    def pipe(self, docs, batch_size=32):
        for doc in docs:
            if doc.id == "pmid:1":
                raise ValueError("cannot tag pmid:1")
        yield from super().pipe(docs, batch_size)


def test_a_failure_keeps_the_rows_an_earlier_run_stored(engine):
    store_documents(engine, [DOCS[0], DOCS[2]])
    run_pipeline(engine, Pipeline([WordTagger("words@1")]))
    old = count(engine, entities, entities.c.doc_id == "pmid:1")
    counts = run_pipeline(engine, Pipeline([PickyTagger("words@2")]))
    assert [f.doc_id for f in counts.failures] == ["pmid:1"]
    assert count(engine, entities, entities.c.doc_id == "pmid:1") == old > 0  # words@1's
    assert count(engine, entities, entities.c.source == "words@2") == 2  # pmid:3's


def test_a_component_failing_on_every_document_ends_the_run(engine):
    store_documents(engine, [DOCS[1], Document("pmid:9", "More poison.", "")])
    with pytest.raises(PipelineError, match="failed on every document"):
        run_pipeline(engine, Pipeline([WordTagger()]))
    assert pending(engine, Pipeline([WordTagger()])) == 2  # nothing marked


def test_nothing_pending_records_no_run(engine):
    pipeline = Pipeline([WordTagger()])
    assert run_pipeline(engine, pipeline).documents == 0
    assert count(engine, runs) == 0
