"""The one training loop of BioMine's NER, relation, QA, generative BioGPT and pretraining runs.

A task brings what is its own (its batches, the loss of a batch, its evaluation); the loop
owns the rest: threads and seeds, AdamW with a linear schedule (``finetune.optimiser``),
gradient accumulation and clipping, the weight average (``finetune.WeightAverage``, scored
beside the last weights and kept only when it scores higher), the time and step budgets, the
choice of the best evaluated epoch, progress logging and a loss curve; and, for long runs,
the device, bf16 autocast and checkpoints a run resumes from exactly where it stopped
(``mining.train.checkpoints``).

    trainer = Trainer(config)            # threads and seeds first: the model's init draws
    model = build_model()                # on the seeded torch generator
    fit = trainer.fit(model, batches=..., loss=..., total_steps=..., evaluate=...)
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mining.errors import ModelError
from mining.train.checkpoints import latest_checkpoint, load_checkpoint, save_checkpoint
from mining.train.finetune import WeightAverage, optimiser, restore_state, trainable_state

log = logging.getLogger(__name__)

LAST, AVERAGE = "last", "ema"


@dataclass(kw_only=True)
class LoopConfig:
    """What every training run shares. ``lr`` None: the task's default. ``max_minutes``: stop
    after the epoch that passes this budget (counted from the ``Trainer``'s creation, data
    loading included); ``eval_from``: the first epoch scored (the last is always scored);
    ``ema``: the decay of a moving average of the weights scored beside the last ones (0:
    none); ``log_every``: log the running loss (and add a point to the loss curve) every this
    many batches; ``warmup``: the schedule's linear warm-up, a share of the steps below 1, a
    number of steps from 1 up.

    For long runs (pretraining): ``grad_accum`` batches make one optimiser step;
    ``max_steps`` stops after that many optimiser steps; ``stop_in_epoch`` checks the time
    budget after every optimiser step instead of after every epoch (a pretraining epoch can
    take days); ``device`` moves the model and every batch's tensors there (None: leave them
    where they are); ``bf16`` runs the forward pass under bfloat16 autocast; ``checkpoints``
    is the folder where a checkpoint is saved every ``save_every`` optimiser steps and when
    the run stops, and ``resume`` continues from the newest one there."""

    epochs: int = 10
    lr: float | None = None
    batch_size: int = 16
    seed: int = 13
    threads: int = 2
    max_minutes: float | None = None
    eval_from: int = 1
    ema: float = 0.0
    log_every: int = 50
    warmup: float = 0.06
    grad_accum: int = 1
    max_steps: int | None = None
    stop_in_epoch: bool = False
    device: str | None = None
    bf16: bool = False
    checkpoints: str | Path | None = None
    save_every: int = 0
    resume: bool = False


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
    ``epoch``, ``step``, ``train_loss``, ``train_s``, and ``eval_s`` plus the evaluation's
    fields; an epoch cut short by a step or time budget has a row too); the best epoch, its
    weights (``last`` or ``ema``), score and result (None without an evaluation: then the
    last weights are kept); ``steps`` (optimiser steps, over all resumed runs), ``curve``
    (``step``, mean ``loss`` since the previous point, ``minutes``), why it ``stopped``
    (``epochs``, ``max_steps`` or ``time``), the checkpoint it ``resumed`` from and the
    ``minutes`` of all its runs."""

    history: list[dict]
    best_epoch: int = -1
    weights: str = LAST
    score: float = -1.0
    result: Any = None
    steps: int = 0
    curve: list[dict] = field(default_factory=list)
    stopped: str = "epochs"
    resumed: str | None = None
    minutes: float = 0.0


@dataclass
class Position:
    """Where a run is, as a checkpoint records it: optimiser ``step``, ``epoch``, batches
    ``done`` in it, the Python RNG as the epoch began (the epoch's batches are drawn from
    it, so a resumed run draws them again and skips the ``done`` ones), the epoch's loss
    sum and seconds so far, the loss since the last curve point, and the minutes of the
    earlier runs."""

    step: int = 0
    epoch: int = 1
    done: int = 0
    epoch_rng: Any = None
    loss_sum: float = 0.0
    epoch_s: float = 0.0
    since_sum: float = 0.0
    since_n: int = 0
    minutes_before: float = 0.0


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
        tallies: dict | None = None,
    ) -> Fit:
        """Train ``model`` for ``config.epochs`` epochs over ``batches(rng)`` (called once an
        epoch), minimising ``loss(model, batch)``; score it with ``evaluate`` from epoch
        ``eval_from`` and leave the best scored weights in ``model``. ``parameters``: what is
        clipped (default: the trainable ones); ``total_steps`` sizes the schedule (optimiser
        steps: batches / ``grad_accum``); ``tallies``: the task's own counters (tokens seen,
        say), saved in checkpoints and restored in place on resume."""
        import torch

        cfg = self.config
        if cfg.device:
            model.to(cfg.device)
        device = next(model.parameters()).device
        trainable = parameters or [p for p in model.parameters() if p.requires_grad]
        opt, sched = optimiser(model, cfg.lr, total_steps, cfg.warmup)
        average = WeightAverage(model, cfg.ema) if cfg.ema else None
        fit, best_state, pos = Fit(history=[]), None, Position()
        torch_rng = None
        if cfg.resume:
            resumed = self._resume(model, opt, sched, average, tallies)
            if resumed is not None:
                fit, best_state, pos, torch_rng = resumed
        autocast = (
            (lambda: torch.autocast(device.type, dtype=torch.bfloat16)) if cfg.bf16 else nullcontext
        )
        accum = max(1, cfg.grad_accum)

        def step() -> None:
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            if average:
                average.update(model)
            pos.step += 1

        def save() -> None:
            if cfg.checkpoints:
                state = self._state(model, opt, sched, average, tallies, fit, best_state, pos)
                save_checkpoint(cfg.checkpoints, pos.step, state)

        stop = None
        while pos.epoch <= cfg.epochs and stop is None:
            epoch = pos.epoch
            model.train()
            if pos.done == 0:
                pos.epoch_rng = self.rng.getstate()
            else:  # resumed inside the epoch: draw the same batches, skip those done
                self.rng.setstate(pos.epoch_rng)
            stream = iter(batches(self.rng))
            for _ in range(pos.done):
                next(stream, None)
            if torch_rng is not None:  # dropout and masking go on as if never stopped
                _set_torch_rng(torch_rng)
                torch_rng = None
            te = time.time() - pos.epoch_s
            finished = False  # every batch of the epoch done
            for batch in stream:
                if cfg.device:
                    batch = _to_device(batch, device)
                with autocast():
                    value = loss(model, batch)
                (value / accum if accum > 1 else value).backward()
                item = value.item()
                pos.done += 1
                pos.loss_sum, pos.since_sum, pos.since_n = (
                    pos.loss_sum + item,
                    pos.since_sum + item,
                    pos.since_n + 1,
                )
                if cfg.log_every and (pos.done - 1) % cfg.log_every == 0:
                    self._log_point(fit, pos, epoch, te)
                if pos.done % accum:
                    continue
                step()
                stop = self._budget_spent(pos.step)
                if stop:
                    break
                if cfg.save_every and pos.step % cfg.save_every == 0:
                    save()
            else:
                finished = True
                if pos.done % accum:  # the epoch's last, shorter accumulation
                    for p in trainable:
                        if p.grad is not None:
                            p.grad.mul_(accum / (pos.done % accum))
                    step()
                    stop = self._budget_spent(pos.step)
            row = {
                "epoch": epoch,
                "step": pos.step,
                "train_loss": round(pos.loss_sum / max(1, pos.done), 4),
                "train_s": round(time.time() - te),
            }
            out_of_time = self.out_of_time()
            if stop is None and out_of_time:
                stop = "time"
            if stop is None and epoch == cfg.epochs:
                stop = "epochs"
            if evaluate is None or (epoch < min(cfg.eval_from, cfg.epochs) and stop is None):
                if evaluate is None:  # epochs left unscored are not in the history
                    fit.history.append(row)
                log.info("epoch %d: train loss %.4f, %ds", epoch, row["train_loss"], row["train_s"])
            else:
                best_state = self._evaluate(model, epoch, row, evaluate, average, fit, best_state)
            if stop is None and self.out_of_time():
                stop = "time"
            if finished:
                # The epoch is over: a resumed run starts the next one.
                pos.epoch, pos.done, pos.loss_sum, pos.epoch_s = epoch + 1, 0, 0.0, 0.0
            else:
                pos.epoch_s = time.time() - te
            if stop == "time":
                log.info("stopping at step %d: time budget %s min spent", pos.step, cfg.max_minutes)
            elif stop == "max_steps":
                log.info("stopping at step %d (max steps)", pos.step)
        fit.steps, fit.stopped = pos.step, stop or "epochs"
        fit.minutes = round(pos.minutes_before + self.minutes(), 2)
        save()
        if best_state is not None:
            restore_state(model, best_state)
        return fit

    def _budget_spent(self, step: int) -> str | None:
        """Why to stop after this optimiser step, if the run must stop inside its epoch."""
        cfg = self.config
        if cfg.max_steps and step >= cfg.max_steps:
            return "max_steps"
        if cfg.stop_in_epoch and self.out_of_time():
            return "time"
        return None

    def _log_point(self, fit: Fit, pos: Position, epoch: int, te: float) -> None:
        minutes = pos.minutes_before + self.minutes()
        mean = pos.since_sum / max(1, pos.since_n)
        fit.curve.append({"step": pos.step, "loss": round(mean, 4), "minutes": round(minutes, 2)})
        pos.since_sum, pos.since_n = 0.0, 0
        log.info(
            "epoch %d batch %d step %d loss %.4f %.0fs",
            epoch,
            pos.done - 1,
            pos.step,
            pos.loss_sum / pos.done,
            time.time() - te,
        )

    def _state(self, model, opt, sched, average, tallies, fit, best_state, pos) -> dict:
        position = asdict(pos)
        position["minutes_before"] = pos.minutes_before + self.minutes()
        return {
            "model": model.state_dict(),
            "optimiser": opt.state_dict(),
            "schedule": sched.state_dict(),
            "average": average.state if average else None,
            "average_updates": average.updates if average else 0,
            "tallies": dict(tallies) if tallies is not None else None,
            "fit": dict(vars(fit)),
            "best_state": best_state,
            "position": position,
            "torch_rng": _torch_rng(),
            "config": asdict(self.config),
        }

    def _resume(self, model, opt, sched, average, tallies):
        """Load the newest checkpoint of ``config.checkpoints`` into the model, optimiser,
        schedule, average and tallies; return the fit, best state, position and torch RNG
        states to go on with (None, and a fresh start, when there is no checkpoint)."""
        folder = self.config.checkpoints
        path = latest_checkpoint(folder) if folder else None
        if path is None:
            log.warning("no checkpoint in %s to resume from: starting afresh", folder)
            return None
        state = load_checkpoint(path)
        try:
            model.load_state_dict(state["model"])
            opt.load_state_dict(state["optimiser"])
        except (RuntimeError, ValueError, KeyError) as exc:
            raise ModelError(str(path), f"checkpoint does not fit this run: {exc}") from exc
        sched.load_state_dict(state["schedule"])
        if average is not None and state["average"] is not None:
            average.state = {k: v.to(average.state[k].device) for k, v in state["average"].items()}
            average.updates = state["average_updates"]
        if tallies is not None and state["tallies"]:
            tallies.update(state["tallies"])
        fit = Fit(**state["fit"])
        fit.resumed = str(path)
        pos = Position(**state["position"])
        device = next(model.parameters()).device
        best = state["best_state"]
        if best is not None:
            best = {k: v.to(device) for k, v in best.items()}
        log.info("resumed from %s (step %d, epoch %d)", path, pos.step, pos.epoch)
        return fit, best, pos, state["torch_rng"]

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


def _to_device(batch, device):
    """A batch with its tensors (in tuples, lists and dicts, at any depth) on ``device``."""
    if hasattr(batch, "to") and hasattr(batch, "device"):
        return batch.to(device, non_blocking=True)
    if isinstance(batch, dict):
        return {k: _to_device(v, device) for k, v in batch.items()}
    if isinstance(batch, list | tuple):
        return type(batch)(_to_device(v, device) for v in batch)
    return batch


def _torch_rng() -> dict:
    import torch

    state = {"cpu": torch.get_rng_state()}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def _set_torch_rng(state: dict) -> None:
    import torch

    torch.set_rng_state(state["cpu"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
