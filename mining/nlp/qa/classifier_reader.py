"""A sequence classifier over (question, abstract) as a PubMedQA reader: yes / no / maybe.

Any sequence-classification folder or hub id whose labels are yes, no and maybe opens (a full
fine-tune, a LoRA adapter or a base delta; BioMine's default is MiniLM fine-tuned on PubMedQA,
``models/qa-pubmedqa``). Pairs are encoded by ``encoding.encode_pair`` (the long abstract's
middle sentences dropped first), in length-sorted batches.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from mining.errors import ModelError
from mining.nlp.qa.answers import LABELS
from mining.nlp.qa.encoding import EncodedPair, encode_pair
from mining.nlp.qa.reader import Passage, Reader

DEFAULT_MAX_TOKENS = 256


def label_order(config, name: str) -> list[int]:
    """The model's output column of each of ``LABELS``; a ``ModelError`` naming the folder when
    its labels are not yes, no and maybe."""
    labels = {str(v).lower(): int(k) for k, v in (config.id2label or {}).items()}
    if set(labels) != set(LABELS):
        raise ModelError(name, f"a question reader's labels are {LABELS}, not {sorted(labels)}")
    return [labels[x] for x in LABELS]


def pair_batch(pairs: Sequence[EncodedPair], pad_id: int, with_types: bool) -> dict:
    """Right-padded ``input_ids``, ``attention_mask`` (and ``token_type_ids``) tensors."""
    import torch

    width = max(len(p.ids) for p in pairs)
    ids = torch.full((len(pairs), width), pad_id, dtype=torch.long)
    mask = torch.zeros_like(ids)
    types = torch.zeros_like(ids)
    for i, p in enumerate(pairs):
        ids[i, : len(p.ids)] = torch.tensor(p.ids)
        mask[i, : len(p.ids)] = 1
        types[i, : len(p.ids)] = torch.tensor(p.type_ids)
    batch = {"input_ids": ids, "attention_mask": mask}
    if with_types:
        batch["token_type_ids"] = types
    return batch


class QuestionReader(Reader):
    kind = "question reader"

    def __init__(
        self, model, tokenizer, name: str, max_tokens: int | None = None, batch_size: int = 16
    ):
        from mining.nlp.model_loader import source_name

        self.model, self.tokenizer = model, tokenizer
        self.columns = label_order(model.config, name)
        self.max_tokens = (
            max_tokens or getattr(model.config, "biomine_max_tokens", None) or DEFAULT_MAX_TOKENS
        )
        self.batch_size = batch_size
        self.with_types = "token_type_ids" in tokenizer.model_input_names
        self.source = source_name(name, model.config)

    @classmethod
    def from_pretrained(cls, path_or_id: str | Path, *, device=None, dtype=None) -> QuestionReader:
        from mining.nlp.model_loader import load_model

        model, tokenizer, _ = load_model(
            path_or_id,
            "AutoModelForSequenceClassification",
            "question reader",
            device=device or "auto",
            dtype=dtype,
        )
        return cls(model, tokenizer, str(path_or_id))

    def encode(self, question: str, passage: Passage) -> EncodedPair:
        return encode_pair(self.tokenizer, question, passage, self.max_tokens)

    def read(self, question: str, passages: Sequence[Passage]) -> np.ndarray:
        return self.read_pairs([self.encode(question, p) for p in passages])

    def read_pairs(self, pairs: Sequence[EncodedPair]) -> np.ndarray:
        """Probabilities of encoded pairs, in their order; batches of similar lengths."""
        import torch

        out = np.zeros((len(pairs), len(LABELS)), dtype=np.float32)
        order = sorted(range(len(pairs)), key=lambda i: len(pairs[i].ids))
        device = next(self.model.parameters()).device
        pad = self.tokenizer.pad_token_id or 0
        for at in range(0, len(order), self.batch_size):
            rows = order[at : at + self.batch_size]
            batch = pair_batch([pairs[i] for i in rows], pad, self.with_types)
            with torch.inference_mode():
                logits = self.model(**{k: v.to(device) for k, v in batch.items()}).logits
            probs = torch.softmax(logits.float(), dim=-1)[:, self.columns].cpu().numpy()
            out[rows] = probs
        return out
