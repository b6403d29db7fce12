"""Several taggers as one: merged entities per document, and the shipped Gene tagger."""

from __future__ import annotations

import pytest

from mining.nlp.entity_merge import merge_entities
from mining.nlp.tagger_set import TaggerSet
from mining.types import Document, Entity


def entity(start, end, label, score=0.9, text="x"):
    return Entity("d", start, end, text, label, None, score, "test")


def test_merge_keeps_one_per_span_and_type_and_sorts():
    merged = merge_entities(
        [
            entity(10, 17, "Gene", 0.6),
            entity(0, 7, "Chemical", 0.8),
            entity(10, 17, "Gene", 0.7),  # the same span and type again: keep the better
            entity(10, 17, "Chemical", 0.5),  # the same span as another type: both stay
        ]
    )
    assert [(e.start, e.end, e.label, e.score) for e in merged] == [
        (0, 7, "Chemical", 0.8),
        (10, 17, "Chemical", 0.5),
        (10, 17, "Gene", 0.7),
    ]


class FixedTagger:
    """Tags every occurrence of its words, the way a real tagger's pipe reports them."""

    def __init__(self, words: dict[str, str]):
        self.words = words
        self.types = set(words.values())
        self.source = "fixed"
        self.batches: list[int] = []

    def predict_entities(self, docs, batch_size=32, docs_per_chunk=64):
        docs = list(docs)
        self.batches.append(len(docs))
        for doc in docs:
            found = []
            for word, label in self.words.items():
                start = doc.text.find(word)
                if start >= 0:
                    found.append(Entity(doc.id, start, start + len(word), word, label))
            yield found


def test_pipe_merges_per_document_in_order():
    chem = FixedTagger({"cisplatin": "Chemical"})
    gene = FixedTagger({"BRCA1": "Gene", "cisplatin": "Chemical"})
    docs = [
        Document(f"d{i}", t)
        for i, t in enumerate(["BRCA1 and cisplatin.", "Nothing.", "cisplatin"])
    ]
    out = list(TaggerSet([chem, gene]).predict_entities(docs, docs_per_chunk=2))
    assert [[(e.text, e.label) for e in ents] for ents in out] == [
        [("BRCA1", "Gene"), ("cisplatin", "Chemical")],
        [],
        [("cisplatin", "Chemical")],
    ]
    assert chem.batches == [2, 1]  # documents go through in chunks, never all at once
    assert TaggerSet([chem, gene]).types == {"Chemical", "Gene"}


def test_empty_set_is_refused():
    with pytest.raises(ValueError):
        TaggerSet([])


@pytest.fixture(scope="module")
def shipped():
    return TaggerSet.from_pretrained(device="cpu")


def test_shipped_taggers_find_genes_chemicals_and_diseases(shipped):
    text = (
        "Mutations in BRCA1 and BRCA2 raise the risk of breast cancer. "
        "Tamoxifen lowered the expression of the estrogen receptor and of cyclin D1."
    )
    found = {(e.text, e.label) for e in shipped.tag(Document("t", text))}
    assert {("BRCA1", "Gene"), ("BRCA2", "Gene"), ("Tamoxifen", "Chemical")} <= found
    assert ("breast cancer", "Disease") in found
    assert any(label == "Gene" and "cyclin D1" in t for t, label in found)
    assert shipped.types == {"Chemical", "Disease", "Gene"}
