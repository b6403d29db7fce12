"""What a pipeline will be, worked out from the model folders' configs before any weights load.

``biomine run`` checks every model first (a bad ``--re-model`` is reported at once, not after
the taggers took 20 s to load) and counts what is pending with the sources the plan names
(nothing pending: no model is loaded at all); only then are the weights loaded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mining.errors import InputError
from mining.nlp.component import Component
from mining.nlp.model_loader import read_config, source_name


@dataclass(frozen=True)
class ComponentSpec:
    """A component not loaded yet: its class, model reference and the source it will have."""

    cls: type[Component]
    ref: str | Path | None
    source: str
    options: dict = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.cls.kind

    @property
    def requires(self) -> tuple[str, ...]:
        return self.cls.requires

    @property
    def assigns(self) -> tuple[str, ...]:
        return self.cls.assigns

    @property
    def marks(self) -> bool:
        return self.cls.marks

    def load(self, *, device: str | None = None, dtype: str | None = None) -> Component:
        return self.cls.from_pretrained(self.ref, device=device, dtype=dtype, **self.options)

    def __repr__(self) -> str:
        return f"{self.kind} {self.source}"


def plan(
    ner_models: Sequence[str | Path] | None = None,
    re_models: Sequence[str | Path] | None = None,
    concepts: str | Path | None = None,
    embed_model: str | Path | None = None,
    *,
    embeddings: bool = False,
) -> list[ComponentSpec]:
    """Sentences, the taggers, the concept table, the relation extractors (a causal LM folder
    is a generative extractor, anything else a marker classifier) and, last, the document
    embedder (only when ``embeddings``: a new component makes every document pending again
    for the whole pipeline, so a processed database embeds with ``biomine embed``): the given
    models, or the shipped defaults (``mining.shipped_models``). A ``ModelError`` names a bad
    one."""
    from mining.nlp.biogpt.generative_relations import GenerativeRelationExtractor
    from mining.nlp.ner import NerTagger
    from mining.nlp.normalise import ConceptNormaliser
    from mining.nlp.relations.classifier import RelationClassifier
    from mining.nlp.sentences import SentenceSplitter
    from mining.shipped_models import default_concepts, default_ner_models, default_re_models

    specs = [ComponentSpec(SentenceSplitter, None, SentenceSplitter.source)]
    for model in ner_models or default_ner_models():
        specs.append(ComponentSpec(NerTagger, model, source_name(model, read_config(model))))
    table = Path(concepts) if concepts else default_concepts()
    specs.append(ComponentSpec(ConceptNormaliser, table, concepts_source(table)))
    for model in default_re_models() if re_models is None else re_models:
        config = read_config(model)
        causal = any(a.endswith("ForCausalLM") for a in config.architectures or ())
        cls = GenerativeRelationExtractor if causal else RelationClassifier
        specs.append(ComponentSpec(cls, model, source_name(model, config)))
    if embeddings:
        specs.append(embedder_spec(embed_model))
    return specs


def embedder_spec(embed_model: str | Path | None = None) -> ComponentSpec:
    """The document embedder (default: the shipped reference), checked from its config."""
    from mining.nlp.embeddings import Embedder, embedder_source
    from mining.shipped_models import default_embedder

    model = embed_model or default_embedder()
    return ComponentSpec(Embedder, model, embedder_source(model))


def concepts_source(folder: str | Path) -> str:
    """The source a concept table will have (``ConceptNormaliser.load`` computes the same)."""
    from mining.nlp.normalise import FILENAME, table_source

    path = Path(folder) / FILENAME
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(str(path), f"cannot read concept dictionary: {error}") from error
    return table_source(folder, hashlib.sha256(data).hexdigest())
