"""Question answering over abstracts: PubMedQA-style yes / no / maybe readers.

``QuestionReader`` (a sequence classifier over question + abstract; BioMine's default) and
``GenerativeQuestionReader`` (a causal LM in BioGPT's PubMedQA format) share ``Reader``:
``read`` gives the probabilities, ``answers`` the ``Answer`` of each document with its
evidence sentence. ``open_reader`` opens any folder or hub id as the right one.
"""

from mining.nlp.qa.classifier_reader import QuestionReader
from mining.nlp.qa.generative_reader import GenerativeQuestionReader
from mining.nlp.qa.open_reader import open_reader
from mining.nlp.qa.reader import Reader

__all__ = ["GenerativeQuestionReader", "QuestionReader", "Reader", "open_reader"]
