"""Fine-tune a BioGPT causal LM to write relations after the abstract (the BioGPT paper's
format, ``mining.nlp.biogpt.generative_relations``) and score what it generates.

    python -m mining.train.train_biogpt_re --task cdr \\
        --train ../shared/data/bc5cdr/pubtator/CDR_TrainingSet.PubTator.txt \\
        --base microsoft/biogpt --out runs/biogpt-cdr          # with network access and a GPU

Here, without a model hub, ``--base`` is a folder from ``mining.train.build_biogpt`` (the real
BioGPT vocabulary, random weights): the loop train -> generate -> parse -> score is the same.
The loss covers the target tokens only, and the output projection is applied to those
positions alone (a 42k-word softmax over every abstract token would dominate a CPU step).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

from mining.nlp.biogpt.generative_relations import GenerativeRelationExtractor, target_text
from mining.nlp.padding import pad_batch
from mining.nlp.relations.tasks import TASKS, RelationTask
from mining.train.finetune import optimiser, steps
from mining.train.metrics import Scores
from mining.train.re_data import load_task_documents
from mining.train.re_metrics import relation_keys, relation_scores
from mining.types import Document


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


def train_biogpt_re(
    task: RelationTask,
    train_path: str | Path,
    base: str,
    out_dir: str | Path,
    *,
    dev_path: str | Path | None = None,
    train_split: str = "all",
    dev_split: str = "all",
    epochs: int = 10,
    lr: float = 1e-4,
    batch_size: int = 8,
    max_source: int = 400,
    seed: int = 13,
    threads: int = 2,
    limit_docs: int | None = None,
    command: str | None = None,
    log=print,
) -> dict:
    """Fine-tune every weight, write the model folder (``biomine_task`` in its config) with
    ``training_metrics.json``; score on ``dev_path`` (or on the training documents, the
    overfit check, when no dev set is given)."""
    import torch
    from transformers import BioGptForCausalLM

    from mining.nlp.model_folder import load_fast_tokenizer, resolve_base

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    rng = random.Random(seed)
    t0 = time.time()
    base_path = resolve_base(base)
    model = BioGptForCausalLM.from_pretrained(base_path)
    tokenizer = load_fast_tokenizer(base_path, model.config)
    extractor = GenerativeRelationExtractor(model, tokenizer, task, "train", max_source)
    docs = load_task_documents(task, train_path, train_split)[:limit_docs]
    examples = generative_examples(extractor, docs)
    log(f"{len(docs)} documents, {sum(len(x) for x, _ in examples):,} tokens")
    opt, sched = optimiser(model, lr, steps(len(examples), batch_size, epochs))
    history = []
    for epoch in range(1, epochs + 1):
        model.train()
        order = list(range(len(examples)))
        rng.shuffle(order)
        loss_sum = 0.0
        batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
        for rows in batches:
            ids, mask = pad_batch([examples[i][0] for i in rows], tokenizer.pad_token_id)
            loss = target_loss(model, ids, mask, [examples[i][1] for i in rows])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            loss_sum += loss.item()
        history.append({"epoch": epoch, "loss": round(loss_sum / len(batches), 4)})
        log(f"epoch {epoch} loss {loss_sum / len(batches):.4f} {time.time() - t0:.0f}s")
    model.eval()
    eval_docs = load_task_documents(task, dev_path, dev_split) if dev_path else docs
    scores = evaluate_generative(extractor, eval_docs[:limit_docs] if dev_path else eval_docs)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model.config.biomine_task = task.name
    model.config.biomine_version = "1.0"
    model.config.biomine_base = base
    model.config.biomine_max_source = max_source
    model.save_pretrained(str(out), safe_serialization=True)
    tokenizer.save_pretrained(str(out))
    metrics = {
        "task": task.name,
        "scored_on": "dev" if dev_path else "train (overfit check)",
        "scores": {k: s.as_dict() for k, s in scores.items()},
        "history": history,
        "train_minutes": round((time.time() - t0) / 60, 1),
        "config": {
            "base": base,
            "epochs": epochs,
            "lr": lr,
            "batch_size": batch_size,
            "max_source": max_source,
            "seed": seed,
            "train": str(train_path),
        },
        "command": command,
    }
    (out / "training_metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    log(f"wrote {out}: F1 {scores['overall'].f1 * 100:.2f} on {metrics['scored_on']}")
    return metrics


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--task", required=True, choices=sorted(TASKS))
    ap.add_argument("--train", required=True)
    ap.add_argument("--dev")
    ap.add_argument("--train-split", default="all")
    ap.add_argument("--dev-split", default="all")
    ap.add_argument("--base", required=True, help="BioGPT folder or hub id (microsoft/biogpt)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--max-source", type=int, default=400)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--limit-docs", type=int)
    a = ap.parse_args(argv)
    cmd = "python -m mining.train.train_biogpt_re " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    train_biogpt_re(
        TASKS[a.task],
        a.train,
        a.base,
        a.out,
        dev_path=a.dev,
        train_split=a.train_split,
        dev_split=a.dev_split,
        epochs=a.epochs,
        lr=a.lr,
        batch_size=a.batch_size,
        max_source=a.max_source,
        seed=a.seed,
        threads=a.threads,
        limit_docs=a.limit_docs,
        command=cmd,
        log=lambda m: print(m, flush=True),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
