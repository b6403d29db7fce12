"""The one training loop of BioMine's NER, relation and generative BioGPT relation training.

A task brings what is its own (its batches, the loss of a batch, its evaluation); the loop
owns the rest: threads and seeds, AdamW with a linear schedule (``finetune.optimiser``),
gradient clipping, the weight average (``finetune.WeightAverage``, scored beside the last
weights and kept only when it scores higher), the time budget, the choice of the best
evaluated epoch and progress logging.

    trainer = Trainer(config)            # threads and seeds first: the model's init draws
    model = build_model()                # on the seeded torch generator
    fit = trainer.fit(model, batches=..., loss=..., total_steps=..., evaluate=...)
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from mining.train.finetune import WeightAverage, optimiser, restore_state, trainable_state

log = logging.getLogger(__name__)

LAST, AVERAGE = "last", "ema"


@dataclass(kw_only=True)
class LoopConfig:
    """What every training run shares. ``lr`` None: the task's default. ``max_minutes``: stop
    after the epoch that passes this budget (counted from the ``Trainer``'s creation, data
    loading included); ``eval_from``: the first epoch scored (the last is always scored);
    ``ema``: the decay of a moving average of the weights scored beside the last ones (0:
    none); ``log_every``: log the running loss every this many batches."""

    epochs: int = 10
    lr: float | None = None
    batch_size: int = 16
    seed: int = 13
    threads: int = 2
    max_minutes: float | None = None
    eval_from: int = 1
    ema: float = 0.0
    log_every: int = 50


@dataclass
class Evaluation:
    """What a task's evaluation callback returns: ``score`` (higher is better) selects the
    state kept; ``fields`` go into the epoch's history row (suffixed ``_ema`` for the weight
    average); ``result`` is kept for the best state; ``report`` is logged."""

    score: float
    fields: dict = field(default_factory=dict)
    result: Any = None
    report: str = ""


# evaluate(model, epoch, weights) with weights LAST or AVERAGE; the model is in eval mode.
Evaluate = Callable[[Any, int, str], Evaluation]


@dataclass
class Fit:
    """The outcome: ``history`` (a row per scored epoch, or per epoch without an evaluation:
    ``epoch``, ``train_loss``, ``train_s``, and ``eval_s`` plus the evaluation's fields); the
    best epoch, its weights (``last`` or ``ema``), score and result (None without an
    evaluation: then the last weights are kept)."""

    history: list[dict]
    best_epoch: int = -1
    weights: str = LAST
    score: float = -1.0
    result: Any = None


class Trainer:
    def __init__(self, config: LoopConfig):
        import torch

        self.config = config
        self.started = time.time()
        torch.set_num_threads(config.threads)
        torch.manual_seed(config.seed)
        self.rng = random.Random(config.seed)

    def minutes(self) -> float:
        return (time.time() - self.started) / 60

    def out_of_time(self) -> bool:
        budget = self.config.max_minutes
        return bool(budget and self.minutes() > budget)

    def fit(
        self,
        model,
        *,
        batches: Callable[[random.Random], Iterable],
        loss: Callable[[Any, Any], Any],
        total_steps: int,
        evaluate: Evaluate | None = None,
        parameters: list | None = None,
    ) -> Fit:
        """Train ``model`` for ``config.epochs`` epochs over ``batches(rng)`` (called once an
        epoch), minimising ``loss(model, batch)``; score it with ``evaluate`` from epoch
        ``eval_from`` and leave the best scored weights in ``model``. ``parameters``: what is
        clipped (default: the trainable ones); ``total_steps`` sizes the schedule."""
        import torch

        cfg = self.config
        trainable = parameters or [p for p in model.parameters() if p.requires_grad]
        opt, sched = optimiser(model, cfg.lr, total_steps)
        average = WeightAverage(model, cfg.ema) if cfg.ema else None
        fit, best_state = Fit(history=[]), None
        for epoch in range(1, cfg.epochs + 1):
            model.train()
            te = time.time()
            loss_sum, n_batches = 0.0, 0
            for batch in batches(self.rng):
                value = loss(model, batch)
                value.backward()
                torch.nn.utils.clip_grad_norm_(trainable, 1.0)
                opt.step()
                sched.step()
                opt.zero_grad(set_to_none=True)
                if average:
                    average.update(model)
                loss_sum, n_batches = loss_sum + value.item(), n_batches + 1
                if cfg.log_every and (n_batches - 1) % cfg.log_every == 0:
                    log.info(
                        "epoch %d step %d loss %.4f %.0fs",
                        epoch,
                        n_batches - 1,
                        loss_sum / n_batches,
                        time.time() - te,
                    )
            row = {
                "epoch": epoch,
                "train_loss": round(loss_sum / max(1, n_batches), 4),
                "train_s": round(time.time() - te),
            }
            out_of_time = self.out_of_time()
            if evaluate is None or (epoch < min(cfg.eval_from, cfg.epochs) and not out_of_time):
                if evaluate is None:  # epochs left unscored are not in the history
                    fit.history.append(row)
                log.info("epoch %d: train loss %.4f, %ds", epoch, row["train_loss"], row["train_s"])
            else:
                best_state = self._evaluate(model, epoch, row, evaluate, average, fit, best_state)
            if out_of_time or self.out_of_time():
                budget = cfg.max_minutes
                log.info("stopping after epoch %d: time budget %s min spent", epoch, budget)
                break
        if best_state is not None:
            restore_state(model, best_state)
        return fit

    def _evaluate(self, model, epoch, row, evaluate, average, fit: Fit, best_state):
        """Score the last weights (and the average in their place), note the better one in
        ``fit`` and return the best state so far; the model keeps its last weights."""
        model.eval()
        # The average is scored in the model's place; the last weights come back after.
        last = trainable_state(model) if average else None
        candidates = [(LAST, None)] + ([(AVERAGE, average.state)] if average else [])
        for weights, state in candidates:
            if state is not None:
                restore_state(model, state)
            te = time.time()
            result = evaluate(model, epoch, weights)
            if weights == LAST:
                row.update({"eval_s": round(time.time() - te), **result.fields})
            else:
                row.update({f"{k}_ema": v for k, v in result.fields.items()})
            log.info(
                "epoch %d (%s weights): train loss %.4f, score %.4f\n%s",
                epoch,
                weights,
                row["train_loss"],
                result.score,
                result.report,
            )
            if result.score > fit.score:
                fit.score, fit.best_epoch, fit.weights = result.score, epoch, weights
                fit.result = result.result
                best_state = trainable_state(model)  # the weights just scored
                log.info("new best %.4f at epoch %d (%s weights)", result.score, epoch, weights)
        if last is not None:
            restore_state(model, last)
        fit.history.append(row)
        return best_state
