"""The read API (mining.store.queries) on both databases, over a store built from code."""

from __future__ import annotations

import pytest

from mining.store.processed import write_results
from mining.store.queries import (
    RelationCursor,
    concept_documents,
    concept_page,
    document_view,
    list_runs,
    pair_evidence,
    relation_pairs,
    store_sources,
    suggest_concepts,
)
from mining.store.runs import finish_run, start_run
from mining.store.write_documents import store_documents
from mining.types import Document, Entity, Relation

MODEL = "re-model@1"
NER = "ner-model@1"
CHEMICALS = [("lithium", "D008094"), ("haloperidol", "D006220"), ("cisplatin", "D002945")]
DISEASES = [("polyuria", "D011141"), ("dyskinesia", "D004409"), ("nephrotoxicity", "D007674")]


def _doc(i: int) -> tuple[Document, list[Entity], list[Relation]]:
    """Document i: one chemical, one disease, a sentence relating them (model) and, for
    even i, a document-level gold relation."""
    chem, chem_id = CHEMICALS[i % 3]
    dis, dis_id = DISEASES[(i // 3) % 3]
    title = f"Study {i}"
    abstract = f"Background here. {chem.capitalize()} caused {dis} in rats. Done."
    doc = Document(f"pmid:{100 + i}", title, abstract, meta={"year": 2000 + i % 5, "journal": "J"})
    text = doc.text
    sentence_start = text.index(chem.capitalize())
    sentence_end = text.index(" Done.")
    head = Entity(
        doc.id,
        sentence_start,
        sentence_start + len(chem),
        chem.capitalize(),
        "Chemical",
        chem_id,
        0.9,
        NER,
    )
    t0 = text.index(dis, sentence_start)
    tail = Entity(doc.id, t0, t0 + len(dis), dis, "Disease", dis_id, 0.8, NER)
    rel = Relation(
        doc.id,
        chem_id,
        dis_id,
        "CID",
        0.5 + (i % 4) / 10,
        (sentence_start, sentence_end),
        MODEL,
        head,
        tail,
    )
    if i % 2 == 0:
        doc.entities = [
            Entity(doc.id, head.start, head.end, head.text, "Chemical", chem_id),
            Entity(doc.id, tail.start, tail.end, tail.text, "Disease", dis_id),
        ]
        doc.relations = [Relation(doc.id, chem_id, dis_id, "CID")]
    return doc, [head, tail], [rel]


@pytest.fixture
def store(engine):
    built = [_doc(i) for i in range(18)]
    store_documents(engine, [doc for doc, _, _ in built])
    run_id = start_run(engine, "pipeline", MODEL, {"batch_size": 4})
    write_results(
        engine,
        [doc.id for doc, _, _ in built],
        {NER: [e for _, ents, _ in built for e in ents]},
        {MODEL: [r for _, _, rels in built for r in rels]},
        run_id,
    )
    finish_run(engine, run_id, {"documents": 18})
    # A text-keyed pair (no dictionary concept) in one more document.
    doc = Document("pmid:900", "Zorbamycin and frobnitis", "", meta={"year": 1999})
    store_documents(engine, [doc])
    head = Entity(doc.id, 0, 10, "Zorbamycin", "Chemical", None, 0.7, NER)
    tail = Entity(doc.id, 15, 24, "frobnitis", "Disease", None, 0.7, NER)
    rel = Relation(
        doc.id,
        "text:Chemical:zorbamycin",
        "text:Disease:frobniti",
        "CID",
        0.6,
        (0, 24),
        MODEL,
        head,
        tail,
    )
    write_results(engine, [doc.id], {NER: [head, tail]}, {MODEL: [rel]})
    return engine


def test_pairs_are_aggregated_and_ranked(store):
    page = relation_pairs(store, limit=100)
    assert page.next is None
    top = page.rows[0]
    # 18 documents over 9 (chemical, disease) pairs: 2 each, plus the text pair's 1.
    assert len(page.rows) == 10
    assert all(row.abstracts == 2 for row in page.rows[:9]) and page.rows[9].abstracts == 1
    keys = [(r.head, r.tail, r.label) for r in page.rows[:9]]
    assert keys == sorted(keys)  # ties broken by key
    assert top.head_type == "Chemical" and top.tail_type == "Disease"
    lithium = next(r for r in page.rows if r.head == "D008094" and r.tail == "D011141")
    # docs 0 and 9 (i % 3 == 0 and (i // 3) % 3 == 0): gold + model rows for doc 0.
    assert (lithium.abstracts, lithium.mentions) == (2, 3)
    assert lithium.head_name == "lithium" or lithium.head_name == "Lithium"
    assert lithium.first_year == 2000 and lithium.last_year == 2004
    assert lithium.best_score == pytest.approx(1.0)
    assert lithium.mean_score == pytest.approx((1.0 + 0.5 + 0.6) / 3)
    text_pair = page.rows[9]
    assert (text_pair.head_name, text_pair.head_type) == ("Zorbamycin", "Chemical")
    assert text_pair.tail_type == "Disease"


def test_filters(store):
    only_model = relation_pairs(store, sources=[MODEL], limit=100).rows
    assert sum(r.mentions for r in only_model) == 19
    gold = relation_pairs(store, sources=["gold"], limit=100).rows
    assert sum(r.mentions for r in gold) == 9
    lithium = relation_pairs(store, concept="D008094", limit=100).rows
    assert {r.tail for r in lithium} == {"D011141", "D004409", "D007674"}
    assert relation_pairs(store, labels=["NOPE"]).rows == []
    assert relation_pairs(store, head_types=["Disease"]).rows == []
    assert len(relation_pairs(store, tail_types=["Disease"], limit=100).rows) == 10
    strong = relation_pairs(store, min_score=0.85, sources=[MODEL], limit=100).rows
    assert strong == []
    old = relation_pairs(store, years=(None, 1999), limit=100).rows
    assert [r.head for r in old] == ["text:Chemical:zorbamycin"]
    assert len(relation_pairs(store, years=(2001, 2001), limit=100).rows) > 0


@pytest.mark.parametrize("size", [1, 3, 4])
def test_keyset_pages_lose_and_repeat_nothing(store, size):
    everything = relation_pairs(store, limit=1000).rows
    paged, after = [], None
    for _ in range(100):
        page = relation_pairs(store, limit=size, after=after)
        paged += page.rows
        after = page.next
        if after is None:
            break
    assert paged == everything
    assert isinstance(relation_pairs(store, limit=1).next, RelationCursor)


def test_pair_evidence_has_highlightable_spans(store):
    found = pair_evidence(store, "D008094", "D011141", "CID")
    assert len(found) == 3
    with_text = [e for e in found if e.sentence]
    assert len(with_text) == 2
    for e in with_text:
        assert e.sentence.text == "Lithium caused polyuria in rats."
        assert e.head.text == "Lithium" and e.tail.text == "polyuria"
        assert e.title.startswith("Study") and e.journal == "J"
        assert e.sentence.start <= e.head.start < e.tail.end <= e.sentence.end
    assert [e.year for e in found] == sorted((e.year for e in found), reverse=True)
    assert len(pair_evidence(store, "D008094", "D011141", "CID", source="gold")) == 1
    assert pair_evidence(store, "D011141", "D008094", "CID") == []


def test_concept_page(store):
    page = concept_page(store, "D008094")
    assert page.label == "Chemical" and page.name.lower() == "lithium"
    assert page.documents == 6
    assert {n.text for n in page.names} == {"Lithium"}
    assert page.mentions == 6 + 3  # model mentions in 6 docs, gold in the even ones
    related = page.related["CID"]
    assert {r.concept for r in related} == {"D011141", "D004409", "D007674"}
    assert all(r.role == "tail" and r.type == "Disease" and r.abstracts == 2 for r in related)
    disease = concept_page(store, "D011141")
    assert {r.role for r in disease.related["CID"]} == {"head"}
    text = concept_page(store, "text:Chemical:zorbamycin")
    assert (text.name, text.label, text.documents, text.mentions) == (
        "Zorbamycin",
        "Chemical",
        1,
        1,
    )
    assert concept_page(store, "D000000") is None


def test_concept_documents_pages(store):
    everything = concept_documents(store, "D008094", limit=100)
    assert len(everything.rows) == 6 and everything.next is None
    years = [d.year for d in everything.rows]
    assert years == sorted(years, reverse=True)
    paged, after = [], None
    while True:
        page = concept_documents(store, "D008094", limit=4, after=after)
        paged += page.rows
        if page.next is None:
            break
        after = page.next
    assert paged == everything.rows


def test_document_view(store):
    view = document_view(store, "pmid:100")
    assert view.year == 2000 and view.journal == "J"
    assert [(e.start, e.end) for e in view.entities] == sorted(
        (e.start, e.end) for e in view.entities
    )
    assert len(view.entities) == 4 and len(view.relations) == 2
    model = next(r for r in view.relations if r.source == MODEL)
    assert view.text[model.evidence.start : model.evidence.end] == model.evidence.text
    by_id = {e.id: e for e in view.entities}
    assert by_id[model.head_entity_id].text == "Lithium"
    gold_only = document_view(store, "pmid:100", sources=["gold"])
    assert {e.source for e in gold_only.entities} == {"gold"} and len(gold_only.relations) == 1
    assert document_view(store, "pmid:nope") is None


def test_runs_and_sources(store):
    runs = list_runs(store)
    assert runs[0].kind == "pipeline" and runs[0].status == "done"
    assert runs[0].counts == {"documents": 18} and runs[0].config["batch_size"] == 4
    assert list_runs(store, kind="nothing") == []
    assert store_sources(store) == sorted(["gold", MODEL, NER])


def test_suggest_concepts(store):
    assert [s.concept_id for s in suggest_concepts(store, "LITH")] == ["D008094"]
    assert [s.concept_id for s in suggest_concepts(store, "d00")][:3] == [
        "D002945",
        "D004409",
        "D006220",
    ]  # mention counts tie: by id
    top = suggest_concepts(store, "d0", limit=2)
    assert len(top) == 2 and top[0].mentions >= top[1].mentions
    assert suggest_concepts(store, "%") == [] and suggest_concepts(store, "  ") == []
    assert suggest_concepts(store, "poly")[0].name == "polyuria"
