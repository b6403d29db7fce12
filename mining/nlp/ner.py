"""Named-entity tagging with a token-classification transformer (the default Chemical+Disease
tagger, or any Hugging Face token-classification folder / hub id).

    tagger = NerTagger.from_pretrained("models/ner-chem-disease")
    for doc in tagger.pipe(docs):                         # a pipeline component: doc.entities
        ...
    for ents in tagger.predict_entities(docs):            # or the entity lists alone
        ...

Like a transformers pipeline: preprocess (sentence windows, ``mining.train.ner_data``) ->
forward (model only, under ``torch.inference_mode()``, length-sorted batches) -> postprocess
(``mining.nlp.span_decoding``, then abbreviation propagation, ``mining.nlp.abbreviations``).
Sentences longer than the model's window are tagged in overlapping windows and stitched, each
token taking the window where it has the most context; nothing is truncated.

Model folders (full checkpoints, LoRA adapters, base deltas) are opened by the one loader,
``mining.nlp.model_loader``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

from mining.nlp.batching import DEFAULT_BATCH_TOKENS, chunks, token_batches
from mining.nlp.component import ENTITIES, Component
from mining.nlp.entity_merge import merge_entities
from mining.nlp.labels import bio_label
from mining.nlp.model_loader import load_model, source_name
from mining.nlp.span_decoding import STRATEGIES, decode, tidy
from mining.nlp.token_encoding import (
    Encoded,
    encode_span,
    special_affixes,
    uses_case_types,
    window_bounds,
)
from mining.types import Document, Entity


def load_token_classifier(path_or_id: str | Path, device: str | None = "cpu", dtype=None):
    """``(model, tokenizer, config)`` of a token-classification model folder, adapter folder,
    base delta or hub id; a ``ModelError`` naming it when it is none of these."""
    return load_model(
        path_or_id,
        "AutoModelForTokenClassification",
        "token-classification",
        device=device,
        dtype=dtype,
    )


def predict_probs(
    model,
    tokenizer,
    encs: Sequence[Encoded],
    batch_size: int = 32,
    max_tokens: int | None = None,
    device=None,
    batch_tokens: int | None = DEFAULT_BATCH_TOKENS,
) -> list[np.ndarray]:
    """Softmax label probabilities (``n_tokens x n_labels``) for every encoded sentence.

    Sentences longer than the window are cut into overlapping windows; each token keeps the
    probabilities of the window in which it sits farthest from an edge. Windows are batched
    by length, at most ``batch_size`` a batch and ``batch_tokens`` padded tokens.
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
    case_types = uses_case_types(model.config)
    out = [np.zeros((len(e.ids), n_labels), dtype=np.float32) for e in encs]
    best = [np.full(len(e.ids), -1, dtype=np.int64) for e in encs]
    affixes = len(prefix) + len(suffix)
    lengths = [b - a + affixes for _, a, b in windows]
    device = device or next(model.parameters()).device
    with torch.inference_mode():
        for rows in token_batches(lengths, batch_size, batch_tokens):
            batch = [windows[w] for w in rows]
            width = max(b - a for _, a, b in batch) + len(prefix) + len(suffix)
            ids = torch.full((len(batch), width), pad, dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for row, (k, a, b) in enumerate(batch):
                seq = [*prefix, *encs[k].ids[a:b], *suffix]
                ids[row, : len(seq)] = torch.tensor(seq)
                mask[row, : len(seq)] = 1
            inputs = {"input_ids": ids.to(device), "attention_mask": mask.to(device)}
            if case_types:
                types = torch.zeros((len(batch), width), dtype=torch.long)
                for row, (k, a, b) in enumerate(batch):
                    types[row, len(prefix) : len(prefix) + b - a] = torch.tensor(encs[k].cased[a:b])
                inputs["token_type_ids"] = types.to(device)
            logits = model(**inputs).logits
            probs = torch.softmax(logits.float(), dim=-1).cpu().numpy()
            shift = len(prefix)
            for row, (k, a, b) in enumerate(batch):
                pos = np.arange(a, b)
                margin = np.minimum(pos - a, b - 1 - pos)
                take = margin > best[k][a:b]
                out[k][a:b][take] = probs[row, shift : shift + b - a][take]
                best[k][a:b][take] = margin[take]
    return out


class NerTagger(Component):
    """Tags documents with a token-classification model: ``pipe`` adds its entities to each
    document's (one per span and type, the higher score kept, as ``merge_entities`` does);
    ``predict_entities`` yields the lists alone."""

    kind = "tagger"
    assigns = (ENTITIES,)

    def __init__(
        self,
        model,
        tokenizer,
        name: str,
        *,
        strategy: str | None = None,
        abbreviations: bool | None = None,
        max_tokens: int | None = None,
        device=None,
    ):
        # Word aggregation as asked, else as the model folder says (``biomine_strategy``,
        # chosen on dev when the tagger was trained), else ``average``.
        strategy = strategy or getattr(model.config, "biomine_strategy", None) or "average"
        if strategy not in STRATEGIES:
            raise ValueError(f"unknown aggregation strategy {strategy!r}; use one of {STRATEGIES}")
        self.model = model
        self.tokenizer = tokenizer
        self.strategy = strategy
        # Abbreviation propagation on unless asked or the model folder says otherwise
        # (``biomine_abbreviations``: it costs the Gene tagger a little on BC2GM).
        if abbreviations is None:
            abbreviations = bool(getattr(model.config, "biomine_abbreviations", True))
        self.abbreviations = abbreviations
        # Windows as long as the training windows (the model card's max_tokens) unless asked.
        self.max_tokens = max_tokens or getattr(model.config, "biomine_max_tokens", None)
        self.device = device
        cfg = model.config
        self.id2label = [bio_label(cfg.id2label[i]) for i in range(cfg.num_labels)]
        self.source = source_name(name, cfg)

    @property
    def types(self) -> set[str]:
        """The store types of the entities this tagger can give."""
        return {label.split("-", 1)[1] for label in self.id2label if label != "O"}

    @classmethod
    def from_pretrained(
        cls, path_or_hub_id: str | Path, *, device=None, dtype=None, **options
    ) -> NerTagger:
        model, tokenizer, _ = load_token_classifier(path_or_hub_id, device or "auto", dtype)
        device = next(model.parameters()).device
        return cls(model, tokenizer, str(path_or_hub_id), device=device, **options)

    def pipe(self, docs: Iterable[Document], batch_size: int = 32) -> Iterator[Document]:
        """The documents with this tagger's entities merged into ``doc.entities``."""
        pending: list[Document] = []

        def stream() -> Iterator[Document]:
            for doc in docs:
                pending.append(doc)
                yield doc

        for found in self.predict_entities(stream(), batch_size):
            doc = pending.pop(0)
            doc.entities = merge_entities([*doc.entities, *found])
            yield doc

    def tag(self, doc: Document) -> list[Entity]:
        """The entities of one document."""
        return next(self.predict_entities([doc]))

    def predict_entities(
        self,
        docs: Iterable[Document],
        batch_size: int = 32,
        docs_per_chunk: int = 64,
        overlap: bool | None = None,
    ) -> Iterator[list[Entity]]:
        """One list of entities per document, in input order; documents are read in chunks so
        a stream is never held whole, and sentences of a chunk are batched by length.

        ``overlap`` (default: on a GPU) splits and tokenizes the next chunk in a background
        thread while the model runs on this one; on a CPU the model already uses every core."""
        pieces = chunks(docs, docs_per_chunk)
        if overlap is None:
            overlap = self.device is not None and str(self.device).startswith("cuda")
        if not overlap:
            for chunk in pieces:
                yield from self._tag(chunk, self.encode(chunk), batch_size)
            return
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(1, thread_name_prefix="tokenize") as tokenizing:
            chunk = next(pieces, None)
            ahead = tokenizing.submit(self.encode, chunk) if chunk else None
            while chunk is not None:
                encoded = ahead.result()
                following = next(pieces, None)
                ahead = tokenizing.submit(self.encode, following) if following else None
                yield from self._tag(chunk, encoded, batch_size)
                chunk = following

    def encode(self, docs: Sequence[Document]) -> tuple[list[Encoded], list[int]]:
        """Preprocess step: every sentence of the documents encoded, and its document's index."""
        from mining.nlp.sentences import split_document

        encs: list[Encoded] = []
        owners: list[int] = []
        for d, doc in enumerate(docs):
            for span in split_document(doc.title, doc.abstract):
                encs.append(encode_span(self.tokenizer, doc.id, doc.text, span))
                owners.append(d)
        return encs, owners

    def predict(self, docs: Sequence[Document], batch_size: int = 32, encoded=None):
        """Forward step only: per document, ``(text, [(Encoded, probs), ...])``; ``encoded``:
        what ``encode`` gave for ``docs``, when the caller has it."""
        encs, owners = encoded or self.encode(docs)
        probs = predict_probs(
            self.model, self.tokenizer, encs, batch_size, self.max_tokens, self.device,
            self.batch_tokens,
        )  # fmt: skip
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

    def _tag(self, docs: list[Document], encoded, batch_size: int) -> Iterator[list[Entity]]:
        for doc, sentences in zip(docs, self.predict(docs, batch_size, encoded), strict=True):
            yield self.postprocess(doc, sentences)
