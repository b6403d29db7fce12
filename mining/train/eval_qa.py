"""Score a PubMedQA reader on labelled questions: reasoning-required (the question over the
contexts, the conclusion withheld) and reasoning-free (the conclusion given too)."""

from __future__ import annotations

from collections.abc import Sequence

from mining.corpus.pubmedqa import PubMedQaRecord
from mining.nlp.qa.answers import LABELS
from mining.nlp.qa.reader import Reader
from mining.train.qa_data import FREE, REQUIRED, QaExample, record_examples
from mining.train.qa_metrics import qa_scores


def predict(reader: Reader, examples: Sequence[QaExample]) -> list[str]:
    """The reader's answer to each example; one batched ``read`` a question (a sequence
    classifier batches pairs of any questions at once)."""
    read_pairs = getattr(reader, "read_pairs", None)
    if read_pairs is not None:
        probs = read_pairs([reader.encode(x.question, x.sentences) for x in examples])
        return [LABELS[int(i)] for i in probs.argmax(axis=1)]
    return [LABELS[int(reader.read(x.question, [x.sentences])[0].argmax())] for x in examples]


def evaluate_reader(reader: Reader, records: Sequence[PubMedQaRecord]) -> dict:
    """PubMedQA's accuracy and macro-F1 (``qa_metrics``): the reasoning-required figures at
    the top level, the reasoning-free ones under ``reasoning_free``."""
    gold = [r.decision for r in records]
    required = [record_examples(r, (REQUIRED,))[0] for r in records]
    free = [record_examples(r, (FREE,))[0] for r in records]
    return {
        **qa_scores(gold, predict(reader, required)),
        "reasoning_free": qa_scores(gold, predict(reader, free)),
        "source": reader.source,
    }
