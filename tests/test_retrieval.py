"""Retrieval over the store: score and rank fusion on hand-made rankings, and questions
finding their abstract by bm25, dense (the real MiniLM) and hybrid on both backends."""

from __future__ import annotations

import pytest

from mining.pipeline import Pipeline, run_pipeline
from mining.retrieval import RRF_K, Hit, bm25, convex, dense, dense_many, hybrid, min_max, rrf
from mining.store.write_documents import store_documents
from mining.types import Document

ABSTRACTS = {
    "pmid:1": "Tamoxifen is metabolised by CYP2D6; poor metabolisers have lower endoxifen "
    "levels and more breast cancer recurrences.",
    "pmid:2": "Low-dose aspirin taken daily lowered the rate of ischaemic stroke in older "
    "adults with atrial fibrillation.",
    "pmid:3": "Haloperidol given for psychosis caused tardive dyskinesia in a third of the "
    "patients followed for five years.",
    "pmid:4": "Statin therapy reduced LDL cholesterol and cardiovascular events in patients "
    "with diabetes.",
    "pmid:5": "Children vaccinated against measles had fewer hospital admissions for pneumonia.",
}
QUESTIONS = {
    "pmid:1": "Does CYP2D6 genotype affect tamoxifen outcomes in breast cancer?",
    "pmid:2": "Can aspirin prevent strokes in elderly people with atrial fibrillation?",
    "pmid:3": "Do antipsychotics lead to involuntary movement disorders?",
    "pmid:5": "Does the measles vaccine reduce pneumonia hospitalisations in kids?",
}


def test_rrf_sums_reciprocal_ranks():
    fused = rrf([["a", "b", "c"], ["c", "b", "d"]], k=4)
    # c (3rd and 1st) edges out b (2nd twice): 1/61 + 1/63 > 2/62.
    assert [h.doc_id for h in fused] == ["c", "b", "a", "d"]
    assert fused[0].score == pytest.approx(1 / (RRF_K + 3) + 1 / (RRF_K + 1))
    assert fused[1].score == pytest.approx(2 / (RRF_K + 2))
    assert fused[2].score == pytest.approx(1 / (RRF_K + 1))
    assert [h.doc_id for h in rrf([["x"], ["y"]], k=1)] == ["x"]  # a tie: by doc id
    assert rrf([], k=3) == []


def test_convex_combines_min_max_normalised_scores():
    lexical = [Hit("a", 12.0), Hit("b", 8.0), Hit("c", 2.0)]  # BM25: any scale
    semantic = [Hit("c", 0.9), Hit("d", 0.5), Hit("b", 0.4)]  # cosines
    assert min_max(lexical) == {"a": 1.0, "b": 0.6, "c": 0.0}
    fused = convex(lexical, semantic, k=4)
    # c: 0.5 * 0 + 0.5 * 1 = 0.5; a: 0.5; b: 0.5 * 0.6 + 0 = 0.3; d: 0.5 * 0.2 = 0.1.
    assert [h.doc_id for h in fused] == ["a", "c", "b", "d"]  # a tie: by doc id
    assert [round(h.score, 3) for h in fused] == [0.5, 0.5, 0.3, 0.1]
    # Unlike rank fusion, a far-ahead first hit keeps its lead over a near tie.
    assert convex(lexical, semantic, k=1, weight=0.9)[0].doc_id == "c"
    assert convex([], [Hit("x", 0.3)], k=2) == [Hit("x", 0.5)]  # a lone hit scores 1 there
    assert convex([], [], k=2) == []


@pytest.fixture(scope="module")
def minilm():
    from mining.nlp.embeddings import Embedder

    return Embedder.from_pretrained(device="cpu")


def test_each_question_finds_its_abstract_first(engine, minilm):
    store_documents(engine, [Document(i, "", text) for i, text in ABSTRACTS.items()])
    counts = run_pipeline(engine, Pipeline([minilm]), batch_size=2)
    assert counts.embeddings == 5
    for doc_id, question in QUESTIONS.items():
        assert dense(engine, minilm, question, k=3)[0].doc_id == doc_id, question
        assert hybrid(engine, minilm, question, k=3)[0].doc_id == doc_id, question
    assert [h[0].doc_id for h in dense_many(engine, minilm, list(QUESTIONS.values()), 1)] == list(
        QUESTIONS
    )
    # Lexical: ORed content words find the abstract; ANDed, no abstract holds them all.
    question = QUESTIONS["pmid:2"]
    assert bm25(engine, question, k=3)[0].doc_id == "pmid:2"
    assert bm25(engine, question, k=3, match="all") == []
    # Dense finds what shares no word with the question (antipsychotic / haloperidol).
    assert not any(h.doc_id == "pmid:3" for h in bm25(engine, QUESTIONS["pmid:3"], k=5))
