"""A causal LM as a PubMedQA reader: the answer is the continuation it finds most likely.

Any causal LM folder or hub id opens (``microsoft/BioGPT-Large-PubMedQA``, a fine-tuned
``microsoft/biogpt``, a ``MambaForCausalLM`` ...), through the one model loader. For each
(question, abstract) the three targets of ``answers.target_text`` are scored after the source
in one batch; their summed log-probabilities, softmaxed over the three, are the answer's
probabilities. BioGPT models read ``</s> source </s> target`` as in BioMine's generative
relations (BioGPT's own start token); other models ``source target`` after their BOS token.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from mining.nlp.qa.answers import LABELS, source_text, target_text
from mining.nlp.qa.reader import Passage, Reader


class GenerativeQuestionReader(Reader):
    kind = "generative question reader"

    def __init__(self, model, tokenizer, name: str, max_source: int | None = None):
        from mining.nlp.model_loader import source_name

        self.model, self.tokenizer = model, tokenizer
        positions = getattr(model.config, "max_position_embeddings", None) or 1024
        self.max_source = (
            max_source or getattr(model.config, "biomine_max_source", None) or (positions - 32)
        )
        self.source = source_name(name, model.config)
        biogpt = model.config.model_type == "biogpt"
        eos, bos = tokenizer.eos_token_id, tokenizer.bos_token_id
        self.prefix = [eos] if biogpt else ([bos] if bos is not None else [])
        self.separator = [eos] if biogpt else []
        self.targets = [
            tokenizer(target_text(x), add_special_tokens=False)["input_ids"] for x in LABELS
        ]

    @classmethod
    def from_pretrained(
        cls, path_or_id: str | Path, *, device=None, dtype=None
    ) -> GenerativeQuestionReader:
        from mining.nlp.model_loader import load_model

        model, tokenizer, _ = load_model(
            path_or_id, "AutoModelForCausalLM", "causal LM", device=device or "auto", dtype=dtype
        )
        return cls(model, tokenizer, str(path_or_id))

    def prompt_ids(self, question: str, context: str) -> list[int]:
        """The source's ids, the context cut (from its end) to ``max_source`` tokens in all."""
        ids = self.tokenizer(source_text(question, context), add_special_tokens=False)["input_ids"]
        return [*self.prefix, *ids[: self.max_source], *self.separator]

    def probabilities(self, question: str, context: str) -> np.ndarray:
        """P(yes), P(no), P(maybe) of one (question, context)."""
        import torch

        prompt = self.prompt_ids(question, context)
        rows = [prompt + t for t in self.targets]
        width = max(len(r) for r in rows)
        pad = self.tokenizer.pad_token_id or 0
        ids = torch.full((len(rows), width), pad, dtype=torch.long)
        mask = torch.zeros_like(ids)
        for i, r in enumerate(rows):
            ids[i, : len(r)], mask[i, : len(r)] = torch.tensor(r), 1
        device = next(self.model.parameters()).device
        with torch.inference_mode():
            logits = self.model(input_ids=ids.to(device), attention_mask=mask.to(device)).logits
            logp = torch.log_softmax(logits.float(), dim=-1).cpu()
        totals = []
        for i, target in enumerate(self.targets):
            start = len(prompt)  # the target's first token is predicted at start - 1
            positions = torch.arange(start - 1, start - 1 + len(target))
            totals.append(float(logp[i, positions, torch.tensor(target)].sum()))
        scores = np.array(totals)
        return np.exp(scores - scores.max()) / np.exp(scores - scores.max()).sum()

    def read(self, question: str, passages: Sequence[Passage]) -> np.ndarray:
        return np.stack([self.probabilities(question, " ".join(p)) for p in passages])
