"""Relation extraction with a sequence-classification transformer over marked entity pairs.

    classifier = RelationClassifier.from_pretrained("models/re-chemprot")
    for doc in classifier.pipe(docs):             # a pipeline component: reads doc.entities,
        ...                                       # adds to doc.relations
    for rels in classifier.predict_relations(docs, entities_per_doc):
        ...

preprocess (``candidates``: pairs of the task's types, typed markers) -> forward
(model only, ``torch.inference_mode()``, length-sorted batches) -> postprocess (the most
probable label per candidate; ``none`` drops it). Any Hugging Face sequence-classification
folder, LoRA adapter folder or hub id opens, encoder or BioGPT, and so do folders of BioMine's
entity-marker head (``mining.nlp.relations.pair_model``, the shipped defaults), as long as
their labels are the task's (``none`` plus the relation labels); the task is read from the
folder's config (``biomine_task``) unless given.

A candidate whose marked text is longer than the window keeps the tokens around its two
mentions (the text between them first); the classifier never sees more than it was trained on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

from mining.errors import ModelError
from mining.nlp.batching import token_batches
from mining.nlp.component import ENTITIES, RELATIONS, Component
from mining.nlp.model_folder import uses_entity_markers
from mining.nlp.model_loader import load_model, source_name
from mining.nlp.normalise import text_key
from mining.nlp.padding import pad_batch
from mining.nlp.relations.candidates import (
    HEAD_MARK,
    HEAD_TYPE_MARK,
    TAIL_MARK,
    TAIL_TYPE_MARK,
    Candidate,
    candidates,
    marked_text,
)
from mining.nlp.relations.span_marking import (
    SPAN_MARKING,
    SpanRow,
    encode_span,
    marked_spans,
)
from mining.nlp.relations.tasks import NONE, RelationTask, task_of
from mining.nlp.token_encoding import special_affixes
from mining.types import Document, Entity, Relation

DEFAULT_MAX_TOKENS = 256
CANDIDATES_PER_STEP = 2048


def concept_key(e: Entity) -> str:
    """The key a relation argument aggregates under: its concept, else the key the concept
    normaliser gives an unmatched mention (so both paths aggregate the same text together)."""
    return e.concept_id or text_key(e.label, e.text)


class EncodedPair(NamedTuple):
    ids: list[int]
    positions: tuple[int, int]  # the head's and the tail's opening markers in ``ids``


def marker_positions(text: str, offsets: Sequence[tuple[int, int]]) -> tuple[int, int]:
    """Token indices of the head's and the tail's opening markers (``@ *`` and ``# ^``: a
    mark followed by its type mark, which ordinary text hardly ever has); 0 when absent."""
    pieces = [text[s:e].strip() for s, e in offsets]
    found = {}
    for i in range(len(pieces) - 1):
        pair = (pieces[i], pieces[i + 1])
        if pair == (HEAD_MARK, HEAD_TYPE_MARK):
            found.setdefault(HEAD_MARK, i)
        elif pair == (TAIL_MARK, TAIL_TYPE_MARK):
            found.setdefault(TAIL_MARK, i)
    return found.get(HEAD_MARK, 0), found.get(TAIL_MARK, 0)


def encode_candidate(
    tokenizer, text: str, max_tokens: int, affixes: tuple[list[int], list[int]] | None = None
) -> EncodedPair:
    """Token ids of a marked text with the tokenizer's special tokens (``affixes``, from
    ``special_affixes``: pass them when encoding many texts), at most ``max_tokens``, and the
    positions of its two opening markers. A longer text keeps the stretch around its mentions
    (both marked mentions whole when they fit)."""
    prefix, suffix = affixes or special_affixes(tokenizer)
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    ids = list(enc["input_ids"])
    offsets = enc["offset_mapping"]
    head, tail = marker_positions(text, offsets)
    room = max_tokens - len(prefix) - len(suffix)
    if len(ids) > room:
        marks = [
            i for i, (s, e) in enumerate(offsets) if text[s:e].strip() in (HEAD_MARK, TAIL_MARK)
        ]  # the last one closes the later mention
        last = marks[-1] if marks else len(ids) - 1
        ids, head, tail = crop_around(ids, head, tail, last, room)
    n = len(prefix)
    return EncodedPair([*prefix, *ids, *suffix], (head + n, tail + n))


def crop_around(
    ids: list[int], head: int, tail: int, last: int, room: int
) -> tuple[list[int], int, int]:
    """At most ``room`` of ``ids`` around a pair whose opening markers are at ``head`` and
    ``tail`` and whose later mention closes at ``last``: the stretch around both mentions
    when it fits, else each end with its own context; the markers' new positions."""
    first = min(head, tail)
    if last - first + 1 <= room:
        spare = room - (last - first + 1)
        a = max(0, min(first - spare // 2, len(ids) - room))
        return ids[a : a + room], head - a, tail - a
    half = room // 2
    cut = last + 1 - (room - half)
    kept = ids[first : first + half] + ids[cut : last + 1]
    head, tail = (p - first if p < first + half else half + max(0, p - cut) for p in (head, tail))
    return kept, head, tail


def model_inputs(batch: Sequence[EncodedPair], pad_id: int, entity_markers: bool) -> dict:
    """Right-padded ``input_ids`` and ``attention_mask`` (and ``entity_positions`` for an
    entity-marker head) of a batch of encoded candidates."""
    import torch

    ids, mask = pad_batch([x.ids for x in batch], pad_id)
    inputs = {"input_ids": ids, "attention_mask": mask}
    if entity_markers:
        inputs["entity_positions"] = torch.tensor([x.positions for x in batch])
    return inputs


def span_inputs(batch: Sequence[SpanRow], pad_id: int) -> dict:
    """A batch of span rows as model inputs: ids, mask, every pair's two marker positions and
    its row (``pair_rows``); ``candidates``: the candidate index of each pair, in order."""
    import torch

    ids, mask = pad_batch([row.ids for row in batch], pad_id)
    pairs = [(r, i, h, t) for r, row in enumerate(batch) for i, h, t in row.pairs]
    return {
        "input_ids": ids,
        "attention_mask": mask,
        "entity_positions": torch.tensor([(h, t) for _, _, h, t in pairs], dtype=torch.long),
        "pair_rows": torch.tensor([r for r, _, _, _ in pairs], dtype=torch.long),
        "candidates": [i for _, i, _, _ in pairs],
    }


class RelationClassifier(Component):
    """Classifies the candidate pairs of a task: ``pipe`` adds the relations found among each
    document's entities to ``doc.relations``; ``predict_relations`` yields the lists alone."""

    kind = "relation classifier"
    requires = (ENTITIES,)
    assigns = (RELATIONS,)

    def __init__(
        self,
        model,
        tokenizer,
        task: RelationTask,
        name: str,
        *,
        max_tokens: int | None = None,
        device=None,
    ):
        cfg = model.config
        labels = [cfg.id2label[i] for i in range(cfg.num_labels)]
        if set(labels) != set(task.classes):
            raise ModelError(name, f"labels {labels} are not the {task.name} task's {task.classes}")
        self.model, self.tokenizer, self.task = model, tokenizer, task
        self.labels = labels
        self.max_tokens = max_tokens or getattr(cfg, "biomine_max_tokens", DEFAULT_MAX_TOKENS)
        # Never past the model's positions (a small model may have fewer than the default).
        positions = getattr(cfg, "max_position_embeddings", None)
        if isinstance(positions, int) and positions > 0:
            self.max_tokens = min(self.max_tokens, positions)
        self.device = device
        self.entity_markers = uses_entity_markers(cfg)
        # Trained on one marked copy per span (all its pairs at once): read the same way.
        self.span_marking = getattr(cfg, "biomine_marking", None) == SPAN_MARKING
        if self.span_marking and not self.entity_markers:
            raise ModelError(name, "span marking needs the entity-marker head")
        # Trained on a share of the none pairs, a model underrates none by that share's odds;
        # its folder says by how much (``biomine_none_bias``, a log-odds shift), added back here.
        self.none_bias = float(getattr(cfg, "biomine_none_bias", 0.0))
        self.source = source_name(name, cfg)

    @classmethod
    def from_pretrained(
        cls,
        path_or_hub_id: str | Path,
        task: str | None = None,
        *,
        device=None,
        dtype=None,
        **options,
    ) -> RelationClassifier:
        """``task`` as the folder's config says (``biomine_task``) unless given."""
        model, tokenizer, config = load_model(
            path_or_hub_id,
            "AutoModelForSequenceClassification",
            "sequence-classification",
            device=device or "auto",
            dtype=dtype,
        )
        name = str(path_or_hub_id).rstrip("/")
        relation_task = task_of(name, config, task)
        device = next(model.parameters()).device
        return cls(model, tokenizer, relation_task, name, device=device, **options)

    def predict(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Label probabilities (``len(texts) x n_labels``, columns in ``self.labels`` order)."""
        affixes = special_affixes(self.tokenizer)
        encoded = [encode_candidate(self.tokenizer, t, self.max_tokens, affixes) for t in texts]

        def inputs_of(rows: list[int]):
            return model_inputs([encoded[i] for i in rows], self.pad_id, self.entity_markers), rows

        return self._probabilities(len(texts), [len(x.ids) for x in encoded], inputs_of, batch_size)

    @property
    def pad_id(self) -> int:
        return self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0

    def _probabilities(self, n: int, lengths: list[int], inputs_of, batch_size: int) -> np.ndarray:
        """``n`` rows of label probabilities (``none`` shifted by the folder's bias) from the
        inputs batched by length: ``inputs_of(batch)`` gives a batch's model inputs and the
        output row of each of its logits."""
        import torch

        out = np.zeros((n, len(self.labels)), dtype=np.float32)
        device = self.device or next(self.model.parameters()).device
        none = self.labels.index(NONE)
        with torch.inference_mode():
            for batch in token_batches(lengths, batch_size, self.batch_tokens):
                inputs, rows = inputs_of(batch)
                logits = self.model(**{k: v.to(device) for k, v in inputs.items()}).logits.float()
                logits[:, none] += self.none_bias
                out[rows] = torch.softmax(logits, dim=-1).cpu().numpy()
        return out

    def pipe(self, docs: Iterable[Document], batch_size: int = 32) -> Iterator[Document]:
        """The documents with the relations among their entities added to ``doc.relations``
        (sentences as ``candidates.sentence_spans`` reads them)."""
        for doc in docs:
            doc.relations = [*doc.relations, *self.relations(doc, doc.entities, batch_size)]
            yield doc

    def predict_relations(
        self,
        docs: Iterable[Document],
        entities: Iterable[Sequence[Entity]] | None = None,
        batch_size: int = 32,
    ) -> Iterator[list[Relation]]:
        """One list of relations per document, in input order; ``entities`` per document
        (default: each document's own, e.g. gold ones). Documents go one at a time into
        candidates, and candidates of a document in length-sorted batches."""
        entity_lists = iter(entities) if entities is not None else None
        for doc in docs:
            ents = next(entity_lists) if entity_lists is not None else doc.entities
            yield self.relations(doc, ents, batch_size)

    def relations(
        self,
        doc: Document,
        entities: Sequence[Entity],
        batch_size: int = 32,
        sentences: Sequence[tuple[int, int]] | None = None,
    ) -> list[Relation]:
        """``sentences``: the document's, when the caller has them (else split here)."""
        cands = candidates(doc, entities, self.task, sentences)
        text = doc.text
        out = []
        # Marked texts a step at a time: a huge document's candidates never all sit in memory.
        for k in range(0, len(cands), CANDIDATES_PER_STEP):
            step = cands[k : k + CANDIDATES_PER_STEP]
            if self.span_marking:
                probs = self.predict_spans(text, step, batch_size)
            else:
                probs = self.predict([marked_text(text, c, self.task) for c in step], batch_size)
            out += [
                r
                for c, p in zip(step, probs, strict=True)
                if (r := self.relation(doc.id, c, p)) is not None
            ]
        return out

    def predict_spans(
        self, text: str, cands: Sequence[Candidate], batch_size: int = 32
    ) -> np.ndarray:
        """Label probabilities of each candidate, read from one marked copy of its span
        shared with the span's other candidates (``span_marking``)."""
        affixes = special_affixes(self.tokenizer)
        rows = [
            row
            for span in marked_spans(text, cands, self.task)
            for row in encode_span(self.tokenizer, span, self.max_tokens, affixes)
        ]

        def inputs_of(which: list[int]):
            inputs = span_inputs([rows[i] for i in which], self.pad_id)
            return inputs, inputs.pop("candidates")

        return self._probabilities(len(cands), [len(r.ids) for r in rows], inputs_of, batch_size)

    def relation(self, doc_id: str, candidate: Candidate, probs: np.ndarray) -> Relation | None:
        """The candidate's most probable label as a Relation; None when it is ``none``."""
        best = int(np.argmax(probs))
        label = self.labels[best]
        if label == NONE:
            return None
        head, tail = candidate.head, candidate.tail
        return Relation(
            doc_id,
            concept_key(head),
            concept_key(tail),
            label,
            round(float(probs[best]), 4),
            candidate.span,
            self.source,
            head,
            tail,
        )
