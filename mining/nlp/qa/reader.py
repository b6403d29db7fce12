"""What every PubMedQA-style reader does with its probabilities: answers with evidence.

A reader gives P(yes), P(no), P(maybe) of a question over passages (``read``). The answer for
a document is the most probable label over its whole text; its evidence is the sentence that,
read alone, gives that label the highest probability (all sentences of all documents in
one batched ``read``). The sequence-classification reader (``classifier_reader``) and the
causal LM reader (``generative_reader``) differ only in ``read``.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from mining.nlp.component import Component
from mining.nlp.qa.answers import ANSWERS, LABELS, QUESTION
from mining.types import Answer, Document

Passage = Sequence[str]  # a context as its sentences, in order


class Reader(Component):
    assigns = (ANSWERS,)

    @abstractmethod
    def read(self, question: str, passages: Sequence[Passage]) -> np.ndarray:
        """``(len(passages), 3)`` probabilities, columns in ``LABELS`` order."""

    def answers(self, question: str, docs: Sequence[Document]) -> list[Answer]:
        """One ``Answer`` a document, with its evidence sentence (``Answer.evidence``: the
        sentence's character span in ``Document.text``)."""
        from mining.nlp.relations.candidates import sentence_spans

        spans = [sentence_spans(doc) for doc in docs]
        sentences = [[doc.text[s:e] for s, e in sp] for doc, sp in zip(docs, spans, strict=True)]
        whole = self.read(question, sentences)
        alone = self.read(question, [[x] for sents in sentences for x in sents])
        out, at = [], 0
        for doc, sp, probs in zip(docs, spans, whole, strict=True):
            best = int(probs.argmax())
            evidence = None
            if sp:
                evidence = tuple(sp[int(alone[at : at + len(sp), best].argmax())])
            at += len(sp)
            out.append(
                Answer(
                    question,
                    doc.id,
                    LABELS[best],
                    {label: round(float(p), 4) for label, p in zip(LABELS, probs, strict=True)},
                    evidence,
                    self.source,
                )
            )
        return out

    def answer(self, question: str, doc: Document) -> Answer:
        return self.answers(question, [doc])[0]

    def pipe(self, docs: Iterable[Document], batch_size: int = 32) -> Iterator[Document]:
        """Each document read for ``doc.meta["question"]``; the answer in ``meta["answer"]``."""
        for doc in docs:
            question = doc.meta.get(QUESTION)
            if question:
                doc.meta["answer"] = self.answer(question, doc)
            yield doc
