"""The relation sets BioMine extracts: which entity types pair up, and the labels they can take.

A task is plain data, shared by candidate generation (``candidates``), the
classifier (``relations``), training and evaluation, so the three agree on what a candidate
is. Types are store types (``mining.entity_types``): DDI's drug, brand, group and
drug_n mentions are all Chemical to the tagger; the corpus' own subtypes are kept only in the
gold data.
"""

from __future__ import annotations

from dataclasses import dataclass

NONE = "none"  # the label of a candidate pair that is not related


@dataclass(frozen=True, slots=True)
class RelationTask:
    name: str
    head_types: frozenset[str]
    tail_types: frozenset[str]
    labels: tuple[str, ...]  # the relation labels, without NONE
    # Whether (a, b) and (b, a) are one candidate (drug-drug) or head is always head_types.
    symmetric: bool = False
    # Sentences a candidate may span: 1 = both mentions in one sentence.
    max_sentences: int = 1
    # Relations hold between concepts of the abstract (CDR) rather than mention pairs.
    document_level: bool = False
    # The word entity markers carry for an argument; None: its store type, lower-cased.
    marker_word: str | None = None
    # Drop pairs of two mentions with the same text (a drug does not interact with itself).
    skip_same_text: bool = False

    @property
    def classes(self) -> list[str]:
        """Classifier labels: NONE first, then the relation labels."""
        return [NONE, *self.labels]


CHEMPROT = RelationTask(
    "chemprot",
    frozenset({"Chemical"}),
    frozenset({"Gene"}),
    ("CPR:3", "CPR:4", "CPR:5", "CPR:6", "CPR:9"),
)
DDI = RelationTask(
    "ddi",
    frozenset({"Chemical"}),
    frozenset({"Chemical"}),
    ("mechanism", "effect", "advise", "int"),
    symmetric=True,
    marker_word="drug",  # both arguments are chemicals; DDI calls them drugs
    # Negative instance filtering (Chowdhury & Lavelli 2013): on the DDI train split, 4 of
    # the 1,501 same-text pairs are positive.
    skip_same_text=True,
)
# Chemical-induced disease: a concept pair is positive when some mention pair says so. On
# BC5CDR train, mention pairs within one sentence reach 73% of the CID concept pairs, within
# two 89% (12,133 candidates), within three 95% (18,312): two is the CPU-affordable choice.
CDR = RelationTask(
    "cdr",
    frozenset({"Chemical"}),
    frozenset({"Disease"}),
    ("CID",),
    max_sentences=2,
    document_level=True,
)
TASKS = {task.name: task for task in (CHEMPROT, DDI, CDR)}


def task_of(model_name: str, config, task: str | None = None) -> RelationTask:
    """The task a relation model folder is for: ``task`` if given, else its config's
    ``biomine_task``; a ``ModelError`` naming the model when it is none of ``TASKS``."""
    from mining.errors import ModelError

    name = task or getattr(config, "biomine_task", None)
    if name not in TASKS:
        raise ModelError(model_name, f"unknown relation task {name!r}; give one of {sorted(TASKS)}")
    return TASKS[name]
