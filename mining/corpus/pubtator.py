"""PubTator text format: read and write.

A block per document, blocks separated by blank lines::

    PMID|t|title
    PMID|a|abstract
    PMID<TAB>start<TAB>end<TAB>mention<TAB>type<TAB>ID[<TAB>individual|mentions]
    PMID<TAB>CID<TAB>chemical_ID<TAB>disease_ID

Offsets index ``title + " " + abstract``. Composite IDs stay joined (``D003920|D003924``);
the optional 7th column goes to ``meta["individual_mentions"]``. Types are kept as the
corpus gives them (NCBI disease's SpecificDisease etc.).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

from mining.corpus.open_source import Source, iter_lines, reader
from mining.corpus.records import (
    INDIVIDUAL_MENTIONS,
    checked_entity,
    concept_or_none,
    external_id,
    namespaced_id,
)
from mining.errors import InputError, OnError, report
from mining.types import GOLD, Document, Relation

NAMESPACE = "pubtator"
_TEXT_LINE = re.compile(r"([^|\t]+)\|([ta])\|(.*)", re.DOTALL)
_NO_CONCEPT_OUT = "-1"  # BC5CDR's "not normalised"


@dataclass
class _Block:
    """One document while its lines are read."""

    pmid: str
    doc: Document
    has_abstract: bool = False
    annotated: bool = False  # a mention or relation line came: the text is final
    parts: list[dict] = field(default_factory=list)
    text: str | None = None  # doc.text, built once the first mention needs it

    def finish(self) -> Document:
        if self.parts:
            self.doc.meta[INDIVIDUAL_MENTIONS] = self.parts
        return self.doc


@reader
def read_pubtator(
    source: Source, on_error: OnError = None, name: str | None = None
) -> Iterator[Document]:
    """Documents with gold entities and relations, one per block. Bad lines are reported
    (file and line) and skipped; the rest of the file goes on."""
    block: _Block | None = None
    for number, line in iter_lines(source, name, on_error):
        if not line.strip():
            if block is not None:
                yield block.finish()
            block = None
            continue
        text_line = _TEXT_LINE.fullmatch(line)
        if text_line and text_line.group(2) == "t":
            if block is not None:  # no blank line between blocks: still a new document
                yield block.finish()
            pmid = text_line.group(1)
            block = _Block(pmid, Document(namespaced_id(pmid, NAMESPACE), text_line.group(3)))
            continue
        problem = _add_line(block, text_line, line, (name, number), on_error)
        if problem:
            report(InputError(name, problem, number), on_error)
    if block is not None:
        yield block.finish()


def _add_line(
    block: _Block | None,
    text_line: re.Match[str] | None,
    line: str,
    where: tuple[str, int],
    on_error: OnError,
) -> str | None:
    """Add an abstract, mention or relation line to ``block``; the problem, if any."""
    if block is None:
        return "annotation line outside a document (no PMID|t|title line before it)"
    if text_line:  # the abstract
        if text_line.group(1) != block.pmid:
            return f"abstract of PMID {text_line.group(1)} inside the block of {block.pmid}"
        if block.has_abstract or block.annotated:
            return f"{block.doc.id}: abstract line after the abstract or the annotations"
        block.doc.abstract, block.has_abstract = text_line.group(3), True
        return None
    fields = line.split("\t")
    if fields[0] != block.pmid:
        return f"line for PMID {fields[0]!r} inside the block of {block.pmid}"
    block.annotated = True
    if len(fields) == 4 and not _is_offset(fields[1]):
        block.doc.relations.append(_relation(block.doc.id, fields))
        return None
    if 5 <= len(fields) <= 7 and _is_offset(fields[1]) and _is_offset(fields[2]):
        _add_mention(block, fields, where, on_error)
        return None
    return f"not a PubTator mention or relation line: {line[:80]!r}"


def _is_offset(field: str) -> bool:
    return field.isascii() and field.isdigit()  # str.isdigit alone admits "²", int() does not


def _relation(doc_id: str, fields: list[str]) -> Relation:
    _, label, head, tail = fields
    return Relation(doc_id, head, tail, label, source=GOLD)


def _add_mention(
    block: _Block, fields: list[str], where: tuple[str, int], on_error: OnError
) -> None:
    start, end = int(fields[1]), int(fields[2])
    concept = concept_or_none(fields[5]) if len(fields) > 5 else None
    if block.text is None:
        block.text = block.doc.text  # final: no abstract line may follow a mention
    entity = checked_entity(
        block.doc.id, block.text, (start, end, fields[3], fields[4], concept), where, on_error
    )
    if entity is None:
        return
    block.doc.entities.append(entity)
    if len(fields) == 7 and fields[6]:
        parts = [{"text": text} for text in fields[6].split("|")]
        block.parts.append({"start": start, "end": end, "parts": parts})


def write_pubtator(docs: Iterable[Document], out: TextIO) -> int:
    """Write documents with their entities and relations; returns how many were written.

    Relations are written as concept-level lines (``PMID label head tail``); their mentions,
    evidence, scores and sources have no place in the format. Line breaks inside texts
    become spaces (one character for one, so offsets stay right).
    """
    count = 0
    for doc in docs:
        out.write(_block(doc))
        count += 1
    return count


def _block(doc: Document) -> str:
    pmid = external_id(doc.id)
    lines = [f"{pmid}|t|{_one_line(doc.title)}", f"{pmid}|a|{_one_line(doc.abstract)}"]
    parts = {(m["start"], m["end"]): m["parts"] for m in doc.meta.get(INDIVIDUAL_MENTIONS, [])}
    for e in doc.entities:
        concept = e.concept_id if e.concept_id is not None else _NO_CONCEPT_OUT
        row = [pmid, str(e.start), str(e.end), _one_line(e.text), e.label, concept]
        individual = parts.pop((e.start, e.end), None)
        if individual:
            row.append("|".join(part["text"] for part in individual))
        lines.append("\t".join(row))
    lines += [f"{pmid}\t{r.label}\t{r.head}\t{r.tail}" for r in doc.relations]
    return "\n".join(lines) + "\n\n"


def _one_line(text: str) -> str:
    return text.translate(_FLATTEN)


_FLATTEN = str.maketrans({"\n": " ", "\r": " ", "\t": " "})
