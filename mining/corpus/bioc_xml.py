"""BioC XML: read (streaming, one ``<document>`` at a time) and write.

The XML is only translated to and from the BioC JSON layout; what a BioC document means
(passages, offsets, composite mentions, relations) lives in ``bioc_document``. The DTD a
file names is never loaded or fetched (no network, no entity expansion).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from lxml import etree

from mining.corpus.bioc_document import LINE, document_from_bioc, document_to_bioc
from mining.corpus.open_source import Source, open_binary, reader
from mining.corpus.xml_records import Layout, parse_record, xml_records
from mining.errors import OnError
from mining.types import Document

# What a BioC collection holds around its documents (the DTD's collection header).
_BETWEEN = re.compile(
    rb"""(?: \s
        | <\?xml[^>]*\?>
        | <!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>
        | <!--.*?-->
        | </?collection\s*>
        | <(?:source|date|key|infon)\b[^>]*/>
        | <(source|date|key|infon)\b[^>]*>[^<]*</\1\s*>
    )*""",
    re.S | re.X,
)
_LAYOUT = Layout("document", _BETWEEN, "</collection>")

_HEADER = (
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    "<!DOCTYPE collection SYSTEM 'BioC.dtd'>\n"
    "<collection><source>BioMine</source><date></date><key>BioC.key</key>\n"
)
_FOOTER = "</collection>\n"


@reader
def read_bioc_xml(
    source: Source, on_error: OnError = None, name: str | None = None
) -> Iterator[Document]:
    """Documents with gold entities and relations. Each ``<document>`` is parsed on its own
    (see ``xml_records``): malformed XML costs only its document, bad annotations only
    themselves; each is reported with its file line."""
    with open_binary(source, gunzip=False) as stream:
        for record in xml_records(stream, _LAYOUT, name, on_error):
            element = parse_record(record, name, on_error)
            if element is None:
                continue
            doc = document_from_bioc(_document_dict(element, record.line - 1), name, on_error)
            if doc is not None:
                yield doc


def _infons(element: etree._Element) -> dict[str, str]:
    return {i.get("key", ""): i.text or "" for i in element.iterchildren("infon")}


# The dict builders get ``shift``: lxml counts lines from the record, errors name file lines.


def _document_dict(element: etree._Element, shift: int) -> dict[str, Any]:
    return {
        "id": element.findtext("id"),
        "infons": _infons(element),
        "passages": [_passage_dict(p, shift) for p in element.iterchildren("passage")],
        "relations": [_relation_dict(r, shift) for r in element.iterchildren("relation")],
        LINE: element.sourceline + shift,
    }


def _passage_dict(element: etree._Element, shift: int) -> dict[str, Any]:
    return {
        "infons": _infons(element),
        "offset": element.findtext("offset"),
        "text": element.findtext("text"),
        "sentences": [{} for _ in element.iterchildren("sentence")],  # counted, not read
        "annotations": [_annotation_dict(a, shift) for a in element.iterchildren("annotation")],
        "relations": [_relation_dict(r, shift) for r in element.iterchildren("relation")],
        LINE: element.sourceline + shift,
    }


def _annotation_dict(element: etree._Element, shift: int) -> dict[str, Any]:
    return {
        "id": element.get("id"),
        "infons": _infons(element),
        "text": element.findtext("text"),
        "locations": [dict(loc.attrib) for loc in element.iterchildren("location")],
        LINE: element.sourceline + shift,
    }


def _relation_dict(element: etree._Element, shift: int) -> dict[str, Any]:
    return {
        "id": element.get("id"),
        "infons": _infons(element),
        "nodes": [dict(node.attrib) for node in element.iterchildren("node")],
        LINE: element.sourceline + shift,
    }


def write_bioc_xml(docs: Iterable[Document], out: TextIO) -> int:
    """Write a BioC collection (``out`` is a UTF-8 text stream), one document at a time;
    returns how many were written. BioC offsets equal Document.text offsets."""
    out.write(_HEADER)
    count = 0
    for doc in docs:
        element = _document_element(document_to_bioc(doc))
        out.write(etree.tostring(element, encoding="unicode") + "\n")
        count += 1
    out.write(_FOOTER)
    return count


def _add_infons(parent: etree._Element, infons: dict[str, str]) -> None:
    for key, value in infons.items():
        etree.SubElement(parent, "infon", key=key).text = value


def _add_text(parent: etree._Element, tag: str, text: str) -> None:
    etree.SubElement(parent, tag).text = text


def _document_element(raw: dict[str, Any]) -> etree._Element:
    # Element order follows the DTD: id, infon*, passage+, relation*.
    document = etree.Element("document")
    _add_text(document, "id", raw["id"])
    _add_infons(document, raw["infons"])
    for passage in raw["passages"]:
        _passage_element(document, passage)
    for relation in raw["relations"]:
        _relation_element(document, relation)
    return document


def _passage_element(parent: etree._Element, raw: dict[str, Any]) -> None:
    passage = etree.SubElement(parent, "passage")
    _add_infons(passage, raw["infons"])
    _add_text(passage, "offset", str(raw["offset"]))
    _add_text(passage, "text", raw["text"])
    for ann in raw["annotations"]:
        annotation = etree.SubElement(passage, "annotation", id=ann["id"])
        _add_infons(annotation, ann["infons"])
        for loc in ann["locations"]:
            etree.SubElement(
                annotation, "location", offset=str(loc["offset"]), length=str(loc["length"])
            )
        _add_text(annotation, "text", ann["text"])


def _relation_element(parent: etree._Element, raw: dict[str, Any]) -> None:
    relation = etree.SubElement(parent, "relation", id=raw["id"])
    _add_infons(relation, raw["infons"])
    for node in raw["nodes"]:
        etree.SubElement(relation, "node", refid=node["refid"], role=node["role"])
