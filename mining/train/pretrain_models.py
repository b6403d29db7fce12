"""The two pretraining objectives as modules around one BERT encoder (``BertModel``), the part
``biomine pretrain`` writes out as the base of the taggers and classifiers.

- ``MaskedLM``: the encoder and a prediction head tied to its input embeddings; the loss is
  cross-entropy on the masked tokens (``masking.mlm_inputs``).
- ``Electra`` (Clark et al. 2020, "ELECTRA: Pre-training Text Encoders as Discriminators
  Rather Than Generators"): a small masked-LM generator proposes replacements for the masked
  tokens, sampled from its output; the encoder, as discriminator, tells every real token
  original or replaced. Loss = generator MLM loss + ``rtd_weight`` (50 in the paper) x
  replaced-token-detection loss. Generator and discriminator share the token embeddings;
  a generator narrower than the discriminator reads them through a projection, as
  ELECTRA's does when its embedding size differs from its hidden size.

The vocabulary-wide prediction layer runs only on the masked positions (15%), not on every
token: the same loss for a fraction of the largest matrix product.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from mining.train.masking import (
    IGNORE,
    Vocabulary,
    generator_inputs,
    mlm_inputs,
    sample_tokens,
)


@dataclass
class Output:
    """A batch's loss, and the sums held-out evaluation adds up: masked-LM loss (summed over
    the masked tokens), correct predictions and masked tokens; replaced-token detection
    correct decisions, tokens judged, and replaced tokens found / present."""

    loss: torch.Tensor
    mlm_loss_sum: float = 0.0
    mlm_correct: int = 0
    masked: int = 0
    rtd_correct: int = 0
    judged: int = 0
    replaced_found: int = 0
    replaced: int = 0


class LMHead(nn.Module):
    """BERT's masked-LM head: dense (``in_size`` -> embedding size), GELU, LayerNorm, then
    the transposed token embeddings (shared, not copied) plus a bias."""

    def __init__(self, in_size: int, embeddings: nn.Embedding, eps: float = 1e-12):
        super().__init__()
        size = embeddings.embedding_dim
        self.dense = nn.Linear(in_size, size)
        self.norm = nn.LayerNorm(size, eps=eps)
        self.embeddings = embeddings
        self.bias = nn.Parameter(torch.zeros(embeddings.num_embeddings))

    def forward(self, hidden):
        h = self.norm(nn.functional.gelu(self.dense(hidden)))
        return h @ self.embeddings.weight.t() + self.bias


def _masked_lm(out: Output, logits, targets) -> torch.Tensor:
    """The mean cross-entropy of ``logits`` against ``targets`` (the masked tokens only),
    with its sums noted in ``out``."""
    logits = logits.float()
    loss_sum = nn.functional.cross_entropy(logits, targets, reduction="sum")
    n = targets.numel()
    out.mlm_loss_sum = loss_sum.item()
    out.mlm_correct = int((logits.argmax(-1) == targets).sum())
    out.masked = n
    return loss_sum / max(1, n)


class MaskedLM(nn.Module):
    def __init__(self, encoder, vocab: Vocabulary, mask_prob: float = 0.15):
        super().__init__()
        self.encoder, self.vocab, self.mask_prob = encoder, vocab, mask_prob
        cfg = encoder.config
        self.head = LMHead(cfg.hidden_size, encoder.embeddings.word_embeddings, cfg.layer_norm_eps)

    def forward(self, ids, attention, generator=None) -> Output:
        inputs, labels = mlm_inputs(ids, attention, self.vocab, self.mask_prob, generator)
        hidden = self.encoder(input_ids=inputs, attention_mask=attention).last_hidden_state
        where = labels != IGNORE
        out = Output(loss=torch.zeros((), device=ids.device))
        out.loss = _masked_lm(out, self.head(hidden[where]), labels[where])
        return out


class Generator(nn.Module):
    """ELECTRA's generator: a narrow BERT over the shared token embeddings (projected to its
    width when narrower) with a masked-LM head back onto them. Its own ``BertModel`` gets
    ``inputs_embeds``, so its word embedding table is a 1-row stub."""

    def __init__(self, embeddings: nn.Embedding, config):
        super().__init__()
        from transformers import BertModel

        size = embeddings.embedding_dim
        self.embeddings = embeddings
        self.project = nn.Linear(size, config.hidden_size) if config.hidden_size != size else None
        self.bert = BertModel(config, add_pooling_layer=False)
        self.head = LMHead(config.hidden_size, embeddings, config.layer_norm_eps)

    def forward(self, inputs, attention):
        x = self.embeddings(inputs)
        if self.project is not None:
            x = self.project(x)
        return self.bert(inputs_embeds=x, attention_mask=attention).last_hidden_state


class Electra(nn.Module):
    def __init__(
        self,
        encoder,
        generator_config,
        vocab: Vocabulary,
        mask_prob: float = 0.15,
        rtd_weight: float = 50.0,
    ):
        super().__init__()
        self.encoder, self.vocab = encoder, vocab
        self.mask_prob, self.rtd_weight = mask_prob, rtd_weight
        size = encoder.config.hidden_size
        self.generator = Generator(encoder.embeddings.word_embeddings, generator_config)
        # ELECTRA's discriminator head: dense, GELU, one logit per token.
        self.rtd_dense = nn.Linear(size, size)
        self.rtd_out = nn.Linear(size, 1)

    def forward(self, ids, attention, generator=None) -> Output:
        gen_inputs, chosen = generator_inputs(ids, attention, self.vocab, self.mask_prob, generator)
        hidden = self.generator(gen_inputs, attention)
        out = Output(loss=torch.zeros((), device=ids.device))
        logits = self.generator.head(hidden[chosen])
        mlm_loss = _masked_lm(out, logits, ids[chosen])
        replaced_ids = ids.clone()
        replaced_ids[chosen] = sample_tokens(logits, generator)
        # A sample that is the original token counts as original (as in ELECTRA).
        is_replaced = (replaced_ids != ids).float()
        disc = self.encoder(input_ids=replaced_ids, attention_mask=attention).last_hidden_state
        scores = self.rtd_out(nn.functional.gelu(self.rtd_dense(disc))).squeeze(-1).float()
        real = attention.bool()
        rtd_loss = nn.functional.binary_cross_entropy_with_logits(scores[real], is_replaced[real])
        out.loss = mlm_loss + self.rtd_weight * rtd_loss
        with torch.no_grad():
            said = scores[real] > 0
            truth = is_replaced[real].bool()
            out.rtd_correct = int((said == truth).sum())
            out.judged = int(real.sum())
            out.replaced_found = int((said & truth).sum())
            out.replaced = int(truth.sum())
        return out


def generator_config(encoder_config, hidden: int | None = None, layers: int | None = None):
    """The generator's BERT config: ``hidden`` (default a quarter of the discriminator's)
    with heads of the discriminator's head width, ``layers`` (default the discriminator's),
    4x hidden feed-forward; positions and types as the discriminator's."""
    from transformers import BertConfig

    head_width = encoder_config.hidden_size // encoder_config.num_attention_heads
    hidden = hidden or max(head_width, encoder_config.hidden_size // 4)
    heads = max(1, hidden // head_width)
    hidden = heads * head_width if hidden % heads else hidden
    return BertConfig(
        vocab_size=1,  # a stub: the generator reads the shared embeddings (``inputs_embeds``)
        pad_token_id=0,
        hidden_size=hidden,
        num_hidden_layers=layers or encoder_config.num_hidden_layers,
        num_attention_heads=heads,
        intermediate_size=4 * hidden,
        max_position_embeddings=encoder_config.max_position_embeddings,
        type_vocab_size=encoder_config.type_vocab_size,
        hidden_dropout_prob=encoder_config.hidden_dropout_prob,
        attention_probs_dropout_prob=encoder_config.attention_probs_dropout_prob,
        layer_norm_eps=encoder_config.layer_norm_eps,
        attn_implementation=getattr(encoder_config, "_attn_implementation", None) or "sdpa",
    )
