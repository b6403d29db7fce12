"""The PubMedQA generative reader: scoring the three continuations learns.

Small BioGPT and Mamba causal LMs with the real BioGPT vocabulary (random weights) are
overfit on three real PubMedQA questions (one of each answer); afterwards the reader must give
each its own answer, and a saved folder must reopen through the one loader and answer the
same. A real ``microsoft/BioGPT-Large-PubMedQA`` opens through the same path."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mining.nlp.qa.answers import LABELS, source_text, target_text
from mining.nlp.qa.generative_reader import GenerativeQuestionReader
from mining.train.build_biogpt import build_biogpt
from mining.train.loop import LoopConfig
from mining.train.train_qa_generative import train_generative_reader
from mining.types import Document


def three_questions(shared_data) -> list[tuple[str, str, str]]:
    data = json.loads((shared_data / "pubmedqa/pqal_trainval.json").read_text())
    picked: dict[str, list] = {label: [] for label in LABELS}
    for item in data.values():
        label = item["final_decision"]
        if not picked[label]:
            picked[label].append((item["QUESTION"], " ".join(item["CONTEXTS"]), label))
    return [x for label in LABELS for x in picked[label]]


def mamba_folder(shared_data, out):
    from transformers import MambaConfig, MambaForCausalLM

    from mining.nlp.biogpt.tokenizer import BioGptTokenizerFast

    tok = BioGptTokenizerFast.from_fairseq(shared_data / "biogpt_vocab/base")
    config = MambaConfig(
        vocab_size=len(tok),
        hidden_size=64,
        state_size=8,
        num_hidden_layers=2,
        pad_token_id=tok.pad_token_id,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
    )
    MambaForCausalLM(config).save_pretrained(out)
    tok.save_pretrained(out)
    return out


# Epochs to memorise three answers at lr 1e-2 (measured: BioGPT 100 -> loss 0.016, Mamba 60).
@pytest.mark.parametrize(("architecture", "epochs"), [("biogpt", 100), ("mamba", 60)])
def test_scoring_the_three_continuations_learns(architecture, epochs, shared_data, tmp_path):
    vocab = shared_data / "biogpt_vocab/base"
    if architecture == "biogpt":
        folder = build_biogpt(vocab, tmp_path / "base", hidden=64, layers=2, heads=2)
    else:
        folder = mamba_folder(shared_data, tmp_path / "base")
    reader = GenerativeQuestionReader.from_pretrained(folder, device="cpu")
    reader.max_source = 24  # short sources: the test trains in seconds
    items = three_questions(shared_data)
    assert reader.model.config.model_type == architecture
    probs = reader.probabilities(items[0][0], items[0][1])
    assert probs.shape == (3,) and abs(probs.sum() - 1) < 1e-5

    config = LoopConfig(epochs=epochs, lr=1e-2, batch_size=3, log_every=0)
    fit = train_generative_reader(reader, items, config)
    assert fit.history[-1]["train_loss"] < fit.history[0]["train_loss"] / 10
    answers = [LABELS[int(reader.probabilities(q, c).argmax())] for q, c, _ in items]
    assert answers == [label for _, _, label in items]

    reader.model.config.biomine_max_source = 24
    reader.model.save_pretrained(tmp_path / "reader")
    reader.tokenizer.save_pretrained(tmp_path / "reader")
    again = GenerativeQuestionReader.from_pretrained(tmp_path / "reader", device="cpu")
    q, c, label = items[2]
    np.testing.assert_allclose(again.probabilities(q, c), reader.probabilities(q, c), atol=1e-4)
    doc = Document("pmid:1", "", c, meta={"question": q})
    (read,) = again.pipe([doc])
    answer = read.meta["answer"]
    assert answer.label == label and answer.source == "reader"
    assert set(answer.probs) == set(LABELS) and answer.evidence is not None


def test_the_format_is_biogpts():
    assert source_text(" Do statins help? ", "They did.") == (
        "question: Do statins help? context: They did. "
    )
    assert target_text("maybe") == "the answer to the question given the context is maybe."
    with pytest.raises(ValueError):
        target_text("perhaps")
