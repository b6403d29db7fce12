"""One template for the README.md model card of every folder BioMine trains (taggers, the
BioGPT tagger, relation classifiers): a YAML header (the Hugging Face model-card layout), then
what it is, how to use it, the data, the metrics, the training command, limitations and
licence, so that a folder copied anywhere still explains itself. ``ner_card`` and ``re_card``
fill the sections from a folder's ``training_metrics.json``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SCORES_HEAD = "| {first} | P | R | F1 | gold | predicted |\n|---|---:|---:|---:|---:|---:|"


@dataclass
class Card:
    """The sections of a card, as markdown. ``header``: YAML front matter (a list value is
    written as a YAML list); ``command``: the command that trained the folder; ``notes``: free
    markdown placed after the metrics (ablations, speed, earlier versions)."""

    header: dict[str, str | list[str]]
    title: str
    what: str
    usage: str
    data: str
    metrics_title: str
    metrics: str
    command: str
    training: str
    limitations: str
    licence: str
    notes: str = ""


def yaml_header(fields: dict[str, str | list[str]]) -> str:
    lines = ["---"]
    for key, value in fields.items():
        if isinstance(value, list):
            lines += [f"{key}:", *(f"- {v}" for v in value)]
        else:
            lines.append(f"{key}: {value}")
    return "\n".join([*lines, "---"])


def render(card: Card) -> str:
    return f"""{yaml_header(card.header)}

# {card.title}

{card.what}

## How to use
{card.usage}

## Data
{card.data}

## {card.metrics_title}
{card.metrics}

{card.notes}
## Training
```
HF_HUB_OFFLINE=1 {card.command}
```
{card.training}

## Limitations and licence
{card.limitations}

{card.licence}
"""


def write(folder: str | Path, card: Card) -> Path:
    path = Path(folder) / "README.md"
    path.write_text(render(card))
    return path


def folder_size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def scores_table(first: str, rows: Iterable[tuple[str, dict]]) -> str:
    """A P/R/F1 table (percent, two decimals) with gold and predicted counts, from rows of
    ``(label, scores)`` where scores hold ``precision``, ``recall``, ``f1`` in percent and
    ``tp``, ``fp``, ``fn`` (``Scores.as_dict``)."""
    lines = [SCORES_HEAD.format(first=first)]
    for label, s in rows:
        lines.append(
            f"| {label} | {s['precision']:.2f} | {s['recall']:.2f} | {s['f1']:.2f} | "
            f"{s['tp'] + s['fn']} | {s['tp'] + s['fp']} |"
        )
    return "\n".join(lines)
