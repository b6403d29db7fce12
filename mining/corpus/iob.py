"""IOB2 / CoNLL token files (BC5CDR conll_iob, NCBI disease conll, BC2GM): read.

``token<TAB>tag`` per line (the tag is the last column, so wider CoNLL files work too), a
blank line after each sentence. ``read_iob_sentences`` gives the raw tokens and tags for
token-level training; ``read_iob`` gives one Document per sentence (``<stem>:<n>``, n from
1; title = tokens joined by single spaces, abstract empty) with entities from the tags.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from mining.corpus.open_source import Source, file_stem, iter_lines, reader
from mining.errors import InputError, OnError, report
from mining.types import GOLD, Document, Entity

OUTSIDE = "O"
_TAG = re.compile(r"O|[BI]-\S+")
_DOCSTART = "-DOCSTART-"  # CoNLL-2003 document separators carry no tokens


class IobSentence(NamedTuple):
    tokens: list[str]
    tags: list[str]
    line: int  # where the sentence starts in the file


@reader
def read_iob_sentences(
    source: Source, on_error: OnError = None, name: str | None = None
) -> Iterator[IobSentence]:
    """Sentences as tokens and tags. A line without a tag is reported and skipped; an
    unknown tag is reported and read as O."""
    return _sentences(source, name, on_error)


@reader
def read_iob(
    source: Source, on_error: OnError = None, name: str | None = None
) -> Iterator[Document]:
    """One Document per sentence, with gold entities from B-/I- tags."""
    stem = file_stem(name)
    for n, sentence in enumerate(_sentences(source, name, on_error), 1):
        yield sentence_document(f"{stem}:{n}", sentence.tokens, sentence.tags)


def _sentences(source: Source, name: str, on_error: OnError) -> Iterator[IobSentence]:
    tokens: list[str] = []
    tags: list[str] = []
    start = 0
    for number, line in iter_lines(source, name, on_error):
        if not line.strip() or line.startswith(_DOCSTART):
            if tokens:
                yield IobSentence(tokens, tags, start)
            tokens, tags = [], []
            continue
        token_tag = _token_tag(line, name, number, on_error)
        if token_tag is None:
            continue
        start = start if tokens else number
        tokens.append(token_tag[0])
        tags.append(token_tag[1])
    if tokens:
        yield IobSentence(tokens, tags, start)


def _token_tag(line: str, name: str, number: int, on_error: OnError) -> tuple[str, str] | None:
    columns = line.split("\t") if "\t" in line else line.split()
    if len(columns) < 2 or not columns[0]:
        message = f"not a token<TAB>tag line: {line[:80]!r}; skipped"
        report(InputError(name, message, number), on_error)
        return None
    token, tag = columns[0], columns[-1]
    if tag != OUTSIDE and not _TAG.fullmatch(tag):
        report(InputError(name, f"unknown tag {tag!r} (read as O)", number), on_error)
        tag = OUTSIDE
    return token, tag


def sentence_document(doc_id: str, tokens: list[str], tags: list[str]) -> Document:
    """The sentence as a Document (tokens joined by single spaces) with its entities."""
    doc = Document(doc_id, " ".join(tokens))
    doc.entities = tag_entities(doc_id, tokens, tags)
    return doc


def tag_entities(doc_id: str, tokens: list[str], tags: list[str]) -> list[Entity]:
    """Entities from IOB2 tags over tokens joined by single spaces. An I- tag that does not
    continue an entity of its type (broken BIO) starts a new one, as conlleval reads it."""
    text = " ".join(tokens)
    entities: list[Entity] = []
    open_entity: Entity | None = None
    position = 0
    for token, tag in zip(tokens, tags, strict=True):
        start, end = position, position + len(token)
        position = end + 1
        kind, _, label = tag.partition("-")
        if kind == "I" and open_entity is not None and open_entity.label == label:
            open_entity.end = end
            open_entity.text = text[open_entity.start : end]
        elif kind in ("B", "I"):
            open_entity = Entity(doc_id, start, end, token, label, source=GOLD)
            entities.append(open_entity)
        else:
            open_entity = None
    return entities
