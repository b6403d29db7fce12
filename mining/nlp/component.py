"""The one shape of a pipeline component, and the check that a pipeline's order makes sense.

A component (spaCy's pipes, transformers' pipelines are the models here):

- has a ``source``, ``folder-or-hub-id@version``, which the store writes on every row it
  produces and in its processed marks, so runs of different versions live side by side;
- says what it ``requires`` of a document and what it ``assigns``: ``entities`` (taggers),
  ``concepts`` (the normaliser fills the entities' concept ids), ``relations``, ``sentences``,
  ``embeddings`` (a vector a document, in ``doc.meta["embeddings"][source]``);
- is built by ``from_pretrained(path or hub id, device=, dtype=)``, which opens weights through
  the one model loader (``mining.nlp.model_loader``);
- processes a batch with ``pipe(docs)``: it predicts for the whole batch, then writes its
  results onto the documents (``doc.entities``, ``doc.relations``) and yields them in order.

``check_order`` refuses a pipeline in which a component comes before what it requires, naming
both, before any model is loaded or any document read.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from mining.errors import BioMineError
from mining.nlp.batching import DEFAULT_BATCH_TOKENS
from mining.types import Document

SENTENCES, ENTITIES, CONCEPTS, RELATIONS = "sentences", "entities", "concepts", "relations"
EMBEDDINGS = "embeddings"  # one dense vector a document (``mining.nlp.embeddings``)


class PipelineError(BioMineError):
    """Components in an order that cannot work."""


class Component(ABC):
    """What every pipeline step is; subclasses set the class attributes and ``source``."""

    kind: str = "component"  # in words, for messages: "tagger", "relation classifier", ...
    requires: tuple[str, ...] = ()
    assigns: tuple[str, ...] = ()
    marks = True  # whether the store records which documents it processed (it writes rows)
    # Padded tokens a forward pass may hold (components that run a model batch by it).
    batch_tokens: int | None = DEFAULT_BATCH_TOKENS
    source: str

    @classmethod
    @abstractmethod
    def from_pretrained(
        cls, path_or_id: str | Path, *, device: str | None = None, dtype: str | None = None
    ) -> Component:
        """Open the model (or table) behind this component."""

    @abstractmethod
    def pipe(self, docs: Iterable[Document], batch_size: int = 32) -> Iterator[Document]:
        """The documents, in order, with what this component assigns written onto them."""

    def __call__(self, doc: Document) -> Document:
        return next(iter(self.pipe([doc])))

    def __repr__(self) -> str:
        return f"{self.kind} {self.source}"


def check_order(components: Sequence[Component]) -> None:
    """A ``PipelineError`` naming the first component that needs something no component
    before it assigns (and the later one that does assign it, if any)."""
    if not components:
        raise PipelineError("a pipeline needs at least one component")
    assigned: set[str] = set()
    for i, component in enumerate(components):
        for need in component.requires:
            if need in assigned:
                continue
            later = next((c for c in components[i + 1 :] if need in c.assigns), None)
            where = f"; {later!r} does, but comes after it" if later else ""
            raise PipelineError(
                f"{component!r} requires {need}, which no component before it assigns{where}"
            )
        assigned.update(component.assigns)
    sources = [c.source for c in components]
    if len(set(sources)) != len(sources):
        twice = sorted({s for s in sources if sources.count(s) > 1})
        raise PipelineError(f"the same model appears twice in the pipeline: {', '.join(twice)}")
