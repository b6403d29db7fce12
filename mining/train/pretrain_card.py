"""The README.md card of a pretrained encoder folder, from its ``pretrain_metrics.json``, in
the one card template (``mining.train.card``)."""

from __future__ import annotations

import json
from pathlib import Path

from mining.train.card import Card, write

_OBJECTIVES = {
    "electra": "ELECTRA replaced-token detection (Clark et al. 2020): a small masked-LM "
    "generator fills 15% of the tokens with samples and this encoder, the discriminator, "
    "learns to tell replaced tokens from original ones at every position (loss = generator "
    "MLM + {rtd_weight:g} x detection)",
    "mlm": "masked language modelling (BERT's 80/10/10 rule on 15% of the tokens)",
}


def _held_out(scores: dict | None) -> str:
    if not scores:
        return "(not measured)"
    names = {
        "mlm_loss": "masked-LM loss (generator's for ELECTRA)",
        "mlm_accuracy": "masked-LM accuracy",
        "rtd_accuracy": "replaced-token detection accuracy (all tokens)",
        "rtd_replaced_recall": "replaced tokens found",
    }
    rows = [f"| {names.get(k, k)} | {v} |" for k, v in scores.items()]
    return "\n".join(["| held-out measure | value |", "|---|---:|", *rows])


def write_card(folder: str | Path) -> Path:
    folder = Path(folder)
    m = json.loads((folder / "pretrain_metrics.json").read_text())
    cfg = m["config"]
    enc = m["encoder"]
    start = (
        f"from scratch (BERT, hidden {enc['hidden']}, {enc['layers']} layers, "
        f"{enc['heads']} heads; the tokenizer of `{m['tokenizer']}`)"
        if m["from_scratch"]
        else f"continued from `{m['base']}`"
    )
    objective = _OBJECTIVES.get(m["objective"], m["objective"]).format(
        rtd_weight=cfg.get("rtd_weight", 50)
    )
    card = Card(
        header={"library_name": "transformers", "pipeline_tag": "feature-extraction",
                "tags": ["biomedical", "pubmed", "biomine", f"pretraining-{m['objective']}"]},
        title=f"Pretrained encoder ({m['objective']}, {start.split(' (')[0]})",
        what=(
            f"A BERT-family encoder ({enc['parameters']:,} parameters) pretrained {start} "
            f"on abstracts by `biomine pretrain`, with {objective}. It is a base to fine-tune, "
            "not a tagger: the pretraining heads (and ELECTRA's generator) are not in it."
        ),
        usage=(
            "```\nbiomine train ner --base THIS_FOLDER --train ... --dev ... --out ...\n"
            "biomine train re --base THIS_FOLDER ...\n```\n"
            "`checkpoints/` (if present) holds the state `biomine pretrain --resume` continues "
            "from; it is not needed to use the encoder and can be deleted."
        ),
        data=(
            f"Text (title + abstract) of {', '.join(m.get('sources') or ['(unrecorded)'])}, "
            f"in windows of up to {cfg['max_tokens']} subword tokens; "
            f"{m['held_out_windows']:,} windows of "
            + ("held-out documents " if m["held_out_documents"] else "training text ")
            + "evaluated. "
            f"Seen in training: {m['tokens_seen']:,} tokens in {m['windows_seen']:,} windows."
        ),
        metrics_title="Held-out measures at the end",
        metrics=_held_out(m.get("held_out")),
        command=m.get("command") or "biomine pretrain ...",
        training=(
            f"{m['steps']:,} optimiser steps of {cfg['batch_size']} x {cfg['grad_accum']} "
            f"windows, lr {cfg['lr']}, on {cfg['device']}"
            f"{' in bf16' if cfg.get('bf16') else ''}, {m['minutes']} min "
            f"({m['tokens_per_second'] or '?'} tokens/s; stopped by {m['stopped']})."
        ),
        limitations=(
            "A short pretraining run on a small corpus changes a base little; judge it by "
            "the taggers and classifiers fine-tuned from it, against the same fine-tuning "
            "from the original base."
        ),
        licence="The licence of the base model, and the terms of the abstracts it read.",
    )  # fmt: skip
    return write(folder, card)
