"""Ship a full fine-tune as a small folder: only what differs from the installed base.

Why: a full fine-tune of MiniLM-L6 is 45 MB in fp16, most of it the 30,522 x 384 word
embeddings, which fine-tuning barely moves; ``models/`` has 60 MiB for every default. The
export writes a base delta folder (``base_delta.json`` + ``base_delta.safetensors``, named
apart from ``peft`` adapters) that ``mining.nlp.model_loader.load_model`` opens: parameters
that changed are stored whole in fp16, except the word embeddings, whose change from the
base is stored as a truncated SVD ``B @ A`` (``lora_A``/``lora_B``, scale 1). Parameters
equal to the base are not stored.
With ``--int8`` every changed matrix is stored instead as its change from the base: the
factor by which weight decay shrank it (``delta_decay``) and, for the rows that moved beyond
that, their change in int8 with a scale per row (``delta_rows``/``delta_int8``/
``delta_scale``). Fine-tuning moves the embeddings of the tokens its data has, not the
others, so most embedding rows need no bytes; unlike a truncated SVD it is close to lossless.

    biomine train base-delta --model /work/scratch/gene-full --out models/ner-gene \\
        --embedding-rank 32
    biomine train base-delta --model /work/scratch/gene-full --out models/ner-gene --int8
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from mining.errors import ModelError
from mining.nlp.model_folder import (
    DELTA_CONFIG,
    DELTA_FORMAT,
    DELTA_WEIGHTS,
    HEAD_PREFIXES,
    resolve_base,
)

WEIGHTS, CONFIG = DELTA_WEIGHTS, DELTA_CONFIG
# Folder files that travel unchanged: tokenizer, config, metrics, card.
COPIED = ("config.json", "training_metrics.json", "README.md")
WORD_EMBEDDINGS = "embeddings.word_embeddings.weight"
# The encoder's linear layers (BERT family): attention projections, feed-forward.
LINEAR = ("query.weight", "key.weight", "value.weight", "dense.weight")


def low_rank(delta, rank: int):
    """``(B, A)`` with ``B @ A`` the best rank-``rank`` approximation of ``delta`` (SVD)."""
    import torch

    u, s, vh = torch.linalg.svd(delta.float(), full_matrices=False)
    root = s[:rank].sqrt()
    return (u[:, :rank] * root).contiguous(), (root[:, None] * vh[:rank]).contiguous()


def int8_rows(value, ref) -> dict:
    """The change of matrix ``value`` from ``ref``: AdamW's weight decay shrinks every row a
    little (``delta_decay``, the median row's factor), and the rows that moved beyond that
    (training touched them) are stored as their change in int8 with a symmetric per-row
    scale."""
    import torch

    value, ref = value.float(), ref.float()
    factors = (value * ref).sum(dim=1) / (ref * ref).sum(dim=1).clamp_min(1e-12)
    decay = factors.median()
    residual = value - decay * ref
    # Beyond fp16 rounding of the saved fine-tune (2^-11 relative) with some margin.
    moved = residual.abs() > 1e-3 * value.abs() + 1e-6
    rows = moved.any(dim=1).nonzero().flatten()
    delta = residual[rows]
    scale = delta.abs().amax(dim=1, keepdim=True).clamp_min(1e-12) / 127
    q = torch.round(delta / scale).clamp(-127, 127).to(torch.int8)
    return {
        "delta_decay": decay.reshape(1),
        "delta_rows": rows.to(torch.int32),
        "delta_int8": q,
        "delta_scale": scale,
    }


def delta_tensors(model, base_model, low_rank_names: dict[str, int], int8: bool = False) -> dict:
    """The tensors of the export: changed parameters in fp16, low-rank ones as ``lora_A`` /
    ``lora_B`` of their module; a parameter the base lacks (or shapes differently) is whole,
    and so is the task head, which the loader requires (a base package has none to compare)."""
    import torch

    base = dict(base_model.named_parameters())
    out = {}
    for name, value in model.named_parameters():
        ref = base.get(name)
        if ref is not None and ref.shape == value.shape and not name.startswith(HEAD_PREFIXES):
            if torch.equal(ref.half(), value.half()):
                continue
            if int8 and value.ndim == 2:
                for part, t in int8_rows(value, ref).items():
                    out[f"{name}.{part}"] = t.contiguous()
                continue
            rank = next((r for suffix, r in low_rank_names.items() if name.endswith(suffix)), 0)
            if rank:
                b, a = low_rank(value.float() - ref.float(), rank)
                module = name.removesuffix(".weight")
                out[f"{module}.lora_A.weight"] = a.half()
                out[f"{module}.lora_B.weight"] = b.half()
                continue
        out[name] = value.detach().half().contiguous()
    return out


def export(
    model_dir: str | Path,
    out_dir: str | Path,
    embedding_rank: int = 32,
    linear_rank: int = 0,
    int8: bool = False,
) -> Path:
    """Write ``out_dir`` from the full fine-tune in ``model_dir`` (its config names the base in
    ``biomine_base``), the word embeddings' change at ``embedding_rank`` and, when
    ``linear_rank`` is set, the encoder's linear layers' change at that rank (else whole);
    ``int8``: every changed matrix as its changed rows' int8 change instead (no ranks)."""
    import torch
    import transformers
    from safetensors.torch import save_file
    from transformers import AutoConfig

    src = Path(model_dir)
    config = AutoConfig.from_pretrained(str(src))
    base_ref = getattr(config, "biomine_base", None)
    if not base_ref or not config.architectures:
        raise ModelError(str(src), "config.json names no biomine_base or architecture")
    auto = getattr(transformers, config.architectures[0])
    model = auto.from_pretrained(str(src), dtype=torch.float32)
    base = auto.from_pretrained(resolve_base(base_ref), config=config, dtype=torch.float32)
    ranks = {WORD_EMBEDDINGS: embedding_rank, **dict.fromkeys(LINEAR, linear_rank)}
    ranks = {} if int8 else {k: r for k, r in ranks.items() if r}
    tensors = delta_tensors(model, base, ranks, int8)
    out = Path(out_dir)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for path in src.iterdir():
        if path.name in COPIED or "token" in path.name or path.name == "vocab.txt":
            shutil.copy2(path, out / path.name)
    save_file(tensors, str(out / WEIGHTS))
    delta = {
        "format": DELTA_FORMAT,
        "base_model_name_or_path": base_ref,
        "description": (
            "each changed matrix as the factor by which weight decay shrank it and the int8 "
            "change (a scale per row) of the rows that moved beyond that, other changed "
            "tensors whole in fp16, unchanged ones read from the base"
            if int8
            else "changed tensors whole in fp16, unchanged ones read from the base, "
            f"the word embeddings' change as a rank-{embedding_rank} SVD factorisation"
            + (f", the linear layers' change at rank {linear_rank}" if linear_rank else "")
        ),
    }
    (out / CONFIG).write_text(json.dumps(delta, indent=2, sort_keys=True) + "\n")
    return out
