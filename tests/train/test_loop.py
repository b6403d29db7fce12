"""The one training loop (``mining.train.loop``) on a tiny 2-layer BERT token classifier built
from a config: the loss falls, the time budget stops it, the best scored epoch's weights are
the ones left in the model, and the weight average is kept only when it scores higher."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from mining.train.finetune import trainable_state  # noqa: E402
from mining.train.loop import AVERAGE, LAST, Evaluation, LoopConfig, Trainer  # noqa: E402

VOCAB, LENGTH, N = 24, 8, 64


def tiny_bert():
    from transformers import BertConfig, BertForTokenClassification

    config = BertConfig(
        vocab_size=VOCAB, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=32, max_position_embeddings=LENGTH, num_labels=2,
        hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
    )  # fmt: skip
    return BertForTokenClassification(config)


def task(config: LoopConfig):
    """A trainer, a fresh model and the data of a learnable task (label: token id is odd)."""
    trainer = Trainer(config)
    model = tiny_bert()
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

    total = -(-N // config.batch_size) * config.epochs
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
