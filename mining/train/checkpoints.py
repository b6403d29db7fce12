"""Resumable training checkpoints: one ``step-NNNNNNNN.pt`` file per save in a folder.

A checkpoint holds what a run needs to continue as if it had never stopped: the model's
state, the optimiser's and the schedule's, the loop's position (optimiser step, epoch,
batches done in the epoch, the Python RNG as the epoch began) and the torch RNG states.
Files are written to a temporary name and renamed, so a run killed while saving leaves the
previous checkpoint intact; only the newest ``keep`` are kept.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from mining.errors import ModelError

log = logging.getLogger(__name__)

_NAME = re.compile(r"step-(\d+)\.pt")


def checkpoint_path(folder: str | Path, step: int) -> Path:
    return Path(folder) / f"step-{step:08d}.pt"


def latest_checkpoint(folder: str | Path) -> Path | None:
    """The checkpoint of the highest step in ``folder``, None when there is none."""
    folder = Path(folder)
    if not folder.is_dir():
        return None
    found = [(int(m.group(1)), p) for p in folder.iterdir() if (m := _NAME.fullmatch(p.name))]
    return max(found)[1] if found else None


def save_checkpoint(folder: str | Path, step: int, state: dict, keep: int = 2) -> Path:
    import torch

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = checkpoint_path(folder, step)
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)
    older = sorted((int(m.group(1)), p) for p in folder.iterdir() if (m := _NAME.fullmatch(p.name)))
    for _, old in older[:-keep] if keep > 0 else []:
        old.unlink(missing_ok=True)
    log.info("checkpoint %s", path)
    return path


def load_checkpoint(path: str | Path) -> dict:
    """A checkpoint's state (on the CPU; ``load_state_dict`` moves tensors to the model's
    device); a ``ModelError`` naming the file when it cannot be read."""
    import torch

    try:
        # Our own files: they hold Python RNG states and plain containers besides tensors.
        return torch.load(path, map_location="cpu", weights_only=False)
    except (OSError, RuntimeError, EOFError, ValueError) as exc:
        raise ModelError(str(path), f"unreadable checkpoint: {exc}") from exc
