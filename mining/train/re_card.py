"""The README.md model card of a trained relation classifier, from ``training_metrics.json``, in
the one card template (``mining.train.card``): what it relates, the data, the dev scores by the
benchmark's own metric, the command, limitations and the licence (DDI-2013 is non-commercial,
and so is a model trained on it)."""

from __future__ import annotations

import json
from pathlib import Path

from mining.nlp.model_folder import ENTITY_MARKERS
from mining.nlp.relations.tasks import TASKS
from mining.train.card import Card, folder_size, scores_table, write

CORPORA = {
    "chemprot": (
        "bigbio/chemprot",
        "ChemProt (BioCreative VI CHEMPROT track)",
        "public domain mark (BigBio); cite Krallinger et al. 2017",
        "micro-averaged over CPR:3, 4, 5, 6 and 9, gold entities, every candidate pair",
    ),
    "ddi": (
        "bigbio/ddi_corpus",
        "DDI-2013 (DrugBank + MedLine), one document in five held out for dev",
        "**CC BY-NC 4.0: non-commercial use only**, and so is this model; cite "
        "Herrero-Zazo et al. 2013",
        "micro-averaged over mechanism, effect, advise and int, gold entities",
    ),
    "cdr": (
        "bigbio/bc5cdr",
        "BC5CDR chemical-induced disease (CID)",
        "public domain (NLM notice); cite Li et al. 2016",
        "concept pairs (chemical MeSH, disease MeSH) per abstract, gold entities",
    ),
}


def write_re_card(folder: str | Path, notes: str = "") -> Path:
    folder = Path(folder)
    m = json.loads((folder / "training_metrics.json").read_text())
    task, cfg = TASKS[m["task"]], m["config"]
    dataset, corpus, licence, metric = CORPORA[task.name]
    candidates = ", ".join(f"{k} {v:,}" for k, v in m["candidates"].items())
    history = "\n".join(
        f"| {h['epoch']} | {h['train_loss']} | {h['dev']['overall']['f1']:.2f} | {h['train_s']} |"
        for h in m["history"]
    )
    head = (
        "the head reads the encoder's states at the two opening markers (Zhou & Chen 2022; "
        "`mining.nlp.relations.pair_model`)"
        if cfg.get("head", ENTITY_MARKERS) == ENTITY_MARKERS
        else "the head reads [CLS] (transformers' sequence-classification head)"
    )
    split = " --split dev" if cfg.get("dev_split", "all") != "all" else ""
    reading = (
        "the candidates of one sentence span from one copy of it with every mention marked "
        "(`--marking span`, `mining.nlp.relations.span_marking`: one encoder pass a span, not "
        "one a pair)"
        if cfg.get("marking") == "span"
        else "the sentence with typed entity markers around the pair "
        "(`mining.nlp.relations.candidates`)"
    )
    card = Card(
        header={
            "license": "cc-by-nc-4.0" if task.name == "ddi" else "apache-2.0",
            "language": "en",
            "library_name": "transformers",
            "pipeline_tag": "text-classification",
            "base_model": "sentence-transformers/all-MiniLM-L6-v2",
            "datasets": [dataset],
            "metrics": ["f1"],
            "tags": ["biomedical", "relation-extraction"],
        },
        title=f"{folder.name} — BioMine's {task.name} relation classifier",
        what=f"""\
Classifies candidate pairs ({", ".join(sorted(task.head_types))} → \
{", ".join(sorted(task.tail_types))}) as one of {", ".join(task.labels)} or `none`, reading
{reading}; {head}. A LoRA
adapter (r={cfg["lora_r"]}) with the trained LayerNorms and head ({m["trainable_params"]:,}
parameters) on the MiniLM-L6 encoder of the installed package `{cfg["base"]}`, merged at load
time. Folder size: {folder_size(folder) / 1024:.0f} KiB.""",
        usage=f"""\
`biomine run --re-model models/{folder.name}` (after the taggers), or in Python
`mining.nlp.relations.RelationClassifier.from_pretrained("models/{folder.name}")`.""",
        data=f"""\
{corpus}: {m["train_docs"]} training documents, candidates {candidates};
{m["dev_docs"]} dev documents. No test split was used.""",
        metrics_title=f"Dev metrics ({metric})",
        metrics=f"""\
Reproduce: `biomine eval re --task {task.name} --model models/{folder.name} --gold {cfg["dev"]}\
{split}`

{scores_table("label", m["dev"].items())}

| epoch | train loss | dev micro-F1 | train s |
|---:|---:|---:|---:|
{history}""",
        notes=notes,
        command=m.get("command") or "biomine train re ...",
        training=f"""\
AdamW, linear schedule with 6% warm-up, lr {cfg["lr"]}, batch {cfg["batch_size"]}, at most
{cfg["max_tokens"]} subword tokens per candidate, {100 * cfg.get("negatives", 1):.0f}% of the
`none` pairs drawn afresh each epoch (at inference the `none` logit gets back the log-odds
this costs it: `biomine_none_bias` in config.json), seed {cfg["seed"]}, {cfg["epochs"]} epoch(s);
{m["train_minutes"]} min on {cfg["threads"]} CPU threads.""",
        limitations="""\
- Scored with gold entities: relations found from raw text also depend on the tagger (and,
  for concept-pair tasks, the concept normaliser) that finds the entities.
- The figures are dev figures, on the set that also chose the epoch (no test split was used).""",
        licence=f"""\
Adapter: Apache-2.0 unless the data says otherwise. Training data: {licence}.""",
    )
    return write(folder, card)
