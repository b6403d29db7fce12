"""The one training loop (``mining.train.loop``) on a tiny 2-layer BERT token classifier built
from a config: the loss falls, the time budget stops it, the best scored epoch's weights are
the ones left in the model, and the weight average is kept only when it scores higher;
gradient accumulation equals the larger batch, a step budget stops inside an epoch, and a
run killed after a checkpoint resumes to the very weights of a run never stopped."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from mining.train.finetune import trainable_state  # noqa: E402
from mining.train.loop import AVERAGE, LAST, Evaluation, LoopConfig, Trainer  # noqa: E402

VOCAB, LENGTH, N = 24, 8, 64


def tiny_bert(dropout: float = 0.0):
    from transformers import BertConfig, BertForTokenClassification

    config = BertConfig(
        vocab_size=VOCAB, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=32, max_position_embeddings=LENGTH, num_labels=2,
        hidden_dropout_prob=dropout, attention_probs_dropout_prob=dropout,
    )  # fmt: skip
    return BertForTokenClassification(config)


def task(config: LoopConfig, dropout: float = 0.0):
    """A trainer, a fresh model and the data of a learnable task (label: token id is odd)."""
    trainer = Trainer(config)
    model = tiny_bert(dropout)
    ids = torch.randint(0, VOCAB, (N, LENGTH), generator=torch.Generator().manual_seed(0))
    labels = ids % 2

    def batches(rng):
        order = list(range(N))
        rng.shuffle(order)
        for i in range(0, N, config.batch_size):
            rows = order[i : i + config.batch_size]
            yield ids[rows], labels[rows]

    def loss(model, batch):
        return model(input_ids=batch[0], labels=batch[1]).loss

    total = -(-N // config.batch_size) // config.grad_accum * config.epochs
    return trainer, model, {"batches": batches, "loss": loss, "total_steps": total}


def same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_loss_falls_and_without_evaluation_the_last_weights_stay():
    trainer, model, parts = task(LoopConfig(epochs=6, lr=1e-2, batch_size=8, log_every=0))
    fit = trainer.fit(model, **parts)
    losses = [row["train_loss"] for row in fit.history]
    assert [row["epoch"] for row in fit.history] == [1, 2, 3, 4, 5, 6]
    assert losses[-1] < losses[0] / 2
    assert fit.best_epoch == -1 and fit.result is None


def test_the_same_seed_gives_the_same_run():
    runs = []
    for _ in range(2):
        trainer, model, parts = task(LoopConfig(epochs=2, lr=1e-2, batch_size=8, seed=5))
        trainer.fit(model, **parts)
        runs.append(trainable_state(model))
    assert same(*runs)


def test_time_budget_stops_after_the_epoch_that_spends_it_and_scores_it():
    config = LoopConfig(epochs=5, lr=1e-2, batch_size=8, max_minutes=1e-9, eval_from=3)
    trainer, model, parts = task(config)
    scored = []

    def evaluate(model, epoch, weights):
        scored.append(epoch)
        return Evaluation(0.5, {"dev": epoch})

    fit = trainer.fit(model, **parts, evaluate=evaluate)
    # Out of time after epoch 1: scored although eval_from is 3, so there is a state to keep.
    assert scored == [1] and [row["epoch"] for row in fit.history] == [1]
    assert fit.best_epoch == 1 and fit.history[0]["dev"] == 1 and "eval_s" in fit.history[0]


def test_the_best_epochs_weights_are_restored():
    trainer, model, parts = task(LoopConfig(epochs=5, lr=1e-2, batch_size=8, eval_from=2))
    scores = {2: 0.3, 3: 0.9, 4: 0.5, 5: 0.1}
    states = {}

    def evaluate(model, epoch, weights):
        assert not model.training and weights == LAST
        states[epoch] = trainable_state(model)
        return Evaluation(scores[epoch], {"dev_f1": scores[epoch]}, result=f"epoch {epoch}")

    fit = trainer.fit(model, **parts, evaluate=evaluate)
    assert sorted(states) == [2, 3, 4, 5]  # epoch 1 is before eval_from: not scored
    assert [row["epoch"] for row in fit.history] == [2, 3, 4, 5]
    assert fit.best_epoch == 3 and fit.score == 0.9 and fit.result == "epoch 3"
    assert fit.weights == LAST
    assert same(trainable_state(model), states[3])
    assert not same(states[3], states[5])


@pytest.mark.parametrize("average_wins", [True, False])
def test_the_weight_average_is_kept_only_when_it_scores_higher(average_wins):
    trainer, model, parts = task(LoopConfig(epochs=3, lr=1e-2, batch_size=8, ema=0.9))
    states = {}

    def evaluate(model, epoch, weights):
        states[epoch, weights] = trainable_state(model)
        bonus = {LAST: 0.0, AVERAGE: 0.05 if average_wins else -0.05}[weights]
        return Evaluation(0.1 * epoch + bonus, {"dev_f1": 0.1 * epoch + bonus})

    fit = trainer.fit(model, **parts, evaluate=evaluate)
    assert sorted(states) == [(e, w) for e in (1, 2, 3) for w in (AVERAGE, LAST)]
    for epoch in (1, 2, 3):
        assert not same(states[epoch, LAST], states[epoch, AVERAGE])
        row = fit.history[epoch - 1]
        assert (
            row["dev_f1_ema"] > row["dev_f1"] if average_wins else row["dev_f1_ema"] < 0.1 * epoch
        )
    assert fit.best_epoch == 3
    kept = AVERAGE if average_wins else LAST
    assert fit.weights == kept
    assert same(trainable_state(model), states[3, kept])


def test_accumulating_two_half_batches_is_one_step_of_the_whole_batch():
    runs = {}
    for accum, size in ((1, 16), (2, 8), (4, 4)):
        trainer, model, parts = task(
            LoopConfig(epochs=2, lr=1e-2, batch_size=size, grad_accum=accum)
        )
        fit = trainer.fit(model, **parts)
        assert fit.steps == 2 * N // 16 and fit.stopped == "epochs"
        runs[accum] = trainable_state(model)
    for accum in (2, 4):  # the same shuffled order, cut finer: the same mean gradients
        assert all(torch.allclose(runs[1][k], runs[accum][k], atol=1e-5) for k in runs[1])


def test_max_steps_stops_inside_an_epoch_and_scores_it():
    trainer, model, parts = task(LoopConfig(epochs=5, lr=1e-2, batch_size=8, max_steps=11))
    scored = []

    def evaluate(model, epoch, weights):
        scored.append(epoch)
        return Evaluation(float(epoch), {})

    fit = trainer.fit(model, **parts, evaluate=evaluate)
    assert fit.steps == 11 and fit.stopped == "max_steps"
    assert scored == [1, 2] and [row["step"] for row in fit.history] == [8, 11]


class Killed(Exception):
    """The process dying mid-run (a wall-time limit, a pre-empted GPU)."""


def test_a_run_killed_after_a_checkpoint_resumes_to_the_weights_of_one_never_stopped(tmp_path):
    def config(folder, resume=False):
        # 8 batches an epoch, 2 a step: 4 steps an epoch, 12 in all; checkpoints every 3.
        return LoopConfig(
            epochs=3, lr=1e-2, batch_size=8, grad_accum=2, ema=0.9, seed=3, log_every=3,
            checkpoints=folder, save_every=3, resume=resume,
        )  # fmt: skip

    trainer, model, parts = task(config(tmp_path / "whole"), dropout=0.1)
    whole = trainer.fit(model, **parts)
    expected = trainable_state(model)

    folder = tmp_path / "killed"
    trainer, model, parts = task(config(folder), dropout=0.1)
    loss, calls = parts["loss"], [0]

    def dying(model, batch):
        calls[0] += 1
        if calls[0] == 15:  # inside epoch 2, one batch after the step-6 checkpoint
            raise Killed
        return loss(model, batch)

    with pytest.raises(Killed):
        trainer.fit(model, **(parts | {"loss": dying}))
    assert sorted(p.name for p in folder.iterdir()) == ["step-00000003.pt", "step-00000006.pt"]

    trainer, model, parts = task(config(folder, resume=True), dropout=0.1)
    assert not same(trainable_state(model), expected)
    resumed = trainer.fit(model, **parts)
    assert resumed.resumed.endswith("step-00000006.pt")
    assert resumed.steps == whole.steps == 12
    # Dropout, shuffling, optimiser moments, schedule and weight average all went on as if
    # the run had never stopped: the same weights to the last bit.
    assert same(trainable_state(model), expected)
    assert [row["epoch"] for row in resumed.history] == [1, 2, 3]
    assert [p["step"] for p in resumed.curve] == [p["step"] for p in whole.curve]


def test_resume_without_a_checkpoint_starts_afresh(tmp_path):
    config = LoopConfig(epochs=1, lr=1e-2, batch_size=8, checkpoints=tmp_path, resume=True)
    trainer, model, parts = task(config)
    fit = trainer.fit(model, **parts)
    assert fit.resumed is None and fit.steps == N // 8
    assert [p.name for p in tmp_path.iterdir()] == ["step-00000008.pt"]  # saved at the end
