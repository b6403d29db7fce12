"""Open any reader folder or hub id as the reader its architecture is: a causal LM reads
BioGPT's PubMedQA format, anything else is a sequence classifier over question + abstract."""

from __future__ import annotations

from pathlib import Path

from mining.nlp.qa.reader import Reader


def open_reader(path_or_id: str | Path, *, device=None, dtype=None) -> Reader:
    from mining.nlp.model_loader import read_config
    from mining.nlp.qa.classifier_reader import QuestionReader
    from mining.nlp.qa.generative_reader import GenerativeQuestionReader

    config = read_config(path_or_id)
    architectures = getattr(config, "architectures", None) or []
    if any(a.endswith("ForCausalLM") for a in architectures):
        return GenerativeQuestionReader.from_pretrained(path_or_id, device=device, dtype=dtype)
    return QuestionReader.from_pretrained(path_or_id, device=device, dtype=dtype)
