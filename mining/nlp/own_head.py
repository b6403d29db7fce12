"""What BioMine's own classification heads share: a transformers encoder under a head of
ours, saved and opened as an ordinary model folder.

A folder of such a head is a transformers folder whose ``config.json`` names the head
(``biomine_head``) and that holds either a LoRA adapter over a base encoder (the base is
opened, the head starts fresh, and the adapter brings the trained weights) or full weights
(``model.safetensors``, fp16).
"""

from __future__ import annotations

from pathlib import Path

from torch import nn

WEIGHTS = "model.safetensors"


class OwnHead(nn.Module):
    """``encoder`` + ``classifier`` (set by the subclass); ``from_pretrained`` and
    ``save_pretrained`` as ``mining.nlp.model_loader`` and ``save_model_folder`` expect."""

    def __init__(self, encoder, config):
        super().__init__()
        self.encoder, self.config = encoder, config

    @classmethod
    def from_pretrained(cls, src: str | Path, config) -> OwnHead:
        """A folder with full weights of this head; else ``src`` is a base encoder (folder
        or hub id) and the head starts fresh."""
        from transformers import AutoModel

        weights = Path(src) / WEIGHTS
        if weights.is_file():
            from safetensors.torch import load_file

            state = load_file(str(weights))
            if any(k.startswith("classifier.") for k in state):
                model = cls(AutoModel.from_config(config), config)
                result = model.load_state_dict({k: v.float() for k, v in state.items()}, False)
                # The heads never read a pooler, so a folder may leave it out.
                missing = [k for k in result.missing_keys if ".pooler." not in k]
                if missing or result.unexpected_keys:
                    names = (missing + result.unexpected_keys)[:3]
                    raise ValueError(f"{WEIGHTS} does not fit the model: {names}")
                return model
        return cls(AutoModel.from_pretrained(src), config)

    def save_pretrained(self, out: str | Path, **_) -> None:
        """Full weights in fp16 and the config (``save_model_folder``'s full fine-tune)."""
        from safetensors.torch import save_file

        state = {k: v.detach().half().contiguous() for k, v in self.state_dict().items()}
        save_file(state, str(Path(out) / WEIGHTS))
        self.config.save_pretrained(str(out))
