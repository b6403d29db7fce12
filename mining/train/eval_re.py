"""Score a relation classifier on a task's gold corpus: with the gold entities (the standard
setting of ChemProt, DDI and BC5CDR CID), and for CID also end to end from raw text (BioMine's
tagger + concept normalisation + relations, the setting of BioGPT's reported 44.98 F1)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from mining.errors import InputError
from mining.nlp.normalise import TEXT_KEY
from mining.nlp.relations.classifier import RelationClassifier
from mining.nlp.relations.tasks import TASKS
from mining.train.metrics import Scores
from mining.train.re_data import load_task_documents
from mining.train.re_metrics import relation_keys, relation_scores
from mining.types import Document


def evaluate_relations(
    classifier: RelationClassifier, docs: list[Document], batch_size: int = 64
) -> dict[str, Scores]:
    """The task's scores of ``classifier`` on the documents' gold entities."""
    task = classifier.task
    gold = relation_keys(task, [r for d in docs for r in d.relations])
    predicted = set()
    for rels in classifier.predict_relations(docs, batch_size=batch_size):
        predicted |= relation_keys(task, rels)
    return relation_scores(gold, predicted, task.labels)


def evaluate_end_to_end(
    classifier: RelationClassifier, docs: list[Document], tagger, normaliser, batch_size: int = 64
) -> dict[str, Scores]:
    """Scores from raw text: entities from ``tagger`` (gold ones are not used), concept ids
    from ``normaliser``, then the classifier; relations count by concept pair."""
    task = classifier.task
    gold = relation_keys(task, [r for d in docs for r in d.relations])
    texts = [replace(d, entities=[], relations=[]) for d in docs]
    predicted = set()
    found = tagger.predict_entities(texts, batch_size=batch_size)
    for doc, entities in zip(texts, found, strict=True):
        entities = normaliser.normalise(doc.text, entities)
        rels = classifier.relations(doc, entities, batch_size)
        # The benchmark scores MeSH id pairs: a relation with an unnormalised argument (a
        # text key) is kept in the store but is no answer here.
        predicted |= relation_keys(task, [r for r in rels if not is_text_key(r.head, r.tail)])
    return relation_scores(gold, predicted, task.labels)


def is_text_key(*keys: str) -> bool:
    return any(k.startswith(TEXT_KEY) for k in keys)


def evaluate_model(
    task_name: str,
    gold_path: str | Path,
    model: str | Path | None = None,
    *,
    split: str = "all",
    end_to_end: bool = True,
    ner_models: list[str | Path] | None = None,
    concepts: str | Path | None = None,
    batch_size: int = 64,
    threads: int = 2,
    device: str | None = "cpu",
) -> dict[str, dict[str, Scores]]:
    """``{"gold_entities": scores}``, plus ``"end_to_end"`` for a document-level task (CID)
    when ``end_to_end``, tagging with ``ner_models`` (default: the shipped Chemical + Disease
    tagger) and the concept dictionary folder ``concepts`` (default: the shipped one).
    ``model`` defaults to the shipped classifier of the task."""
    import torch

    task = TASKS[task_name]
    torch.set_num_threads(threads)
    docs = load_task_documents(task, gold_path, split)
    if not any(r.label in task.labels for d in docs for r in d.relations):
        raise InputError(str(gold_path), f"no gold {task.name} relations to evaluate against")
    if model is None:
        from mining.shipped_models import shipped

        model = shipped(f"re-{task.name}")
    classifier = RelationClassifier.from_pretrained(model, task=task.name, device=device)
    results = {"gold_entities": evaluate_relations(classifier, docs, batch_size)}
    if end_to_end and task.document_level:
        from mining.nlp.normalise import ConceptNormaliser
        from mining.nlp.tagger_set import TaggerSet
        from mining.shipped_models import default_ner_models

        tagger = TaggerSet.from_pretrained(ner_models or default_ner_models()[:1], device=device)
        results["end_to_end"] = evaluate_end_to_end(
            classifier, docs, tagger, ConceptNormaliser.load(concepts), batch_size
        )
    return results
