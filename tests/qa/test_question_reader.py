"""The sequence-classification PubMedQA reader: encoding, training on the one loop, evidence,
cross-validation, and the folder it writes."""

from __future__ import annotations

import json

import pytest

from mining.corpus.pubmedqa import read_pubmedqa
from mining.errors import InputError, ModelError
from mining.nlp.qa.answers import LABELS
from mining.nlp.qa.classifier_reader import QuestionReader
from mining.nlp.qa.encoding import encode_pair, fit_sentences
from mining.nlp.qa.open_reader import open_reader
from mining.train.eval_qa import evaluate_reader
from mining.train.qa_data import FREE, REQUIRED, record_examples, stratified_folds
from mining.train.train_qa import QaConfig, ReaderTraining, cross_validate, train_qa
from mining.types import Document
from tests.nlp.tiny_models import tiny_classifier
from tests.qa.synthetic import CUES, tiny_base, write_synthetic


def test_long_contexts_lose_middle_sentences_first():
    sentences = [[1, 1], [2, 2, 2], [3, 3], [4, 4]]
    assert fit_sentences(sentences, 9) == [1, 1, 2, 2, 2, 3, 3, 4, 4]
    assert fit_sentences(sentences, 6) == [1, 1, 3, 3, 4, 4]  # the second goes first
    assert fit_sentences(sentences, 4) == [1, 1, 4, 4]
    assert fit_sentences(sentences, 3) == [1, 4, 4]  # first + last still too long: cut the start


def test_pairs_carry_the_question_then_the_context(tmp_path):
    from mining.nlp.model_folder import load_fast_tokenizer

    tok = load_fast_tokenizer(str(tiny_base(tmp_path / "base")))
    pair = encode_pair(tok, "does the drug help ?", ["results : outcome improved ."], 64)
    words = tok.convert_ids_to_tokens(pair.ids)
    assert words[0] == "[CLS]" and words[-1] == "[SEP]" and words.count("[SEP]") == 2
    assert words[1:6] == ["does", "the", "drug", "help", "?"]
    assert pair.type_ids == [0] * 7 + [1] * (len(pair.ids) - 7)
    short = encode_pair(tok, "does the drug help ?", ["the trial enrolled adults ."] * 20, 24)
    # 24 - 5 question - 3 special = 16 context tokens: three whole 5-token sentences fit.
    assert len(short.ids) == 23 and short.ids[-2] == tok.convert_tokens_to_ids(".")


def test_folds_are_disjoint_stratified_and_reproducible(tmp_path):
    records = read_pubmedqa(write_synthetic(tmp_path, n_per_label=10))
    folds = stratified_folds(records, 5, seed=3)
    ids = [r.pmid for fold in folds for r in fold]
    assert sorted(ids) == sorted(r.pmid for r in records)  # each record once
    for fold in folds:
        assert sorted(r.decision for r in fold) == ["maybe", "maybe", "no", "no", "yes", "yes"]
    again = stratified_folds(records, 5, seed=3)
    assert [[r.pmid for r in f] for f in again] == [[r.pmid for r in f] for f in folds]
    assert stratified_folds(records, 5, seed=4) != folds
    with pytest.raises(ValueError):
        stratified_folds(records, 1)


def test_reasoning_free_examples_add_the_conclusion(tmp_path):
    (record, *_) = read_pubmedqa(write_synthetic(tmp_path))
    required, free = record_examples(record, (REQUIRED, FREE))
    assert required.sentences == ("the trial enrolled adults .", "results : " + CUES["yes"])
    assert free.sentences == (*required.sentences, "we conclude it helps .")
    assert required.label == free.label == "yes"


def test_bad_pubmedqa_files_are_named(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"1": {"QUESTION": "q?", "CONTEXTS": ["c"], "final_decision": "perhaps"}}')
    with pytest.raises(InputError, match="bad.json.*PMID 1"):
        read_pubmedqa(bad)
    (tmp_path / "trunc.json").write_text('{"1": {"QUES')
    with pytest.raises(InputError, match="trunc.json"):
        read_pubmedqa(tmp_path / "trunc.json")


def test_training_learns_the_answers_and_the_reader_finds_the_evidence(tmp_path):
    """A full fine-tune of the tiny base on the one loop: before, the answers are chance;
    after, every answer is right (the cue is in the results) and the evidence sentence is the
    results sentence, not the background one."""
    data = write_synthetic(tmp_path)
    cfg = QaConfig(
        train=data, base=str(tiny_base(tmp_path / "base")), lora_r=0, lr=3e-3, epochs=100,
        batch_size=6, max_tokens=64, log_every=0,
    )  # fmt: skip
    records = read_pubmedqa(data)
    training = ReaderTraining(cfg)
    before = evaluate_reader(training.reader(), records)["accuracy"]
    examples = [x for r in records for x in record_examples(r, (REQUIRED, FREE))]
    history = training.fit(examples, cfg.epochs)["history"]
    assert history[-1]["train_loss"] < history[0]["train_loss"] / 5
    scores = evaluate_reader(training.reader(), records)
    assert before < 60 and scores["accuracy"] == 100.0 and scores["macro_f1"] == 100.0
    assert scores["reasoning_free"]["accuracy"] == 100.0

    text = "The trial enrolled adults. Results: the outcome was not improved."
    doc = Document("pmid:7", "", text, {})
    (answer,) = training.reader().answers("does the drug help patients ?", [doc])
    assert answer.label == "no" and set(answer.probs) == set(LABELS)
    assert abs(sum(answer.probs.values()) - 1) < 1e-3
    start, end = answer.evidence
    assert doc.text[start:end] == "Results: the outcome was not improved."


def test_cross_validation_predicts_each_question_once_and_the_folder_reopens(tmp_path):
    data = write_synthetic(tmp_path)
    cfg = QaConfig(
        train=data, base=str(tiny_base(tmp_path / "base")), lora_r=4, epochs=2, batch_size=6,
        max_tokens=64, log_every=0, out=tmp_path / "reader",
    )  # fmt: skip
    seen: list[dict] = []
    result = cross_validate(cfg, 3, on_fold=seen.append)
    assert result["n"] == 18 and result["reasoning_free"]["n"] == 18
    assert [row["fold"] for row in seen] == [1, 2, 3] and sum(r["n"] for r in seen) == 18
    assert sum(result["confusion"][g][p] for g in LABELS for p in LABELS) == 18
    assert result["config"]["lr"] == 1e-3  # the LoRA default, recorded

    metrics = train_qa(cfg, result)
    saved = json.loads((tmp_path / "reader" / "training_metrics.json").read_text())
    card = (tmp_path / "reader" / "README.md").read_text()
    assert f"| {result['accuracy']:.2f} | {result['macro_f1']:.2f} |" in card
    assert "3-fold stratified cross-validation over the 18 labelled questions" in card
    assert saved["cross_validation"]["n"] == 18 and metrics["phases"]["labelled"]["examples"] == 36
    reader = open_reader(tmp_path / "reader", device="cpu")
    assert isinstance(reader, QuestionReader) and reader.source == "reader@1.0"
    assert reader.max_tokens == 64
    assert evaluate_reader(reader, read_pubmedqa(data))["n"] == 18


def test_a_classifier_without_yes_no_maybe_is_refused(tmp_path):
    folder = tiny_classifier(tmp_path / "re", ["none", "CPR:3"])
    with pytest.raises(ModelError, match="re.*yes"):
        QuestionReader.from_pretrained(folder, device="cpu")


def test_the_minilm_reader_fits_real_questions(shared_data):
    """The shipped recipe's model and loop on the real MiniLM can fit real PubMedQA questions
    (their conclusions given): what keeps it from generalising is not the plumbing."""
    records = read_pubmedqa(shared_data / "pubmedqa/pqal_trainval.json")[:24]
    cfg = QaConfig(train="unused", max_tokens=96, epochs=8, log_every=0)
    training = ReaderTraining(cfg)
    examples = [record_examples(r, (FREE,))[0] for r in records]
    history = training.fit(examples, cfg.epochs)["history"]
    assert history[-1]["train_loss"] < 0.5 * history[0]["train_loss"]
    assert training.reader().answers(records[0].question, []) == []  # no documents
    scores = evaluate_reader(training.reader(), records)
    assert scores["reasoning_free"]["accuracy"] >= 90
