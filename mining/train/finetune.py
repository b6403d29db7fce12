"""The fine-tuning steps every BioMine head shares: LoRA wrapping and warm starts, optimiser
and schedule, saving a model folder that ``mining.nlp.model_folder`` opens.

With ``lora_r > 0`` only LoRA adapters on every linear layer, the LayerNorms and the task
head are trained and shipped (a few MiB; the base is loaded from the installed package at run
time); ``lora_r = 0`` is a full fine-tune, written as fp16 safetensors.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

from mining.errors import ModelError

# Every linear layer, and the layer norms trained in full, by module name: BERT-family
# encoders (MiniLM) name them one way, BioGPT (fairseq-style) another.
LORA_TARGETS = {
    "biogpt": (["q_proj", "k_proj", "v_proj", "out_proj", "fc1", "fc2"], ["layer_norm"]),
    "bert": (["query", "key", "value", "dense"], ["LayerNorm"]),
}
IGNORE = -100


def lora_targets(model_type: str) -> tuple[list[str], list[str]]:
    return LORA_TARGETS.get(model_type, LORA_TARGETS["bert"])


def wrap_lora(model, lora_r: int, lora_alpha: int | None, task_type: str | None, head: list[str]):
    """The model with LoRA adapters (``peft``), or itself when ``lora_r`` is 0; ``task_type``
    names a peft ``TaskType``, None for a model of BioMine's own (``EntityPairClassifier``)."""
    if lora_r <= 0:
        return model
    from peft import LoraConfig, TaskType, get_peft_model

    linear, norms = lora_targets(model.config.model_type)
    cfg = LoraConfig(
        task_type=getattr(TaskType, task_type) if task_type else None,
        r=lora_r,
        lora_alpha=lora_alpha or 2 * lora_r,
        lora_dropout=0.1,
        target_modules=linear,
        modules_to_save=[*head, *norms],
    )
    return get_peft_model(model, cfg)


def warm_start(model, adapter_dir: str | Path) -> None:
    """Load a saved LoRA adapter (``adapter_model.safetensors``) into a freshly wrapped peft
    model; modules it lacks (token type embeddings new with ``case_types``) keep their start
    values. A ``ModelError`` when its tensors do not fit."""
    from peft import get_peft_model_state_dict, set_peft_model_state_dict
    from safetensors.torch import load_file

    path = Path(adapter_dir) / "adapter_model.safetensors"
    if not path.is_file():
        raise ModelError(str(adapter_dir), "no adapter_model.safetensors to start from")
    state = get_peft_model_state_dict(model)
    loaded = load_file(str(path))
    if unknown := sorted(set(loaded) - set(state)):
        raise ModelError(str(adapter_dir), f"adapter tensors fit no module: {unknown[:3]}")
    state.update(loaded)
    try:
        set_peft_model_state_dict(model, state)
    except RuntimeError as exc:
        raise ModelError(str(adapter_dir), f"adapter does not fit: {exc}") from exc


def optimiser(model, lr: float, total_steps: int, warmup_share: float = 0.06):
    """AdamW (weight decay 0.01 on matrices) with linear warm-up and decay; ``warmup_share``
    below 1 is a share of ``total_steps``, from 1 up a number of steps."""
    import torch

    decay = [p for p in model.parameters() if p.requires_grad and p.ndim > 1]
    no_decay = [p for p in model.parameters() if p.requires_grad and p.ndim <= 1]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}], lr=lr
    )
    warmup = int(warmup_share) if warmup_share >= 1 else int(warmup_share * total_steps)
    warmup = max(1, warmup)

    def lr_at(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total_steps - step) / max(1, total_steps - warmup))

    return opt, torch.optim.lr_scheduler.LambdaLR(opt, lr_at)


def steps(n_examples: int, batch_size: int, epochs: int) -> int:
    return math.ceil(n_examples / batch_size) * epochs


def trainable_state(model) -> dict:
    return {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}


class WeightAverage:
    """Exponential moving average of the trainable weights (Polyak averaging): the average
    of the last few thousand steps is often a better tagger than the last step's weights.
    ``decay`` ramps up from 0 so the first steps do not tie the average to the start."""

    def __init__(self, model, decay: float):
        self.decay, self.updates = decay, 0
        self.state = trainable_state(model)

    def update(self, model) -> None:
        import torch

        self.updates += 1
        d = min(self.decay, (1 + self.updates) / (10 + self.updates))
        with torch.no_grad():
            for n, p in model.named_parameters():
                if n in self.state:
                    self.state[n].mul_(d).add_(p.detach(), alpha=1 - d)


def restore_state(model, state: dict) -> None:
    import torch

    with torch.no_grad():
        params = dict(model.named_parameters())
        for n, v in state.items():
            params[n].copy_(v)


def save_model_folder(model, tokenizer, out_dir: str | Path, base: str, extra: dict) -> Path:
    """Write ``out_dir`` afresh: the adapter (LoRA) or fp16 weights, config with BioMine's
    keys (``biomine_version``, ``biomine_base`` and ``extra``), tokenizer files."""
    out = Path(out_dir)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    lora = hasattr(model, "get_base_model")
    if lora:
        model.save_pretrained(str(out))
        acfg_path = out / "adapter_config.json"
        acfg = json.loads(acfg_path.read_text())
        acfg["base_model_name_or_path"] = base  # symbolic (package name / hub id), not a path
        acfg_path.write_text(json.dumps(acfg, indent=2, sort_keys=True) + "\n")
        config = model.get_base_model().config
        config.architectures = [type(model.get_base_model()).__name__]
    else:
        model.half().save_pretrained(str(out), safe_serialization=True)
        config = model.config
    config.biomine_version = "1.0"
    config.biomine_base = base
    for key, value in extra.items():
        setattr(config, key, value)
    config.save_pretrained(str(out))
    tokenizer.save_pretrained(str(out))
    return out
