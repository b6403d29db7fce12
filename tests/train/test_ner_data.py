"""Character-aligned training labels on the tagger's own sentence windows."""

from __future__ import annotations

import random

from mining.nlp.labels import bio_labels
from mining.train.ner_data import ENTITY_TYPES, length_batches, token_labels, training_examples
from mining.types import Document, Entity


def test_token_labels_align_on_characters():
    # "Cisplatin-induced nephrotoxicity": cis ##platin - induced nephro ##toxicity
    offsets = [(0, 3), (3, 9), (9, 10), (10, 17), (18, 24), (24, 32)]
    labels = token_labels(offsets, [(0, 9, "Chemical"), (18, 32, "Disease")])
    assert labels == ["B-Chemical", "I-Chemical", "O", "O", "B-Disease", "I-Disease"]
    # a mention ending inside a subword still covers it (the only choice a tagger has)
    assert token_labels(offsets, [(18, 26, "Disease")])[4:] == ["B-Disease", "I-Disease"]


class FakeTokenizer:
    """Whitespace 'subwords' with BERT-like special tokens and offsets."""

    cls_token_id, sep_token_id = 1, 2

    def __call__(self, text, add_special_tokens=True, return_offsets_mapping=False):
        import re

        spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
        ids = [10 + i for i in range(len(spans))]
        if add_special_tokens:
            ids = [1, *ids, 2]

        class Enc(dict):
            def word_ids(self):
                return list(range(len(spans)))

        return Enc(input_ids=ids, offset_mapping=spans)


def test_training_examples_follow_sentences_and_windows():
    title = "Lithium toxicity"
    abstract = "A newborn had lithium toxicity and renal failure after lithium exposure."
    doc = Document("pmid:1", title, abstract)
    text = doc.text
    for form, label in (("lithium", "Chemical"), ("renal failure", "Disease")):
        s = text.index(form, len(title))
        doc.entities.append(Entity(doc.id, s, s + len(form), form, label))
    doc.entities.append(Entity(doc.id, 0, 7, "Lithium", "Chemical"))
    l2i = {x: i for i, x in enumerate(bio_labels(ENTITY_TYPES))}
    ex = training_examples([doc], FakeTokenizer(), l2i, max_tokens=8)
    # title window + abstract sentence (11 words) cut into overlapping 6-token windows
    assert ex[0]["input_ids"] == [1, 10, 11, 2]
    assert ex[0]["labels"] == [-100, l2i["B-Chemical"], l2i["O"], -100]
    assert len(ex) == 1 + 3
    assert all(len(x["input_ids"]) <= 8 and x["input_ids"][0] == 1 for x in ex)
    third = ex[1]["labels"][1:-1]
    assert third[3] == l2i["B-Chemical"]  # "lithium" is the 4th word of the sentence


def test_length_batches_cover_all_once():
    lengths = [random.Random(i).randint(3, 60) for i in range(103)]
    batches = length_batches(lengths, 8, random.Random(0), pool=4)
    flat = sorted(i for b in batches for i in b)
    assert flat == list(range(103))
    assert all(len(b) <= 8 for b in batches)
