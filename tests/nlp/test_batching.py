"""Batches by length within a row and token budget."""

from __future__ import annotations

from mining.nlp.batching import token_batches


def test_token_batches_sort_by_length_and_keep_within_the_budget():
    lengths = [50, 10, 30, 10, 200, 40]
    batches = token_batches(lengths, max_rows=3, max_tokens=100)
    assert sorted(i for b in batches for i in b) == list(range(6))  # each item once
    for batch in batches:
        assert len(batch) <= 3
        assert len(batch) == 1 or len(batch) * max(lengths[i] for i in batch) <= 100
    assert batches[0] == [1, 3, 2]  # the shortest first, together
    assert [4] in batches  # too long for the budget: alone
    assert token_batches(lengths, max_rows=2, max_tokens=None) == [[1, 3], [2, 5], [0, 4]]
