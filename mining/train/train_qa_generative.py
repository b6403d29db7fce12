"""Fine-tune a causal LM as a PubMedQA reader in BioGPT's format (``nlp.qa.answers``): the
loss covers the target sentence only, so the model learns to continue a source with the
right answer. Runs on the one training loop; any causal LM (BioGPT, Mamba, ...)."""

from __future__ import annotations

from collections.abc import Sequence

from mining.nlp.padding import pad_batch
from mining.nlp.qa.answers import target_text
from mining.nlp.qa.generative_reader import GenerativeQuestionReader
from mining.train.finetune import IGNORE, steps
from mining.train.loop import Fit, LoopConfig, Trainer


def reader_examples(
    reader: GenerativeQuestionReader, items: Sequence[tuple[str, str, str]]
) -> list[tuple[list[int], int]]:
    """``(ids, prompt_length)`` of each (question, context, label): source, target, EOS."""
    tok = reader.tokenizer
    out = []
    for question, context, label in items:
        prompt = reader.prompt_ids(question, context)
        target = tok(target_text(label), add_special_tokens=False)["input_ids"]
        out.append(([*prompt, *target, tok.eos_token_id], len(prompt)))
    return out


def train_generative_reader(
    reader: GenerativeQuestionReader, items: Sequence[tuple[str, str, str]], config: LoopConfig
) -> Fit:
    """Train ``reader.model`` in place on (question, context, label) items; the last
    weights are kept (no evaluation callback: the caller scores the reader)."""
    import torch

    trainer = Trainer(config)
    examples = reader_examples(reader, items)
    pad = reader.tokenizer.pad_token_id or 0

    def batches(rng):
        order = list(range(len(examples)))
        rng.shuffle(order)
        for i in range(0, len(order), config.batch_size):
            rows = [examples[r] for r in order[i : i + config.batch_size]]
            ids, mask = pad_batch([x for x, _ in rows], pad)
            labels = ids.clone()
            labels[mask == 0] = IGNORE
            for k, (_, prompt_length) in enumerate(rows):
                labels[k, :prompt_length] = IGNORE
            yield ids, mask, labels

    def loss(model, batch):
        ids, mask, labels = batch
        return model(input_ids=ids, attention_mask=mask, labels=labels).loss

    reader.model.train()
    with torch.enable_grad():
        fit = trainer.fit(
            reader.model,
            batches=batches,
            loss=loss,
            total_steps=steps(len(examples), config.batch_size, config.epochs),
        )
    reader.model.eval()
    return fit
