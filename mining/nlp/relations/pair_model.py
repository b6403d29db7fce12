"""A relation head that reads the encoder at the two entity markers, not at [CLS].

Zhou & Chen (2022, "An Improved Baseline for Sentence-level Relation Extraction") classify the
concatenated hidden states of the head's and the tail's opening markers; on MiniLM, a sentence
embedding model whose [CLS] was never trained for classification, a [CLS] head barely moved off
the label prior in a full ChemProt epoch. Folders of this head (``biomine_head:
"entity_markers"``) open and save as ``mining.nlp.own_head`` says.
"""

from __future__ import annotations

import torch
from torch import nn
from transformers.modeling_outputs import SequenceClassifierOutput

from mining.nlp.own_head import OwnHead


class EntityPairClassifier(OwnHead):
    """``encoder`` (any transformers base model) + a two-layer head on
    ``[h(head marker); h(tail marker)]``; ``forward`` takes ``entity_positions`` (pairs x 2)
    and, when a row holds several pairs (``mining.nlp.relations.span_marking``), ``pair_rows``
    (the row of each pair; default one pair a row)."""

    def __init__(self, encoder, config, dropout: float = 0.1):
        super().__init__(encoder, config)
        hidden = config.hidden_size
        self.classifier = nn.Sequential(
            nn.Linear(2 * hidden, hidden), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden, config.num_labels),
        )  # fmt: skip
        self.dropout = nn.Dropout(dropout)

    def forward(self, input_ids, attention_mask, entity_positions, labels=None, pair_rows=None):
        states = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        rows = pair_rows
        if rows is None:
            rows = torch.arange(states.shape[0], device=states.device)
        pair = torch.cat(
            [states[rows, entity_positions[:, 0]], states[rows, entity_positions[:, 1]]], dim=-1
        )
        logits = self.classifier(self.dropout(pair))
        loss = nn.functional.cross_entropy(logits, labels) if labels is not None else None
        return SequenceClassifierOutput(loss=loss, logits=logits)
