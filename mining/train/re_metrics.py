"""Relation extraction scores as each benchmark defines them.

- ChemProt: micro-averaged P/R/F1 over CPR:3, 4, 5, 6 and 9, a relation being (abstract,
  chemical mention, gene mention, class) (Krallinger et al. 2017).
- DDI-2013: micro-averaged over mechanism, effect, advise and int, a relation being
  (sentence pair of drug mentions, type); the pair is unordered (Segura-Bedmar et al. 2013).
- BC5CDR CID: (abstract, chemical MeSH id, disease MeSH id) pairs (Wei et al. 2015).

Gold relations the candidate generator cannot produce (mentions in distant sentences,
overlapping mentions) stay in the gold set and count as misses, so figures are never flattered
by what the system skips.
"""

from __future__ import annotations

from collections.abc import Iterable

from mining.nlp.relations.tasks import RelationTask
from mining.train.metrics import OVERALL, Scores
from mining.types import Relation

Key = tuple  # (doc_id, ..., label)


def relation_keys(task: RelationTask, relations: Iterable[Relation]) -> set[Key]:
    """What a relation counts as, for the task's metric; composite concept ids
    (``D1|D2``) count as each of their concepts."""
    keys: set[Key] = set()
    for r in relations:
        if r.label not in task.labels:
            continue
        if task.document_level:
            for h in r.head.split("|"):
                for t in r.tail.split("|"):
                    keys.add((r.doc_id, h, t, r.label))
            continue
        if r.head_mention is None or r.tail_mention is None:
            continue
        a = (r.head_mention.start, r.head_mention.end)
        b = (r.tail_mention.start, r.tail_mention.end)
        if task.symmetric and b < a:
            a, b = b, a
        keys.add((r.doc_id, a, b, r.label))
    return keys


def relation_scores(
    gold: set[Key], predicted: set[Key], labels: Iterable[str]
) -> dict[str, Scores]:
    """Per-label and micro-averaged (``overall``) scores; the label is each key's last item."""
    out: dict[str, Scores] = {}
    tp_all = fp_all = fn_all = 0
    for label in labels:
        g = {k for k in gold if k[-1] == label}
        p = {k for k in predicted if k[-1] == label}
        tp = len(g & p)
        out[label] = Scores(tp, len(p) - tp, len(g) - tp)
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + len(p) - tp, fn_all + len(g) - tp
    out[OVERALL] = Scores(tp_all, fp_all, fn_all)
    return out
