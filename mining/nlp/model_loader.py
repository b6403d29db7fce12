"""The one model loader: every component opens its model folder or hub id here.

It reads the folder's shape (``mining.nlp.model_folder``: full checkpoint, LoRA adapter or
base delta), opens it with the transformers auto class the component names (or BioMine's
entity-marker head when the config says so), and then does once what every component needs:
SDPA attention where the architecture has it, device placement, dtype (half precision on a
GPU; fp32 on the CPU, where fp16 is slower and rounds more), ``eval()``, a fast tokenizer,
and the ``source`` name (``folder-or-hub-id@version``) that the store records.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import NamedTuple

from mining.errors import ModelError
from mining.nlp.model_folder import (
    HEAD_PREFIXES,
    folder_shape,
    load_fast_tokenizer,
    merge_into,
    resolve_base,
    uses_entity_markers,
)

DTYPES = ("auto", "fp32", "bf16", "fp16")


class LoadedModel(NamedTuple):
    model: object
    tokenizer: object
    config: object


def resolve_device(device: str | None = None) -> str:
    """``auto`` (or None): the GPU when there is one, else the CPU."""
    if device in (None, "auto"):
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    return str(device)


def resolve_dtype(dtype: str | None, device: str):
    """The torch dtype of ``fp32``/``bf16``/``fp16``; ``auto``: fp16 on a GPU, fp32 elsewhere."""
    import torch

    if dtype not in (None, *DTYPES):
        raise ValueError(f"unknown dtype {dtype!r}; use one of {DTYPES}")
    if dtype in (None, "auto"):
        return torch.float16 if device.startswith("cuda") else torch.float32
    return {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[dtype]


def model_name(path_or_id: str | Path) -> str:
    """A folder's name, or the hub id as given."""
    name = str(path_or_id).rstrip("/")
    return Path(name).name if Path(name).expanduser().is_dir() else name


def source_name(path_or_id: str | Path, config) -> str:
    """``name@version`` (``biomine_version`` of the config) or the bare name."""
    version = getattr(config, "biomine_version", None)
    name = model_name(path_or_id)
    return f"{name}@{version}" if version else name


def read_config(path_or_id: str | Path):
    """The config of a model folder or hub id, checked to exist, without loading weights (a
    local folder's ``config.json`` is read as JSON, without importing torch): a
    ``ModelError`` naming it when it is no model."""
    name = str(path_or_id)
    folder = Path(name).expanduser()
    if looks_local(name) and not folder.is_dir():
        raise ModelError(name, "no such model folder")
    if folder.is_dir():
        path = folder / "config.json"
        if not path.is_file():
            raise ModelError(name, "not a model folder (no config.json)")
        try:
            values = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ModelError(name, f"unreadable config.json: {_first_line(exc)}") from exc
        if not isinstance(values, dict) or "model_type" not in values:
            raise ModelError(name, "config.json names no model_type")
        return SimpleNamespace(**values)
    from transformers import AutoConfig

    try:
        return AutoConfig.from_pretrained(name)
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(name, f"cannot read its config: {_first_line(exc)}") from exc


def looks_local(name: str) -> bool:
    """Whether a model reference means a folder rather than a hub id (``org/name``): it
    exists, starts like a path, has more than one ``/``, or its parent folder exists here
    (``models/ner-gen`` mistyped is a missing folder, not a hub id to look up)."""
    path = Path(name).expanduser()
    if path.exists() or name.startswith((".", "/", "~")) or name.count("/") > 1:
        return True
    return "/" in name and path.parent.is_dir()


def model_class(config, auto_class: str):
    """What opens a folder of ``config``: BioMine's own head when the config names one (the
    entity-marker relation head, the mean-pooled classifier), else the transformers
    ``auto_class``."""
    if uses_entity_markers(config):
        from mining.nlp.relations.pair_model import EntityPairClassifier

        return EntityPairClassifier
    from mining.nlp.pooled_classifier import MEAN, MeanPooledClassifier

    if getattr(config, "biomine_head", None) == MEAN:
        return MeanPooledClassifier
    import transformers

    return getattr(transformers, auto_class)


def load_model(
    path_or_id: str | Path,
    auto_class: str,
    task: str,
    *,
    device: str | None = "cpu",
    dtype: str | None = None,
) -> LoadedModel:
    """``(model, tokenizer, config)`` of a model folder, adapter folder, base delta or hub id,
    opened with the transformers ``auto_class`` (``AutoModelForTokenClassification``, ...) on
    ``device`` (``auto``: the GPU if any) in ``dtype``, ready for inference; a ``ModelError``
    naming it (and ``task``, in words) when it is none of these."""
    from transformers import AutoConfig

    name = str(path_or_id)
    read_config(path_or_id)  # a missing folder or config is named before anything loads
    folder = Path(name).expanduser()
    src = str(folder) if folder.is_dir() else name
    try:
        config = AutoConfig.from_pretrained(src)
        auto = model_class(config, auto_class)
        kind, base_ref = folder_shape(folder) if folder.is_dir() else ("full", None)
        if kind == "full":
            model = _open(auto, src, config)
        else:
            model = _quietly(lambda: _open(auto, resolve_base(base_ref), config))
            replaced = merge_into(model, folder, kind)
            head = {n for n, _ in model.named_parameters() if n.startswith(HEAD_PREFIXES)}
            if not head <= replaced:
                raise ModelError(name, "the folder holds no trained task head")
        tokenizer = load_fast_tokenizer(src, config)
    except ModelError:
        raise
    except (OSError, ValueError, KeyError, RuntimeError, ImportError) as exc:
        raise ModelError(name, f"cannot load as a {task} model: {_first_line(exc)}") from exc
    if not getattr(tokenizer, "is_fast", False):
        raise ModelError(name, "its tokenizer gives no character offsets (needs a fast tokenizer)")
    # Sentences are encoded whole and cut into model-sized windows later, so the tokenizer's
    # own length limit would only warn about sequences that never reach it.
    tokenizer.model_max_length = 1 << 30
    if getattr(model.config, "pad_token_id", None) is None:
        model.config.pad_token_id = tokenizer.pad_token_id
    place(model, device, dtype)
    return LoadedModel(model, tokenizer, config)


def place(model, device: str | None, dtype: str | None) -> None:
    """Device, dtype and inference mode, the same for every component."""
    device = resolve_device(device)
    model.to(device=device, dtype=resolve_dtype(dtype, device))
    model.eval()


def _open(auto, src: str, config):
    """``auto.from_pretrained`` with SDPA attention where the architecture supports it."""
    if not hasattr(auto, "from_config"):  # BioMine's own head: its encoder picks its attention
        return auto.from_pretrained(src, config=config)
    try:
        return auto.from_pretrained(src, config=config, attn_implementation="sdpa")
    except (ValueError, TypeError, ImportError):  # an architecture without SDPA
        return auto.from_pretrained(src, config=config)


def _quietly(load):
    """Open a base without transformers' warning that the task head is "missing" (expected:
    the adapter or delta brings it) and without its progress bars."""
    from transformers.utils import logging as hf_logging

    verbosity = hf_logging.get_verbosity()
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        return load()
    finally:
        hf_logging.set_verbosity(verbosity)
        if bars:
            hf_logging.enable_progress_bar()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
