"""Tiny randomly initialised models written by tests (no model hub here)."""

from __future__ import annotations

from pathlib import Path

WORDS = "@ * # ^ chemical gene tamoxifen inhibits cyp2d6 and binds aspirin cox . the of".split()


def tiny_classifier(
    folder: Path,
    labels: list[str],
    favour: str | None = None,
    task: str = "chemprot",
    words: list[str] | None = None,
) -> Path:
    """A 1-layer BERT sequence classifier with ``labels``; ``favour`` gets a large bias, so the
    classifier predicts that label for every input (plumbing tests, not quality); ``words``:
    its vocabulary after the special tokens (default ``WORDS``)."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *(words or WORDS)]
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n")
    BertTokenizerFast(vocab=str(folder / "vocab.txt")).save_pretrained(folder)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
        id2label=dict(enumerate(labels)),
        label2id={x: i for i, x in enumerate(labels)},
    )
    config.biomine_task = task
    model = BertForSequenceClassification(config)
    if favour is not None:
        with torch.no_grad():
            model.classifier.bias[labels.index(favour)] = 50.0
    model.save_pretrained(folder)
    return folder


def tiny_token_classifier(
    folder: Path,
    labels: list[str],
    vocab: list[str] | None = None,
    *,
    seed: int = 0,
    max_positions: int = 64,
    save: bool = True,
):
    """A randomly initialised 2-layer BERT token classifier with a fast tokenizer in
    ``folder`` (``vocab``: word pieces after the five special tokens); returns the folder, or
    the unsaved model when ``save`` is False."""
    import torch
    from transformers import BertConfig, BertForTokenClassification, BertTokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    pieces = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *(vocab or WORDS)]
    (folder / "vocab.txt").write_text("\n".join(pieces) + "\n")
    BertTokenizerFast(vocab=str(folder / "vocab.txt")).save_pretrained(folder)
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=len(pieces),
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=max_positions,
        id2label=dict(enumerate(labels)),
        label2id={x: i for i, x in enumerate(labels)},
    )
    model = BertForTokenClassification(config)
    if not save:
        return model
    model.save_pretrained(folder)
    return folder
