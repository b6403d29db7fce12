"""Fine-tune a BioGPT causal LM to write relations after the abstract (the BioGPT paper's
format, ``mining.nlp.biogpt.generative_relations``) and score what it generates.

    biomine train biogpt-re --task cdr \\
        --train ../shared/data/bc5cdr/pubtator/CDR_TrainingSet.PubTator.txt \\
        --base microsoft/biogpt --out runs/biogpt-cdr          # with network access and a GPU

Here, without a model hub, ``--base`` is a folder from ``biomine train build-biogpt`` (the real
BioGPT vocabulary, random weights): the loop train -> generate -> parse -> score is the same.
The loss covers the target tokens only, and the output projection is applied to those
positions alone (a 42k-word softmax over every abstract token would dominate a CPU step).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from mining.nlp.biogpt.generative_relations import GenerativeRelationExtractor, target_text
from mining.nlp.padding import pad_batch
from mining.nlp.relations.tasks import TASKS, RelationTask
from mining.train.finetune import steps
from mining.train.loop import LoopConfig, Trainer
from mining.train.metrics import Scores
from mining.train.re_data import load_task_documents
from mining.train.re_metrics import relation_keys, relation_scores
from mining.types import Document

log = logging.getLogger(__name__)


@dataclass(kw_only=True)
class BioGptReConfig(LoopConfig):
    """A generative relation run: every weight of the BioGPT causal LM ``base`` is trained;
    ``dev`` None scores the training documents (the overfit check); ``max_source``: the
    abstract's tokens kept in the prompt; ``command``: the command line recorded."""

    task: RelationTask | str
    train: str | Path
    out: str | Path
    base: str
    dev: str | Path | None = None
    train_split: str = "all"
    dev_split: str = "all"
    epochs: int = 10
    lr: float | None = 1e-4
    batch_size: int = 8
    max_source: int = 400
    limit_docs: int | None = None
    command: str | None = None
    log_every: int = 0


def evaluate_generative(
    extractor: GenerativeRelationExtractor, docs: list[Document]
) -> dict[str, Scores]:
    """The task's scores of generated relations, linked to the documents' gold entities."""
    task = extractor.task
    gold = relation_keys(task, [r for d in docs for r in d.relations])
    predicted = set()
    for doc in docs:
        predicted |= relation_keys(task, extractor.relations(doc, doc.entities))
    return relation_scores(gold, predicted, task.labels)


def generative_examples(
    extractor: GenerativeRelationExtractor, docs: list[Document]
) -> list[tuple[list[int], int]]:
    """``(ids, prompt_length)``: ``</s> text </s> target </s>`` per document."""
    tok, task = extractor.tokenizer, extractor.task
    out = []
    for doc in docs:
        prompt = extractor.prompt_ids(doc.text)
        target = tok(target_text(task, doc), add_special_tokens=False)["input_ids"]
        out.append(([*prompt, *target, tok.eos_token_id], len(prompt)))
    return out


def target_loss(model, ids, mask, prompt_lengths):
    """Cross-entropy of the target tokens (after each prompt), the projection applied to
    those positions only."""
    import torch

    hidden = model.biogpt(input_ids=ids, attention_mask=mask).last_hidden_state
    positions = torch.arange(ids.shape[1] - 1).unsqueeze(0)
    starts = torch.tensor(prompt_lengths).unsqueeze(1) - 1
    wanted = (positions >= starts) & (mask[:, 1:] == 1)
    logits = model.output_projection(hidden[:, :-1][wanted])
    return torch.nn.functional.cross_entropy(logits.float(), ids[:, 1:][wanted])


def train_biogpt_re(config: BioGptReConfig) -> dict:
    """Fine-tune every weight, write the model folder (``biomine_task`` in its config) with
    ``training_metrics.json``; score on ``dev`` (or on the training documents, the overfit
    check, when no dev set is given)."""
    from transformers import BioGptForCausalLM

    from mining.nlp.model_folder import load_fast_tokenizer, resolve_base

    cfg = config
    task = TASKS[cfg.task] if isinstance(cfg.task, str) else cfg.task
    trainer = Trainer(cfg)
    base_path = resolve_base(cfg.base)
    model = BioGptForCausalLM.from_pretrained(base_path)
    tokenizer = load_fast_tokenizer(base_path, model.config)
    extractor = GenerativeRelationExtractor(model, tokenizer, task, "train", cfg.max_source)
    docs = load_task_documents(task, cfg.train, cfg.train_split)[: cfg.limit_docs]
    examples = generative_examples(extractor, docs)
    log.info("%d documents, %s tokens", len(docs), f"{sum(len(x) for x, _ in examples):,}")

    def batches(rng):
        order = list(range(len(examples)))
        rng.shuffle(order)
        for i in range(0, len(order), cfg.batch_size):
            rows = order[i : i + cfg.batch_size]
            ids, mask = pad_batch([examples[r][0] for r in rows], tokenizer.pad_token_id)
            yield ids, mask, [examples[r][1] for r in rows]

    def loss(model, batch):
        return target_loss(model, *batch)

    total = steps(len(examples), cfg.batch_size, cfg.epochs)
    fit = trainer.fit(model, batches=batches, loss=loss, total_steps=total)
    model.eval()
    eval_docs = load_task_documents(task, cfg.dev, cfg.dev_split) if cfg.dev else docs
    scores = evaluate_generative(extractor, eval_docs[: cfg.limit_docs] if cfg.dev else eval_docs)
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    model.config.biomine_task = task.name
    model.config.biomine_version = "1.0"
    model.config.biomine_base = cfg.base
    model.config.biomine_max_source = cfg.max_source
    model.save_pretrained(str(out), safe_serialization=True)
    tokenizer.save_pretrained(str(out))
    metrics = {
        "task": task.name,
        "scored_on": "dev" if cfg.dev else "train (overfit check)",
        "scores": {k: s.as_dict() for k, s in scores.items()},
        "history": [{"epoch": h["epoch"], "loss": h["train_loss"]} for h in fit.history],
        "train_minutes": round(trainer.minutes(), 1),
        "config": {
            "base": cfg.base,
            "epochs": cfg.epochs,
            "lr": cfg.lr,
            "batch_size": cfg.batch_size,
            "max_source": cfg.max_source,
            "seed": cfg.seed,
            "train": str(cfg.train),
        },
        "command": cfg.command,
    }
    (out / "training_metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    f1 = scores["overall"].f1 * 100
    log.info("wrote %s: F1 %.2f on %s", out, f1, metrics["scored_on"])
    return metrics
