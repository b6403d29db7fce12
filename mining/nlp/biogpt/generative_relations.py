"""Relations generated as text by a BioGPT decoder, in the BioGPT paper's target format.

BioGPT (Luo et al. 2022) fine-tunes ``BioGptForCausalLM`` to write, after the abstract,
one sentence per relation, joined by "; ":

- BC5CDR CID: ``the relation between {chemical} and {disease} exists``
- DDI-2013 and ChemProt: ``the interaction between {drug} and {target} is {type}``

``target_text`` writes these targets from gold relations (training); ``parse_target`` reads a
generated text back into (head, tail, label) triples, and ``link_relations`` turns them into
``Relation`` rows linked to the document's entity mentions (matched on a folded form of the
names, since the decoder writes Moses-detokenised text: "Li +" for "Li+"). The same code
runs ``microsoft/biogpt`` checkpoints fine-tuned this way and the small models built here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from mining.nlp.component import ENTITIES, RELATIONS, Component
from mining.nlp.relations.candidates import concept_ids
from mining.nlp.relations.tasks import RelationTask, task_of
from mining.types import Document, Entity, Relation

SEPARATOR = "; "
_CDR = re.compile(r"the relation between (.+?) and (.+?) exists")
_INTERACTION = re.compile(r"the interaction between (.+?) and (.+?) is (\S+)")
_FOLD = re.compile(r"[^\w]+")


def fold(name: str) -> str:
    """Case, spacing and punctuation folded away: how a generated name meets a mention."""
    return _FOLD.sub("", name.casefold())


def relation_sentence(task: RelationTask, head: str, tail: str, label: str) -> str:
    if task.document_level:
        return f"the relation between {head} and {tail} exists"
    return f"the interaction between {head} and {tail} is {label}"


def target_text(task: RelationTask, doc: Document) -> str:
    """The target of a document's gold relations: each concept pair once (CID) or each
    mention pair once (DDI, ChemProt), named by its first mention's text, in text order."""
    sentences: list[str] = []
    seen: set[tuple[str, str, str]] = set()
    first_mention: dict[str, Entity] = {}
    for e in sorted(doc.entities, key=lambda e: e.start):
        for concept in concept_ids(e):
            first_mention.setdefault(concept, e)
    pairs = []
    for r in doc.relations:
        if r.label not in task.labels:
            continue
        if task.document_level:
            head = first_mention.get(r.head.split("|")[0])
            tail = first_mention.get(r.tail.split("|")[0])
        else:
            head, tail = r.head_mention, r.tail_mention
        if head is None or tail is None:
            continue
        pairs.append((min(head.start, tail.start), head.text, tail.text, r.label))
    for _, head, tail, label in sorted(pairs):
        key = (fold(head), fold(tail), label)
        if key not in seen:
            seen.add(key)
            sentences.append(relation_sentence(task, head, tail, label))
    return SEPARATOR.join(sentences)


def parse_target(task: RelationTask, text: str) -> list[tuple[str, str, str]]:
    """(head name, tail name, label) of every well-formed relation sentence in ``text``;
    malformed pieces and labels the task does not know are skipped."""
    triples = []
    for piece in text.split(";"):
        piece = piece.strip()
        if task.document_level:
            if m := _CDR.fullmatch(piece):
                triples.append((m[1].strip(), m[2].strip(), task.labels[0]))
        elif (m := _INTERACTION.fullmatch(piece)) and m[3] in task.labels:
            triples.append((m[1].strip(), m[2].strip(), m[3]))
    return triples


def link_relations(
    task: RelationTask,
    doc: Document,
    entities: Sequence[Entity],
    triples: Iterable[tuple[str, str, str]],
    source: str,
    score: float = 1.0,
) -> list[Relation]:
    """Relations for the triples whose names match a mention of the right type (the first
    such mention in the text); a name that matches no mention is dropped (the decoder may
    invent names, and an unlinked relation cannot be shown with its evidence)."""
    from mining.nlp.relations.classifier import concept_key

    by_name: dict[tuple[str, str], Entity] = {}
    for e in sorted(entities, key=lambda e: e.start):
        by_name.setdefault((fold(e.text), e.label), e)

    def find(name: str, types: frozenset[str]) -> Entity | None:
        return next((by_name[k] for t in sorted(types) if (k := (fold(name), t)) in by_name), None)

    out = []
    for head_name, tail_name, label in triples:
        head, tail = find(head_name, task.head_types), find(tail_name, task.tail_types)
        if head is None or tail is None:
            continue
        evidence = (min(head.start, tail.start), max(head.end, tail.end))
        out.append(
            Relation(
                doc.id,
                concept_key(head),
                concept_key(tail),
                label,
                score,
                evidence,
                source,
                head,
                tail,
            )
        )
    return out


class GenerativeRelationExtractor(Component):
    """A causal LM (``BioGptForCausalLM`` or any other) fine-tuned on ``source </s> target``:
    generates the target after a document's text (greedy) and links the relations it names
    to the document's entity mentions."""

    kind = "generative relation extractor"
    requires = (ENTITIES,)
    assigns = (RELATIONS,)

    def __init__(self, model, tokenizer, task: RelationTask, name: str, max_source: int = 400):
        from mining.nlp.model_loader import source_name

        self.model, self.tokenizer, self.task = model, tokenizer, task
        self.max_source = max_source
        self.source = source_name(name, model.config)

    @classmethod
    def from_pretrained(
        cls, path_or_hub_id: str | Path, task: str | None = None, *, device=None, dtype=None
    ) -> GenerativeRelationExtractor:
        """Through the one loader, so LoRA and base delta folders open too."""
        from mining.nlp.model_loader import load_model

        model, tokenizer, config = load_model(
            path_or_hub_id,
            "AutoModelForCausalLM",
            "causal LM",
            device=device or "auto",
            dtype=dtype,
        )
        name = str(path_or_hub_id).rstrip("/")
        relation_task = task_of(name, config, task)
        max_source = getattr(config, "biomine_max_source", 400)  # as it was trained
        return cls(model, tokenizer, relation_task, name, max_source)

    def pipe(self, docs: Iterable[Document], batch_size: int = 32) -> Iterator[Document]:
        for doc in docs:
            doc.relations = [*doc.relations, *self.relations(doc, doc.entities)]
            yield doc

    def prompt_ids(self, text: str) -> list[int]:
        """``</s> source </s>``: BioGPT's own start, the text cut to ``max_source`` tokens."""
        ids = self.tokenizer(text, add_special_tokens=False)["input_ids"][: self.max_source]
        sep = self.tokenizer.eos_token_id
        return [sep, *ids, sep]

    def generate(self, doc: Document, max_new_tokens: int = 128) -> str:
        import torch

        ids = torch.tensor([self.prompt_ids(doc.text)], device=self.model.device)
        with torch.inference_mode():
            out = self.model.generate(
                ids,
                attention_mask=torch.ones_like(ids),
                max_new_tokens=max_new_tokens,
                do_sample=False,
                num_beams=1,
                eos_token_id=self.tokenizer.eos_token_id,
                pad_token_id=self.tokenizer.pad_token_id,
            )
        return self.tokenizer.decode(out[0, ids.shape[1] :], skip_special_tokens=True)

    def relations(self, doc: Document, entities: Sequence[Entity]) -> list[Relation]:
        triples = parse_target(self.task, self.generate(doc))
        return link_relations(self.task, doc, entities, triples, self.source)
