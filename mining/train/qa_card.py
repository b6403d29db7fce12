"""The model card of a PubMedQA reader folder, from its ``training_metrics.json``."""

from __future__ import annotations

import json
from pathlib import Path

from mining.nlp.qa.answers import LABELS
from mining.train.card import Card, folder_size, write


def scores_rows(scores: dict) -> str:
    lines = ["| answer | P | R | F1 | gold | predicted |", "|---|---:|---:|---:|---:|---:|"]
    for label in LABELS:
        s = scores["labels"][label]
        lines.append(
            f"| {label} | {s['precision']:.2f} | {s['recall']:.2f} | {s['f1']:.2f} | "
            f"{s['gold']} | {s['predicted']} |"
        )
    return "\n".join(lines)


def confusion_rows(scores: dict) -> str:
    lines = ["| gold \\ predicted | yes | no | maybe |", "|---|---:|---:|---:|"]
    for g in LABELS:
        row = scores["confusion"][g]
        lines.append(f"| {g} | " + " | ".join(str(row[p]) for p in LABELS) + " |")
    return "\n".join(lines)


def cross_validation_section(cv: dict | None, folder: Path) -> str:
    if not cv:
        return "No cross-validation was recorded with this folder."
    free = cv["reasoning_free"]
    folds = ", ".join(f"{row['accuracy']:.0f}" for row in cv["folds"])
    return f"""\
{cv["n_folds"]}-fold stratified cross-validation over the {cv["n"]} labelled questions of
`pqal_trainval.json` (each question answered once, by the reader trained on the other
folds with this folder's recipe; nothing was picked on the held-out folds), {cv["minutes"]} min.
Reproduce: `biomine train qa --train ../shared/data/pubmedqa/pqal_trainval.json \\
--cross-validate {cv["n_folds"]} --report cv.json` with this folder's options (below).

| setting | accuracy | macro-F1 |
|---|---:|---:|
| reasoning-required (contexts, no conclusion) | {cv["accuracy"]:.2f} | {cv["macro_f1"]:.2f} |
| reasoning-free (contexts + conclusion) | {free["accuracy"]:.2f} | {free["macro_f1"]:.2f} |
| always "yes" (the majority answer) | {100 * cv["labels"]["yes"]["gold"] / cv["n"]:.2f} | \
{majority_f1(cv):.2f} |

Reasoning-required, per answer:

{scores_rows(cv)}

{confusion_rows(cv)}

Accuracy of each fold (reasoning-required): {folds}."""


def majority_f1(cv: dict) -> float:
    share = cv["labels"]["yes"]["gold"] / cv["n"]
    return 100 * (2 * share / (1 + share)) / len(LABELS)


def write_qa_card(folder: str | Path, notes: str = "") -> Path:
    folder = Path(folder)
    m = json.loads((folder / "training_metrics.json").read_text())
    cfg, phases = m["config"], m["phases"]
    artificial = phases.get("artificial", {}).get("examples", 0)
    head = (
        "a two-layer head on the mean of the encoder's states (`mining.nlp.pooled_classifier`)"
        if cfg.get("head") == "mean"
        else "transformers' sequence-classification head"
    )
    answers = ", ".join(f"{label} {n}" for label, n in m["answers"].items())
    free = " and again reasoning-free (with its conclusion)" if cfg["long_answer"] else ""
    first_phase = (
        f"First phase: {artificial} artificial PQA-A-style questions built from the abstracts "
        "of the database given to `--artificial-from` (statement titles turned into questions, "
        "the conclusion left out; `mining.train.qa_artificial`)."
        if artificial
        else "No artificial first phase."
    )
    weighed = ", each answer weighed by the inverse of its share" if cfg["balance"] else ""
    after = (
        f"after {cfg['artificial_epochs']} unweighted epoch(s) on the artificial ones, "
        if artificial
        else ""
    )
    card = Card(
        header={
            "license": "apache-2.0",
            "language": "en",
            "library_name": "transformers",
            "pipeline_tag": "text-classification",
            "base_model": "sentence-transformers/all-MiniLM-L6-v2",
            "datasets": ["qiaojin/PubMedQA"],
            "metrics": ["accuracy", "f1"],
            "tags": ["biomedical", "question-answering", "pubmedqa"],
        },
        title=f"{folder.name} — BioMine's PubMedQA reader",
        what=f"""\
Answers a yes/no/maybe question about one abstract: reads `question [SEP] abstract` (middle
sentences dropped first when longer than {cfg["max_tokens"]} tokens,
`mining.nlp.qa.encoding`) with {head}, and names the sentence that alone gives the answer
the highest probability. A LoRA adapter (r={cfg["lora_r"]}) with the trained LayerNorms and
head on the MiniLM-L6 encoder of the installed package `{cfg["base"]}`, merged at load
time. Folder size: {folder_size(folder) / 1024:.0f} KiB.""",
        usage=f"""\
`biomine ask "Do statins reduce ...?" --model models/{folder.name}` (the default reader), or in
Python `mining.nlp.qa.QuestionReader.from_pretrained("models/{folder.name}")` and its
`answers(question, documents)`.""",
        data=f"""\
PubMedQA PQA-L (Jin et al., EMNLP 2019; MIT): {m["questions"]} labelled questions of
`{Path(cfg["train"]).name}` ({answers}), {phases["labelled"]["examples"]} training examples:
each question reasoning-required{free}. {first_phase} The 500 official test questions were
never seen.""",
        metrics_title="Cross-validated metrics (PubMedQA's accuracy and macro-F1)",
        metrics=cross_validation_section(m.get("cross_validation"), folder),
        notes=notes,
        command=m.get("command") or "biomine train qa ...",
        training=f"""\
AdamW, linear schedule with 6% warm-up, lr {cfg["lr"]}, batch {cfg["batch_size"]},
{cfg["epochs"]} epoch(s) on the labelled questions{weighed}, {after}seed {cfg["seed"]};
{m["train_minutes"]} min on {cfg["threads"]} CPU threads.""",
        limitations="""\
- MiniLM is a general-English sentence encoder (uncased, 22M parameters), not a biomedical
  model, and 500 labelled questions are few: the published PubMedQA readers that pass 65 %
  reasoning-required learnt from the 211k artificial PQA-A first, which is not reachable
  here. Treat single-abstract answers as a pointer to the evidence sentence, not a verdict.
- Cross-validation figures are on the official train/dev pool, not the withheld test set.""",
        licence="""\
Adapter: Apache-2.0. Training data: PubMedQA (MIT, cite Jin et al. 2019); the artificial
questions come from the abstracts the user's database holds (here BC5CDR, NCBI disease,
ChemProt and the PubMed baseline sample; NLM terms).""",
    )
    return write(folder, card)
