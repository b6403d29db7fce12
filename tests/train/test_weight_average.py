"""The moving average of weights that ``biomine train ner --ema`` scores beside the last step's."""

from __future__ import annotations

import pytest

from mining.train.finetune import WeightAverage, restore_state

torch = pytest.importorskip("torch")


def test_average_follows_the_weights_with_a_ramped_decay():
    model = torch.nn.Linear(2, 1)
    model.bias.requires_grad_(False)  # frozen weights are not averaged
    with torch.no_grad():
        model.weight.fill_(0.0)
    average = WeightAverage(model, decay=0.2)
    assert set(average.state) == {"weight"}
    with torch.no_grad():
        model.weight.fill_(1.0)
    average.update(model)  # first update: decay min(0.2, 2/11)
    expected = 1 - 2 / 11
    assert torch.allclose(average.state["weight"], torch.full((1, 2), expected))
    average.update(model)  # then the full decay (3/12 > 0.2)
    expected = 0.2 * expected + 0.8
    assert torch.allclose(average.state["weight"], torch.full((1, 2), expected))
    assert torch.equal(model.weight, torch.ones(1, 2))  # the model itself is untouched

    restore_state(model, average.state)
    assert torch.allclose(model.weight, torch.full((1, 2), expected))
