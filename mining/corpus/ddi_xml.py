"""DDI-2013 corpus XML (drug-drug interactions): one file, one ``<document>``, one Document.

::

    <document id="DDI-DrugBank.d519">
      <sentence id="DDI-DrugBank.d519.s3" text="...">
        <entity id="...s3.e0" charOffset="29-36" type="brand" text="Plenaxis"/>
        <pair id="...s3.p0" e1="...s3.e0" e2="...s3.e1" ddi="true" type="effect"/>

``charOffset`` indexes the sentence text with both ends inclusive; a discontinuous mention
is ``a-b;c-d``. The sentences become the abstract, joined by single spaces (each without
its trailing white space, the inner text as it is), so a sentence is one slice of
``Document.text`` and offsets only shift. The title is empty, so ``Document.text`` is one
space then the abstract: every offset below is a ``Document.text`` offset, end exclusive.

A discontinuous mention becomes its hull (first start to last end): the store's Entity is
one span. Its pieces are kept in ``meta["individual_mentions"]`` (the records convention for
composite mentions) with the corpus text, so "loop diuretics" in "loop or thiazide
diuretics" is not lost. Positive pairs become gold relations with their sentence as evidence;
negative pairs are only counted (``meta["ddi_pairs"]``), for checking candidate generation.
The file is parsed whole (a DDI file is one abstract or drug label); no DTD is loaded and
no entity expanded.
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from mining.corpus.open_source import Source, open_binary, reader
from mining.corpus.records import INDIVIDUAL_MENTIONS, span_error
from mining.corpus.xml_records import PARSER
from mining.entity_types import store_type
from mining.errors import InputError, OnError, report
from mining.types import GOLD, Document, Entity, Relation

ENTITIES_META = "ddi_entities"  # [{"id", "type", "start", "end"}]: DDI's own types

NAMESPACE = "ddi"
SENTENCES = "sentences"  # [[start, end], ...]: each sentence's span in Document.text
SENTENCE_IDS = "sentence_ids"
SUBCORPUS = "source"  # "DrugBank" or "MedLine", from the document id
PAIRS = "ddi_pairs"  # candidate pairs the corpus lists, positive and negative

_SUBCORPUS = re.compile(r"DDI-([A-Za-z]+)\.")
_OFFSETS = re.compile(r"\s*(\d+)\s*-\s*(\d+)\s*")
_DECLARATION = re.compile(rb"\s*<\?xml[^>]*\?>")
_ENCODING = re.compile(rb"\sencoding\s*=\s*[\"']([A-Za-z0-9._-]+)")
_LXML_POSITION = re.compile(r", line \d+, column \d+$")
_BOM = b"\xef\xbb\xbf"


@dataclass
class _Reading:
    """One file while it is read: where problems go, and the entities by corpus id."""

    name: str
    on_error: OnError
    doc: Document
    text: str = ""  # doc.text, once all sentences are placed
    by_id: dict[str, Entity] = field(default_factory=dict)

    def problem(self, message: str, element: etree._Element) -> None:
        report(
            InputError(self.name, f"{self.doc.id}: {message}", element.sourceline), self.on_error
        )


@reader
def read_ddi_xml(
    source: Source, on_error: OnError = None, name: str | None = None
) -> Iterator[Document]:
    """The file's Document with gold entities and typed positive relations. Malformed XML
    is one error naming the file (and its line); bad entities and pairs are reported and
    skipped, the rest of the document is kept."""
    root = _parse(source, name, on_error)
    if root is None:
        return
    if root.tag != "document" or not root.get("id"):
        what = f"<{root.tag}>" if root.tag != "document" else "a <document> without an id"
        report(InputError(name, f"not a DDI file: {what} (need <document id>)"), on_error)
        return
    yield _document(root, name, on_error)


def read_ddi_folder(folder: str | os.PathLike[str], on_error: OnError = None) -> Iterator[Document]:
    """Every ``*.xml`` file under ``folder`` (recursively, sorted by path so runs repeat),
    one Document each. A file that cannot be read is reported by name and the next goes on;
    a folder with no XML file is one error naming it."""
    root = Path(folder)
    if not root.is_dir():
        why = "no such folder" if not root.exists() else "not a folder"
        report(InputError(str(folder), f"{why} (a folder of DDI XML files is expected)"), on_error)
        return
    files = sorted(p for p in root.rglob("*.xml") if p.is_file())
    if not files:
        report(InputError(str(folder), "no *.xml files in the folder"), on_error)
        return
    for path in files:
        yield from read_ddi_xml(path, on_error=on_error)


def _parse(source: Source, name: str, on_error: OnError) -> etree._Element | None:
    """The root element; None after reporting XML that cannot be parsed."""
    with open_binary(source) as stream:
        raw = stream.read()
    xml = _utf8(raw, name, on_error)
    try:
        return etree.fromstring(xml, PARSER)
    except etree.XMLSyntaxError as exc:
        message = _LXML_POSITION.sub("", exc.msg or str(exc))
        report(InputError(name, f"malformed XML: {message}; file skipped", exc.lineno), on_error)
        return None


def _utf8(raw: bytes, name: str, on_error: OnError) -> bytes:
    """The file as UTF-8 without its XML declaration (lxml then reads UTF-8): bytes that do
    not decode in the declared encoding are reported once and read as U+FFFD. The declaration
    gives way to as many newlines as it held, so lxml's line numbers stay the file's."""
    raw = raw.removeprefix(_BOM)
    encoding = "utf-8"
    if declaration := _DECLARATION.match(raw):
        if declared := _ENCODING.search(declaration.group()):
            encoding = _codec(declared.group(1).decode("ascii"))
        raw = b"\n" * declaration.group().count(b"\n") + raw[declaration.end() :]
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        codec = "UTF-8" if encoding == "utf-8" else encoding
        message = f"not valid {codec}; undecodable bytes replaced with U+FFFD"
        report(InputError(name, message, line), on_error)
        text = raw.decode(encoding, "replace")
    else:
        if encoding == "utf-8":
            return raw
    return text.encode("utf-8")


def _codec(declared: str) -> str:
    try:
        return codecs.lookup(declared).name
    except LookupError:
        return "utf-8"


def _document(root: etree._Element, name: str, on_error: OnError) -> Document:
    corpus_id = root.get("id", "")
    subcorpus = _SUBCORPUS.match(corpus_id)
    doc = Document(f"{NAMESPACE}:{corpus_id}", "")
    reading = _Reading(name, on_error, doc)
    sentences = [s for s in root.iterchildren("sentence") if _has_text(s, reading)]
    texts = [s.get("text", "").rstrip() for s in sentences]
    doc.abstract = " ".join(texts)
    reading.text = doc.text
    spans, cursor = [], len(doc.text) - len(doc.abstract)  # the abstract's place in the text
    for text in texts:
        spans.append((cursor, cursor + len(text)))
        cursor += len(text) + 1
    doc.meta[SENTENCES] = [list(span) for span in spans]
    doc.meta[SENTENCE_IDS] = [s.get("id") for s in sentences]
    doc.meta[SUBCORPUS] = subcorpus.group(1) if subcorpus else None
    doc.meta[PAIRS] = 0
    for sentence, span in zip(sentences, spans, strict=True):
        for element in sentence.iterchildren("entity"):
            _add_entity(element, span, reading)
        for element in sentence.iterchildren("pair"):
            doc.meta[PAIRS] += 1
            _add_pair(element, span, reading)
    return doc


def _has_text(sentence: etree._Element, reading: _Reading) -> bool:
    if sentence.get("text") is None:
        reading.problem(f"sentence {sentence.get('id')} has no text; skipped", sentence)
        return False
    return True


def _add_entity(element: etree._Element, span: tuple[int, int], reading: _Reading) -> None:
    entity_id, label, mention = element.get("id"), element.get("type"), element.get("text")
    pieces = _pieces(element.get("charOffset") or "", span)
    if not entity_id or not label or pieces is None:
        offsets = element.get("charOffset")
        why = (
            "no id"
            if not entity_id
            else "no type"
            if not label
            else f"charOffset {offsets!r}, malformed or not inside its sentence"
        )
        reading.problem(f"entity {entity_id} has {why}; skipped", element)
        return
    start, end = pieces[0][0], pieces[-1][1]
    text = reading.text
    # _pieces keeps every piece inside the sentence; a contiguous mention must also give the
    # corpus text (a discontinuous one cannot: its hull holds the words between its pieces).
    problem = span_error(text, start, end, mention) if len(pieces) == 1 and mention else None
    if problem:
        reading.problem(f"entity {entity_id}: {problem}; skipped", element)
        return
    # Store types when read (``mining.entity_types``); DDI's own type stays in the meta.
    entity = Entity(reading.doc.id, start, end, text[start:end], store_type(label), source=GOLD)
    reading.doc.meta.setdefault(ENTITIES_META, []).append(
        {"id": entity_id, "type": label, "start": start, "end": end}
    )
    reading.doc.entities.append(entity)
    reading.by_id[entity_id] = entity
    if len(pieces) > 1:
        part = {"text": mention if mention is not None else entity.text, "spans": pieces}
        entry = {"start": start, "end": end, "parts": [part]}
        reading.doc.meta.setdefault(INDIVIDUAL_MENTIONS, []).append(entry)


def _pieces(offsets: str, span: tuple[int, int]) -> list[list[int]] | None:
    """``a-b;c-d`` (sentence offsets, ends inclusive) as Document.text spans, end exclusive;
    None unless every piece is well formed, in order and inside the sentence."""
    pieces: list[list[int]] = []
    for piece in offsets.split(";"):
        found = _OFFSETS.fullmatch(piece)
        if found is None:
            return None
        start, end = span[0] + int(found.group(1)), span[0] + int(found.group(2)) + 1
        if start >= end or end > span[1] or (pieces and start < pieces[-1][1]):
            return None
        pieces.append([start, end])
    return pieces


def _add_pair(element: etree._Element, span: tuple[int, int], reading: _Reading) -> None:
    """A positive pair as a relation; negative pairs are only counted."""
    pair_id, ddi = element.get("id"), (element.get("ddi") or "").strip().lower()
    if ddi == "false":
        return
    if ddi != "true":
        reading.problem(f"pair {pair_id} has ddi={element.get('ddi')!r}, not true/false", element)
        return
    label = (element.get("type") or "").strip()
    head, tail = reading.by_id.get(element.get("e1", "")), reading.by_id.get(element.get("e2", ""))
    if not label or head is None or tail is None:
        why = "no type" if not label else "an argument that is not a kept entity of the document"
        reading.problem(f"positive pair {pair_id} has {why}; skipped", element)
        return
    if not all(span[0] <= m.start and m.end <= span[1] for m in (head, tail)):
        reading.problem(f"positive pair {pair_id} links entities of another sentence", element)
        return
    reading.doc.relations.append(
        Relation(
            reading.doc.id,
            head.text,
            tail.text,
            label,
            score=1.0,
            evidence=span,
            source=GOLD,
            head_mention=head,
            tail_mention=tail,
        )
    )
