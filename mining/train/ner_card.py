"""The README.md model card of a trained tagger folder (MiniLM or BioGPT architecture), from
its ``training_metrics.json``, in the one card template (``mining.train.card``): what the model
tags, on what data it was trained and selected, the command that trained it, its dev scores
(strict, character offsets), limitations and licence.
"""

from __future__ import annotations

import json
from pathlib import Path

from mining.train.card import Card, folder_size, scores_table, write
from mining.train.metrics import Scores

# What the card says of a training corpus, found by its file name: (hub dataset id, words,
# licence of the data).
CORPORA = {
    "CDR_": (
        "bigbio/bc5cdr",
        "BC5CDR (PubMed abstracts)",
        "public domain (NLM notice; cite Li et al. 2016, Wei et al. 2015)",
    ),
    "bc5cdr": (
        "bigbio/bc5cdr",
        "BC5CDR (PubMed abstracts)",
        "public domain (NLM notice; cite Li et al. 2016, Wei et al. 2015)",
    ),
    "bc2gm": (
        "bigbio/bc2gm",
        "BC2GM (BioCreative II gene mention, PubMed sentences, IOB2)",
        "CC BY 4.0 (cambridgeltl/MTL-Bioinformatics-2016; cite Smith et al. 2008)",
    ),
    "ncbi": (
        "bigbio/ncbi_disease",
        "NCBI disease (PubMed abstracts)",
        "public domain (cite Dogan et al. 2014)",
    ),
}


def corpus_of(path: str) -> tuple[str, str, str]:
    for key, value in CORPORA.items():
        if key.lower() in path.lower():
            return value
    return ("", Path(path).name, "see the corpus' own licence")


def _scores_table(scores: dict[str, Scores] | None) -> str:
    if not scores:
        return scores_table("type", []) + "\n| (not measured) | | | | | |"
    return scores_table("type", [(t, s.as_dict()) for t, s in scores.items()])


def _counts(counts: dict[str, int] | None) -> str:
    return " + ".join(f"{n:,} {t}" for t, n in (counts or {}).items()) or "mentions not counted"


def write_card(
    folder: str | Path, shipped: dict[str, Scores] | None = None, notes: str = ""
) -> Path:
    """README.md from ``training_metrics.json`` (+ the shipped-config scores and free
    markdown ``notes``, e.g. ablations and speed, placed before the training section)."""
    folder = Path(folder)
    m = json.loads((folder / "training_metrics.json").read_text())
    cfg = m["config"]
    config = json.loads((folder / "config.json").read_text())
    propagate = config.get("biomine_abbreviations", True)
    aggregation = config.get("biomine_strategy") or m.get("select", "").removesuffix("+abbr")
    variant = aggregation + ("+abbr" if propagate else "")
    if shipped is None and variant in m.get("dev", {}):
        # The training run scored the shipped decoding on dev at the kept epoch.
        shipped = {t: Scores(s["tp"], s["fp"], s["fn"]) for t, s in m["dev"][variant].items()}
    propagation = (
        " and propagates abbreviation types\n(`mining.nlp.abbreviations`, Schwartz & Hearst 2003)"
        if propagate
        else ""
    )
    abbreviations = (
        "abbreviation propagation"
        if propagate
        else "no abbreviation propagation: `biomine_abbreviations` is false in config.json"
    )
    types = m.get("types") or ["Chemical", "Disease"]
    lora = bool(cfg.get("lora_r"))
    adapter = folder / "adapter_config.json"
    exported = json.loads(adapter.read_text()).get("biomine_export") if adapter.is_file() else ""
    labels = ", ".join(["`O`", *(f"`B-/I-{t}`" for t in types)])
    biogpt = config.get("model_type") == "biogpt"
    base_words = (
        f"a BioGPT-architecture decoder ({config.get('num_hidden_layers')} layers, hidden size "
        f"{config.get('hidden_size')}) with the real BioGPT base vocabulary "
        f"({config.get('vocab_size'):,} ids), randomly initialised by "
        "`mining.train.build_biogpt` and trained here from scratch"
        if biogpt
        else "MiniLM-L6-H384 (uncased, general English: `sentence-transformers/all-MiniLM-L6-v2`, "
        "the only pretrained encoder installable offline here)"
    )
    weights = (
        f"a LoRA adapter (r={cfg['lora_r']}, alpha={cfg['lora_alpha']}, on every linear layer of "
        f"the encoder) plus the trained LayerNorms and classifier head "
        f"({m['trainable_params']:,} parameters) in `adapter_model.safetensors`; the frozen base "
        f"weights are loaded at run time from the installed package `{cfg['base']}` and the "
        "adapter is merged into them by `mining.nlp.model_folder.load_model` (no `peft` "
        "needed at inference)"
        if lora
        else f"a full fine-tune of all {m['trainable_params']:,} weights, shipped as its "
        f"change from the base (`mining.train.base_delta`: {exported}); "
        f"`adapter_model.safetensors` is merged into the base weights of the installed package "
        f"`{cfg['base']}` by `mining.nlp.model_folder.load_model`"
        if exported
        else f"all {m['trainable_params']:,} weights in fp16 (`model.safetensors`)"
    )
    train_corpora = [corpus_of(p) for p in cfg["train"]]
    train_files = ", ".join(
        f"`{Path(p).name}` ({c[1]})" for p, c in zip(cfg["train"], train_corpora, strict=True)
    )
    weights_licence = (
        "MIT (the BioGPT vocabulary's licence)"
        if biogpt
        else "Apache-2.0 (the base model's licence)"
    )
    extras = "".join(
        [
            "\nLetter case reaches the uncased encoder as token type ids (1 on a token with an "
            "upper-case letter; `biomine_case_types` in config.json)."
            if cfg.get("case_types")
            else "",
            f"\nTraining started from the adapter of `{cfg['init']}` (its card gives the "
            "earlier epochs)."
            if cfg.get("init")
            else "",
            f"\nAn exponential moving average of the weights (decay {cfg['ema']}) was scored "
            f"beside the last step's at each evaluated epoch; the "
            f"{'averaged' if m.get('weights') == 'ema' else 'last step'} weights "
            f"of epoch {m['best_epoch']} scored higher and are the ones shipped."
            if cfg.get("ema")
            else "",
        ]
    )
    datasets = sorted({c[0] for c in train_corpora if c[0]})
    best = next(h for h in m["history"] if h["epoch"] == m["best_epoch"])
    kept = best["dev_f1_ema"] if m.get("weights") == "ema" else best["dev_f1"]
    ablation = "\n".join(f"| {k} | {v:.2f} |" for k, v in kept.items())
    ema = any("dev_f1_ema" in h for h in m["history"])

    def f1_cells(h: dict) -> str:
        cells = [h["dev_f1"].get(m["select"], float("nan"))]
        if ema:
            cells.append(h.get("dev_f1_ema", {}).get(m["select"], float("nan")))
        return " | ".join(f"{c:.2f}" for c in cells)

    history = "\n".join(
        f"| {h['epoch']} | {h['train_loss']} | {f1_cells(h)} | {h['train_s']} |"
        for h in m["history"]
        if "dev_f1" in h
    )
    history_head = (
        "| epoch | train loss | dev F1 (last weights) | dev F1 (weight average) | train s |\n"
        "|---:|---:|---:|---:|---:|"
        if ema
        else "| epoch | train loss | dev F1 | train s |\n|---:|---:|---:|---:|"
    )
    header = {
        "license": "mit" if biogpt else "apache-2.0",
        "language": "en",
        "library_name": "transformers",
        "pipeline_tag": "token-classification",
        **({} if biogpt else {"base_model": "sentence-transformers/all-MiniLM-L6-v2"}),
        "datasets": datasets,
        "metrics": ["f1"],
        "tags": ["biomedical", "ner", *(t.lower() for t in types)],
    }
    gold = f"--gold {cfg['dev']}"
    card = Card(
        header=header,
        title=f"{folder.name} — BioMine's {' + '.join(types)} tagger"
        + (" (BioGPT architecture)" if biogpt else ""),
        what=f"""\
A BIO token classifier ({labels}) on top of {base_words}. The folder holds {weights}.
Folder size: {folder_size(folder) / 1024:.0f} KiB.""",
        usage=f"""\
`biomine annotate "some text" --model models/{folder.name}`, `biomine run --ner-model
models/{folder.name}`, or in Python
`mining.nlp.ner.NerTagger.from_pretrained("models/{folder.name}")`: it tags
sentence windows (`mining.nlp.sentences`), decodes word-level spans
(`mining.nlp.span_decoding`, strategy `{aggregation or "average"}`, then `tidy`){propagation}.""",
        data=f"""\
- Train: {train_files}:
  {m.get("train_docs", 0):,} documents, {_counts(m.get("train_mentions"))} mentions.
- Model selection and the figures below: `{Path(cfg["dev"]).name}`, {m.get("dev_docs", 0):,}
  documents, {_counts(m.get("dev_mentions"))} mentions. No test split was used.
- Training windows are the sentences of `mining.nlp.sentences.split_document` (the windows
  the tagger infers on), labels aligned on characters through the fast tokenizer's offsets.""",
        metrics_title="Dev metrics (strict: exact character span and type)",
        metrics=f"""\
Shipped configuration ({aggregation or "average"} word aggregation, edge tidying, {abbreviations}),
measured by
`biomine eval ner --model models/{folder.name} {gold}`:

{_scores_table(shipped)}

Decoding variants logged by the training run at the selected epoch ({m["best_epoch"]}), overall
strict F1:

| decoding | F1 |
|---|---:|
{ablation}

(`first`: the first subword's label per word; `average`/`max`: mean / most confident subword
probabilities per word; `token`: no word aggregation; `+abbr`: abbreviation propagation.)

Per epoch ({m["select"]} F1 on dev):

{history_head}
{history}""",
        notes=notes,
        command=m.get("command") or "biomine train ner ...",
        training=f"""\
AdamW (weight decay 0.01), linear schedule with 6% warm-up, lr {cfg["lr"]}, batch
{cfg["batch_size"]} windows of at most {cfg["max_tokens"]} subword tokens, seed {cfg["seed"]},
{cfg["epochs"]} epochs, best epoch kept by dev F1. Wall time {m["train_minutes"]} min on
{cfg["threads"]} shared CPU threads (no GPU; other jobs ran on the same machine).{extras}""",
        limitations="""\
- The figures are dev figures, on the set that also chose the epoch (no test split was
  used): expect a little less on unseen text.
- Trained on PubMed abstracts (or sentences) of the corpora above: other text (full text,
  clinical notes) and entity types outside the label set are not covered.""",
        licence=f"""\
Weights: {weights_licence}.
Training data: {"; ".join(sorted({f"{c[1]}: {c[2]}" for c in train_corpora}))}.""",
    )
    return write(folder, card)
