"""PubMedQA PQA-A-style instances: title questions, conclusion splits, and the corpora."""

from __future__ import annotations

from collections import Counter

import pytest

from mining.corpus.pubmed_xml import read_pubmed_xml
from mining.corpus.pubtator import read_pubtator
from mining.store.write_documents import store_documents
from mining.train.qa_artificial import (
    ArtificialInstance,
    artificial_instances,
    instances_from_database,
    split_conclusion,
    title_question,
)
from mining.types import Document

# --- titles -> questions -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "question"),
    [
        (
            "Naloxone reverses the antihypertensive effect of clonidine.",
            "Does naloxone reverse the antihypertensive effect of clonidine?",
        ),
        ("Ibuprofen inhibits Cl- secretion.", "Does ibuprofen inhibit Cl- secretion?"),
        ("Zinc drives a tertiary fold.", "Does zinc drive a tertiary fold?"),  # -es
        ("Amiodarone modifies the QT interval.", "Does amiodarone modify the QT interval?"),
        (
            "Combined antiretroviral therapy causes cardiomyopathy and elevates plasma lactate.",
            "Does combined antiretroviral therapy cause cardiomyopathy and elevate plasma lactate?",
        ),
        (
            "Statins reduce mortality in heart failure.",
            "Do statins reduce mortality in heart failure?",
        ),
        (
            "Minocycline markedly protects the neonatal brain.",
            "Does minocycline markedly protect the neonatal brain?",
        ),
    ],
)
def test_present_tense_verbs_take_does_or_do(title, question):
    assert title_question(title) == (question, "yes")


@pytest.mark.parametrize(
    ("title", "question"),
    [
        (
            "Aspirin reduced the risk of stroke in elderly patients.",
            "Did aspirin reduce the risk of stroke in elderly patients?",
        ),
        (
            "Dexamethasone increased the incidence of hyperglycemia.",
            "Did dexamethasone increase the incidence of hyperglycemia?",
        ),
        (
            "Cyclosporine controlled the disease in most patients.",
            "Did cyclosporine control the disease in most patients?",
        ),  # doubled consonant
        ("Early surgery resulted in fewer deaths.", "Did early surgery result in fewer deaths?"),
        (
            "Patients treated with cisplatin had higher rates of nephrotoxicity.",
            "Did patients treated with cisplatin have higher rates of nephrotoxicity?",
        ),
    ],
)
def test_past_tense_verbs_take_did(title, question):
    assert title_question(title) == (question, "yes")


@pytest.mark.parametrize(
    ("title", "question"),
    [
        (
            "Clonidine is associated with bradycardia in children.",
            "Is clonidine associated with bradycardia in children?",
        ),
        (
            "Mice lacking mPGES-1 are resistant to lithium-induced polyuria.",
            "Are mice lacking mPGES-1 resistant to lithium-induced polyuria?",
        ),
        (
            "Cisplatin nephrotoxicity was attenuated by amifostine.",
            "Was cisplatin nephrotoxicity attenuated by amifostine?",
        ),
        (
            "Anti-TNF therapy has been associated with lupus.",
            "Has anti-TNF therapy been associated with lupus?",
        ),
        (
            "Norepinephrine transporters have channel modes of conduction.",
            "Do norepinephrine transporters have channel modes of conduction?",
        ),
        (
            "Optical coherence tomography can measure axonal loss.",
            "Can optical coherence tomography measure axonal loss?",
        ),
        ("Amiodarone may cause pulmonary toxicity.", "Can amiodarone cause pulmonary toxicity?"),
    ],
)
def test_copulas_and_auxiliaries_move_to_the_front(title, question):
    assert title_question(title) == (question, "yes")


@pytest.mark.parametrize(
    ("title", "question"),
    [
        (
            "Lithium does not prevent the development of tardive dyskinesia.",
            "Does lithium prevent the development of tardive dyskinesia?",
        ),
        (
            "Sulfate transport is not impaired in Pendred syndrome.",
            "Is sulfate transport impaired in Pendred syndrome?",
        ),
        ("Sertraline isn't effective for depression.", "Is sertraline effective for depression?"),
        (
            "Common mutations in BRCA2 do not contribute to prostate cancer.",
            "Do common mutations in BRCA2 contribute to prostate cancer?",
        ),
        (
            "Ketamine fails to prevent postoperative delirium.",
            "Does ketamine prevent postoperative delirium?",
        ),
        (
            "Glutamate supplementation failed to protect against neurotoxicity.",
            "Did glutamate supplementation protect against neurotoxicity?",
        ),
        (
            "Cocaine has no effect on the QT interval.",
            "Does cocaine have any effect on the QT interval?",
        ),
        (
            "No association between statin use and cancer risk.",
            "Is there an association between statin use and cancer risk?",
        ),
        (
            "Lack of effect of caffeine on blood pressure.",
            "Is there an effect of caffeine on blood pressure?",
        ),
        (
            "Absence of correlation between X and apoptosis.",
            "Is there a correlation between X and apoptosis?",
        ),
    ],
)
def test_negated_titles_are_labelled_no(title, question):
    assert title_question(title) == (question, "no")


def test_question_titles_keep_their_text_without_a_label():
    assert title_question("Is the treatment of scabies hazardous?") == (
        "Is the treatment of scabies hazardous?",
        None,
    )
    # What follows the question goes; a wh-question is no yes/no question.
    assert title_question("Does aspirin acetylate proteins? A pilot study.") == (
        "Does aspirin acetylate proteins?",
        None,
    )
    assert title_question("LDL goals: how low do we go?") is None


def test_study_design_subtitles_are_dropped_and_other_subtitles_skip_the_title():
    assert title_question("Aspirin reduces stroke: a randomized controlled trial.") == (
        "Does aspirin reduce stroke?",
        "yes",
    )
    assert title_question("Asthma: steroids reduce exacerbations.") is None


@pytest.mark.parametrize(
    "title",
    [
        "Effects of aspirin on platelet aggregation in rats.",  # no finite verb
        "Serum levels of IL-6 in patients with sepsis.",  # "levels" is no verb
        "Age-related increases in blood pressure.",  # "increases" is a noun here
        "Neural correlates of ketamine induced psychosis.",
        "Drug induced liver injury in children.",  # a participle, not a past tense
        "Mortality increased in elderly patients.",  # finite or participle: unsure
        "In diabetic patients, metformin reduces mortality.",  # fronted phrase
        "Evidence that clonidine is a partial agonist.",  # the verb is in a clause
        "Phenylephrine but not ephedrine reduces oxygenation.",  # the label would lie
        "Thalidomide has limited single-agent activity.",  # "has limited": adjective?
        "EZETIMIBE INCREASES HEPATIC IRON LEVELS.",  # which capitals to keep?
    ],
)
def test_unconvertible_titles_give_none(title):
    assert title_question(title) is None


def test_the_subject_keeps_the_capitals_of_abbreviations_and_names():
    assert title_question("DNA damage induces apoptosis.")[0] == "Does DNA damage induce apoptosis?"
    assert title_question("HIV-1 infects macrophages.")[0] == "Does HIV-1 infect macrophages?"
    question, _ = title_question("Parkinson's disease is associated with depression.")
    assert question == "Is Parkinson's disease associated with depression?"
    assert title_question("Alzheimer disease is common.")[0] == "Is Alzheimer disease common?"
    # A name the abstract capitalises mid-sentence keeps its capital too.
    abstract = (
        "We gave Paeoniflorin to cells. Paeoniflorin protected them from Paeoniflorin-free media."
    )
    assert (
        title_question("Paeoniflorin protects cells.", abstract)[0]
        == "Does Paeoniflorin protect cells?"
    )
    assert title_question("Paeoniflorin protects cells.")[0] == "Does paeoniflorin protect cells?"


# --- abstracts -> contexts and conclusion -------------------------------------------------


def _structured_doc() -> Document:
    """A document as the PubMed XML reader writes a structured abstract."""
    sections = [("BACKGROUND", "BACKGROUND", "Clonidine lowers blood pressure.")]
    sections += [("METHODS", "METHODS", "Rats got naloxone."), ("RESULTS", "RESULTS", "It rose.")]
    sections += [("CONCLUSIONS", "CONCLUSIONS", "Naloxone reverses clonidine.")]
    sections += [("TRIAL REGISTRATION", "UNASSIGNED", "NCT000001.")]
    parts, meta, start = [], [], 0
    for label, category, text in sections:
        rendered = f"{label}: {text}"
        meta.append(
            {"label": label, "category": category, "start": start, "end": start + len(rendered)}
        )
        parts.append(rendered)
        start += len(rendered) + 1
    return Document("pmid:1", "Naloxone reverses clonidine.", " ".join(parts), {"sections": meta})


def test_a_conclusion_section_of_the_xml_reader_is_the_long_answer():
    contexts, conclusion, how = split_conclusion(_structured_doc())
    assert how == "structured"
    assert contexts == ["Clonidine lowers blood pressure.", "Rats got naloxone.", "It rose."]
    assert conclusion == "Naloxone reverses clonidine."  # the registration after it goes


def test_inline_labels_of_flat_formats_split_the_same_way():
    abstract = (
        "OBJECTIVE: To test naloxone. METHODS: Rats got it. RESULTS: Pressure rose. "
        "CONCLUSIONS: Naloxone reverses clonidine. It acts centrally."
    )
    contexts, conclusion, how = split_conclusion(Document("pmid:2", "T", abstract))
    assert how == "structured"
    assert contexts == ["To test naloxone.", "Rats got it.", "Pressure rose."]
    assert conclusion == "Naloxone reverses clonidine. It acts centrally."


def test_a_cue_sentence_among_the_last_two_starts_the_conclusion():
    abstract = (
        "Clonidine lowers blood pressure. We gave naloxone to rats. Pressure rose. "
        "These results suggest that naloxone reverses clonidine. Further work is needed."
    )
    contexts, conclusion, how = split_conclusion(Document("pmid:3", "T", abstract))
    assert how == "cue"
    assert contexts == [
        "Clonidine lowers blood pressure.",
        "We gave naloxone to rats.",
        "Pressure rose.",
    ]
    assert (
        conclusion
        == "These results suggest that naloxone reverses clonidine. Further work is needed."
    )


def test_no_conclusion_or_no_context_gives_none():
    early_cue = "In conclusion, it works. We gave naloxone. Pressure rose. Rats slept."
    assert split_conclusion(Document("pmid:4", "T", early_cue)) is None  # not among the last two
    assert split_conclusion(Document("pmid:5", "T", "In conclusion, it works.")) is None
    assert split_conclusion(Document("pmid:6", "T", "")) is None
    only_conclusion = "CONCLUSIONS: Naloxone reverses clonidine."
    assert split_conclusion(Document("pmid:7", "T", only_conclusion)) is None


# --- instances ---------------------------------------------------------------------------


def _cue_doc(doc_id: str, title: str) -> Document:
    abstract = "Rats got naloxone after clonidine. Pressure rose. In conclusion, naloxone works."
    return Document(doc_id, title, abstract)


def test_instances_combine_question_and_conclusion_and_skip_excluded_documents():
    docs = [
        _structured_doc(),
        _cue_doc("pmid:8", "Lithium does not prevent tardive dyskinesia."),
        _cue_doc("pmid:9", "Is lithium safe in pregnancy?"),
        _cue_doc("pmid:10", "Effects of lithium on the kidney."),  # no question
        Document("pmid:11", "Lithium protects neurons.", "No conclusion here. None at all."),
    ]
    instances = list(artificial_instances(docs, exclude_ids={"pmid:9"}))
    assert [(i.doc_id, i.label, i.how) for i in instances] == [
        ("pmid:1", "yes", "structured"),
        ("pmid:8", "no", "cue"),
    ]
    assert instances[1] == ArtificialInstance(
        "pmid:8",
        "Does lithium prevent tardive dyskinesia?",
        ["Rats got naloxone after clonidine.", "Pressure rose."],
        "In conclusion, naloxone works.",
        "no",
        "cue",
    )
    assert [i.doc_id for i in artificial_instances(docs)][2] == "pmid:9"  # label None


def test_instances_from_the_database_read_every_page(db_url):
    docs = [_cue_doc(f"pmid:{n}", f"Drug {n} reduces pain.") for n in range(11, 16)]
    docs.append(_structured_doc())  # its sections ride in the stored meta
    from mining.store.database import open_database

    engine = open_database(db_url)
    try:
        store_documents(engine, docs)
        from_engine = list(instances_from_database(engine, {"pmid:12"}, batch_size=2))
    finally:
        engine.dispose()
    assert [i.doc_id for i in from_engine] == ["pmid:11", "pmid:13", "pmid:14", "pmid:15", "pmid:1"]
    assert from_engine[-1].how == "structured"
    assert len(list(instances_from_database(db_url, batch_size=4))) == 6


# --- the real corpora --------------------------------------------------------------------


def _well_formed(instance: ArtificialInstance) -> None:
    assert instance.question.endswith("?") and instance.question[0].isupper()
    assert instance.long_answer.strip() and instance.contexts
    assert all(c.strip() for c in instance.contexts)
    assert instance.long_answer not in " ".join(instance.contexts)
    assert instance.label in ("yes", "no", None)


def test_real_corpora_give_well_formed_instances(shared_data):
    bc5cdr = shared_data / "bc5cdr/pubtator/CDR_TrainingSet.PubTator.txt"
    instances = list(artificial_instances(read_pubtator(bc5cdr)))
    kinds = Counter((i.how, i.label) for i in instances)
    # Measured: 27 of the 500 training abstracts (16 cue yes, 8 structured yes, 2 question
    # titles, 1 no); most BC5CDR titles are noun phrases ("Effects of X on Y").
    assert len(instances) >= 20
    assert kinds["cue", "yes"] >= 10 and kinds["structured", "yes"] >= 5
    assert sum(n for (_, label), n in kinds.items() if label == "no") >= 1
    for instance in instances:
        _well_formed(instance)

    sample = shared_data / "pubmed_xml/pubmedsample18n0001.xml.gz"
    docs = [d for d in read_pubmed_xml(sample) if isinstance(d, Document)]
    splits = [s for d in docs if (s := split_conclusion(d)) is not None]
    # 17 of the 18 abstracts with a CONCLUSIONS section have a section before it.
    assert sum(how == "structured" for *_, how in splits) >= 15
    for contexts, conclusion, _ in splits:
        assert contexts and conclusion and conclusion not in " ".join(contexts)
        assert not conclusion.startswith("CONCLUSION")  # the label is no part of the answer
    for instance in artificial_instances(docs):
        _well_formed(instance)
