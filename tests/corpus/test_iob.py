"""IOB2 / CoNLL token files: sentences, entities from tags, and the real corpora's counts."""

from __future__ import annotations

import io
from collections import Counter

import pytest

from mining.corpus.iob import IobSentence, read_iob, read_iob_sentences, tag_entities
from mining.types import Entity
from tests.corpus.helpers import Errors, offsets_hold

SENTENCES = (
    "Selegiline\tB-Chemical\n-\tO\ninduced\tO\npostural\tB-Disease\nhypotension\tI-Disease\n\n"
    "-DOCSTART-\tO\n\n"
    "Naloxone\tB-Chemical\nworks\tO\n"
)


def test_sentences_keep_tokens_tags_and_start_lines():
    sentences = list(read_iob_sentences(io.StringIO(SENTENCES), name="t.tsv"))
    assert sentences == [
        IobSentence(
            ["Selegiline", "-", "induced", "postural", "hypotension"],
            ["B-Chemical", "O", "O", "B-Disease", "I-Disease"],
            1,
        ),
        IobSentence(["Naloxone", "works"], ["B-Chemical", "O"], 9),
    ]


def test_documents_per_sentence_with_entities():
    docs = list(read_iob(io.StringIO(SENTENCES), name="data/train.tsv"))
    assert [d.id for d in docs] == ["train:1", "train:2"]
    assert docs[0].title == "Selegiline - induced postural hypotension" and docs[0].abstract == ""
    assert docs[0].entities == [
        Entity("train:1", 0, 10, "Selegiline", "Chemical"),
        Entity("train:1", 21, 41, "postural hypotension", "Disease"),
    ]
    assert offsets_hold(docs)


def test_broken_bio_starts_a_new_entity():
    tokens = ["a", "b", "c", "d", "e"]
    tags = ["I-Gene", "I-Gene", "I-Chem", "O", "I-Chem"]
    assert [(e.text, e.label) for e in tag_entities("x", tokens, tags)] == [
        ("a b", "Gene"),
        ("c", "Chem"),
        ("e", "Chem"),
    ]


def test_bad_lines_and_tags_are_reported():
    errors = Errors()
    text = "word\tB-X\nlonely\nother\tweird\nlast\tI-X\n"
    (sentence,) = read_iob_sentences(io.StringIO(text), on_error=errors)
    assert sentence.tokens == ["word", "other", "last"]
    assert sentence.tags == ["B-X", "O", "I-X"]
    assert errors.lines == [2, 3]


def test_empty_input_is_one_error():
    errors = Errors()
    assert list(read_iob(io.BytesIO(b"\n\n"), on_error=errors, name="e.tsv")) == []
    assert len(errors) == 1 and "e.tsv" in str(errors[0])


# The real corpora: counts from their MANIFEST.md.


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("path", "sentences", "tokens", "mentions"),
    [
        ("bc5cdr/conll_iob/train.tsv", 4560, 118170, {"Chemical": 5203, "Disease": 4182}),
        ("bc5cdr/conll_iob/devel.tsv", 4581, 117453, {"Chemical": 5347, "Disease": 4246}),
        ("bc2gm/train.tsv", 12574, 355405, {"GENE": 15197}),
        ("bc2gm/devel.tsv", 2519, 71042, {"GENE": 3061}),
        ("ncbi_disease/conll/train.tsv", 5432, 136086, {"Disease": 5145}),
        ("ncbi_disease/conll/devel.tsv", 923, 23969, {"Disease": 787}),
    ],
)
def test_real_corpus_counts(shared_data, path, sentences, tokens, mentions):
    errors = Errors()
    raw = list(read_iob_sentences(shared_data / path, on_error=errors))
    assert not errors
    assert len(raw) == sentences and sum(len(s.tokens) for s in raw) == tokens
    b_tags = Counter(t[2:] for s in raw for t in s.tags if t.startswith("B-"))
    assert b_tags == mentions
    docs = list(read_iob(shared_data / path))
    assert Counter(e.label for d in docs for e in d.entities) == mentions  # no broken BIO
    assert offsets_hold(docs)
