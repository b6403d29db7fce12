"""A relation head that reads the encoder at the two entity markers, not at [CLS].

Zhou & Chen (2022, "An Improved Baseline for Sentence-level Relation Extraction") classify the
concatenated hidden states of the head's and the tail's opening markers; on MiniLM, a sentence
embedding model whose [CLS] was never trained for classification, a [CLS] head barely moved off
the label prior in a full ChemProt epoch. Folders of this head are ordinary transformers
folders (``config.json`` with ``biomine_head: "entity_markers"``, tokenizer files) holding
either a LoRA adapter over a base encoder or full weights (``model.safetensors``).
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn
from transformers.modeling_outputs import SequenceClassifierOutput

WEIGHTS = "model.safetensors"


class EntityPairClassifier(nn.Module):
    """``encoder`` (any transformers base model) + a two-layer head on
    ``[h(head marker); h(tail marker)]``; ``forward`` takes ``entity_positions`` (batch x 2)."""

    def __init__(self, encoder, config, dropout: float = 0.1):
        super().__init__()
        self.encoder, self.config = encoder, config
        hidden = config.hidden_size
        self.classifier = nn.Sequential(
            nn.Linear(2 * hidden, hidden), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden, config.num_labels),
        )  # fmt: skip
        self.dropout = nn.Dropout(dropout)

    def forward(self, input_ids, attention_mask, entity_positions, labels=None):
        states = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        rows = torch.arange(states.shape[0], device=states.device)
        pair = torch.cat(
            [states[rows, entity_positions[:, 0]], states[rows, entity_positions[:, 1]]], dim=-1
        )
        logits = self.classifier(self.dropout(pair))
        loss = nn.functional.cross_entropy(logits, labels) if labels is not None else None
        return SequenceClassifierOutput(loss=loss, logits=logits)

    @classmethod
    def from_pretrained(cls, src: str | Path, config) -> EntityPairClassifier:
        """A folder with full weights of this head; else ``src`` is a base encoder (folder
        or hub id) and the head starts fresh (a LoRA adapter then brings the trained one)."""
        from transformers import AutoModel

        weights = Path(src) / WEIGHTS
        if weights.is_file():
            from safetensors.torch import load_file

            state = load_file(str(weights))
            if any(k.startswith("classifier.") for k in state):
                model = cls(AutoModel.from_config(config), config)
                result = model.load_state_dict({k: v.float() for k, v in state.items()}, False)
                # The head never reads a pooler, so a folder may leave it out.
                missing = [k for k in result.missing_keys if ".pooler." not in k]
                if missing or result.unexpected_keys:
                    names = (missing + result.unexpected_keys)[:3]
                    raise ValueError(f"{WEIGHTS} does not fit the model: {names}")
                return model
        return cls(AutoModel.from_pretrained(src), config)

    def save_pretrained(self, out: str | Path, **_) -> None:
        """Full weights in fp16 and the config (``save_model_folder``'s full fine-tune)."""
        from safetensors.torch import save_file

        state = {k: v.detach().half().contiguous() for k, v in self.state_dict().items()}
        save_file(state, str(Path(out) / WEIGHTS))
        self.config.save_pretrained(str(out))
