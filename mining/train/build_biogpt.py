"""A small, randomly initialised BioGPT with the real BioGPT vocabulary, as a model folder.

No BioGPT weights can be downloaded here, but the architecture and the vocabulary are what
matter for proving BioMine's BioGPT code paths (the fast tokenizer, token classification,
generation): a model built by this script has ``microsoft/biogpt``'s tokenizer and layer
layout at a fraction of its width, so it trains on a CPU in minutes, and every code path it
exercises serves the real checkpoints unchanged.

    biomine train build-biogpt --vocab ../shared/data/biogpt_vocab/base --out DIR
"""

from __future__ import annotations

from pathlib import Path

from mining.errors import ModelError


def build_biogpt(
    vocab_dir: str | Path,
    out_dir: str | Path,
    *,
    hidden: int = 128,
    layers: int = 4,
    heads: int = 4,
    intermediate: int | None = None,
    max_positions: int = 512,
    seed: int = 13,
    architecture: str = "BioGptForCausalLM",
) -> Path:
    """Write ``out_dir`` with config, random weights and the hub-layout tokenizer files
    (``vocab.json`` + ``merges.txt``) built from fairseq ``dict.txt`` + ``bpecodes`` in
    ``vocab_dir``. ``architecture`` is the class the weights are written from; any BioGPT
    head (``BioGptForTokenClassification`` ...) opens the folder by ``from_pretrained``."""
    import torch
    import transformers
    from transformers import BioGptConfig

    from mining.nlp.biogpt.tokenizer import BioGptTokenizerFast

    vocab_dir = Path(vocab_dir)
    if not (vocab_dir / "dict.txt").is_file() or not (vocab_dir / "bpecodes").is_file():
        raise ModelError(str(vocab_dir), "not a fairseq vocabulary folder (dict.txt + bpecodes)")
    tokenizer = BioGptTokenizerFast.from_fairseq(vocab_dir)
    config = BioGptConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=intermediate or 4 * hidden,
        max_position_embeddings=max_positions,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    torch.manual_seed(seed)
    model = getattr(transformers, architecture)(config)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(out), safe_serialization=True)
    tokenizer.save_pretrained(str(out))
    return out
