"""Score saved NER model folders on a gold corpus as the taggers ship (``biomine eval ner``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from mining.errors import InputError
from mining.train.metrics import Scores, mentions, strict_scores
from mining.train.ner_data import load_documents


def evaluate_model(
    models: str | Path | Sequence[str | Path] | None,
    dev_path: str | Path,
    *,
    strategy: str | None = None,
    abbreviations: bool | None = None,
    batch_size: int = 64,
    threads: int = 2,
    device: str | None = "cpu",
) -> dict[str, Scores]:
    """Strict char-offset scores (``mining.train.metrics``) of saved model folders (or hub ids)
    as the taggers ship, against the gold mentions of any corpus ``read_any`` reads (gold types
    mapped by ``mining.entity_types``). ``models`` None means the shipped defaults that tag a
    type the gold has. Only the types the gold corpus annotates are scored (a Gene tagger's
    output does not count against BC5CDR, which has no genes). A corpus without gold mentions
    is an ``InputError``; a model that cannot be loaded a ``ModelError``."""
    from mining.nlp.tagger_set import TaggerSet
    from mining.shipped_models import default_ner_models

    docs = load_documents(dev_path)
    gold = {(e.doc_id, e.start, e.end, e.label) for d in docs for e in d.entities}
    if not gold:
        raise InputError(str(dev_path), "no gold entities to evaluate against")
    gold_types = {m[3] for m in gold}
    if models is None:
        models = [m for m in default_ner_models() if model_types(m) & gold_types]
        if not models:
            raise InputError(str(dev_path), f"no shipped tagger gives {sorted(gold_types)}")
    elif isinstance(models, (str, Path)):
        models = [models]
    import torch

    torch.set_num_threads(threads)
    tagger = TaggerSet.from_pretrained(
        models, device=device, strategy=strategy, abbreviations=abbreviations
    )
    pred = set()
    for ents in tagger.predict_entities(docs, batch_size=batch_size):
        pred |= {m for m in mentions(ents) if m[3] in gold_types}
    return strict_scores(gold, pred)


def model_types(model: str | Path) -> set[str]:
    """The store types a token-classification model folder or hub id tags, from its config
    alone (no weights loaded); empty when it has no readable config."""
    from transformers import AutoConfig

    from mining.nlp.labels import bio_label

    try:
        labels = AutoConfig.from_pretrained(str(model)).id2label.values()
    except (OSError, ValueError):
        return set()
    return {bio_label(x).split("-", 1)[1] for x in labels if bio_label(x) != "O"}
