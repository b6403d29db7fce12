"""Stream PubMed/MEDLINE XML (baseline and update files, plain or gzipped) into Documents.

``xml_records`` cuts the records out of the byte stream at their ``<PubmedArticle>``,
``<PubmedBookArticle>`` and ``<DeleteCitation>`` tags (gunzipping, reporting junk, unclosed
records and truncation with file lines); this module parses each record on its own with lxml
and extracts its fields. A malformed record then costs only itself, memory stays flat however
large the file, and the good records around it are still read.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from contextlib import nullcontext
from html.entities import html5
from pathlib import Path
from typing import IO, Any, NamedTuple

from lxml import etree

from mining.corpus.parse_pool import ParsePool
from mining.corpus.xml_records import Layout, XmlRecord, as_utf8, xml_records
from mining.errors import InputError, OnError, report
from mining.nlp.batching import chunks
from mining.types import Deletion, Document, pmid_id

_CHUNK = 1 << 18  # bytes read at a time
# Content between records with no record start in it is held this long before it is checked
# (a start tag cut by a chunk boundary waits for its end).
_LOOKAHEAD = 1 << 16
_ARTICLE, _BOOK, _DELETE = "PubmedArticle", "PubmedBookArticle", "DeleteCitation"
_PMID_BYTES = re.compile(rb"<PMID[^>]*>\s*(\d+)")


def _describe(xml: bytes) -> str:
    """How a message names a record: its PMID when it has one."""
    pmid = _PMID_BYTES.search(xml)
    return f"PMID {pmid[1].decode()}" if pmid else "a record"


# What may sit between records: a byte-order mark, the prolog, the root tags, comments.
_LAYOUT = Layout(
    (_ARTICLE, _BOOK, _DELETE),
    re.compile(
        rb"(?:\s+|\xef\xbb\xbf|<\?xml[^>]*\?>|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>|<!--.*?-->"
        rb"|</?PubmedArticleSet\s*>)*",
        re.S,
    ),
    "</PubmedArticleSet>",
    _describe,
)
_NAMED_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]*);")
_XML_ENTITIES = {b"amp", b"lt", b"gt", b"quot", b"apos"}
# The PubMed DTD declares these prefixes, so records use them without an xmlns attribute.
_NAMESPACES = (
    b' xmlns:mml="http://www.w3.org/1998/Math/MathML" xmlns:xlink="http://www.w3.org/1999/xlink"'
)
# Elements no field is read from, in the order the DTD puts them (cut in one forward pass).
_UNUSED = [
    (b"<" + tag + b">", b"</" + tag + b">")
    for tag in (
        b"AffiliationInfo",
        b"MedlineJournalInfo",
        b"CommentsCorrectionsList",
        b"History",
    )
]
# Cited references close PubmedData; their lists can nest, so they are cut to the last end tag.
_REFERENCES = (b"<ReferenceList>", b"</ReferenceList>")
_LXML_POSITION = re.compile(r", line \d+, column \d+$")
_LINE_IN_MESSAGE = re.compile(r"\bline (\d+)")
_YEAR = re.compile(r"\b(\d{4})\b")


def read_pubmed_xml(
    source: str | Path | IO[bytes],
    on_error: OnError = None,
    name: str | None = None,
    pool: ParsePool | None = None,
) -> Iterator[Document | Deletion]:
    """Yield a Document per ``PubmedArticle``/``PubmedBookArticle`` and a Deletion per PMID of
    a ``DeleteCitation``, in file order.

    ``source`` is a path or a binary file object (``sys.stdin.buffer``); gzip is recognised
    by its magic bytes. Bad input is reported through ``on_error`` (``None`` raises) with the
    file name and line, and reading goes on with the next record. With a ``pool``, records
    are parsed in its worker processes (same items, same order, same errors).
    """
    if name is None:
        name = str(source) if isinstance(source, (str, Path)) else _stream_name(source)
    try:
        opened = open(source, "rb") if isinstance(source, (str, Path)) else nullcontext(source)
    except OSError as exc:
        report(InputError(name, f"cannot read: {exc.strerror or exc}"), on_error)
        return
    with opened as raw:
        if pool is None:
            parse = _RecordParser(name, on_error)
            for record in xml_records(raw, _LAYOUT, name, on_error, _CHUNK, _LOOKAHEAD):
                yield from parse(record)
            return
        yield from _read_in_pool(raw, name, on_error, pool)


_PER_TASK = 256  # records a worker parses at a time


def _read_in_pool(
    raw: IO[bytes], name: str, on_error: OnError, pool: ParsePool
) -> Iterator[Document | Deletion]:
    """Records cut here, parsed in the pool; every problem reported where reading in one
    process reports it (the cutter's before the record it found them ahead of)."""
    cut_errors: deque[tuple[int, InputError]] = deque()  # (records cut before it, error)
    cut = 0

    def note(error: InputError) -> None:
        cut_errors.append((cut, error))

    def counted(records: Iterator[XmlRecord]) -> Iterator[XmlRecord]:
        nonlocal cut
        for record in records:
            yield record
            cut += 1

    def flush(upto: int) -> None:
        while cut_errors and cut_errors[0][0] <= upto:
            report(cut_errors.popleft()[1], on_error)

    records = counted(xml_records(raw, _LAYOUT, name, note, _CHUNK, _LOOKAHEAD))
    done = 0
    for results in pool.ordered_map(parse_records, chunks(records, _PER_TASK), name):
        for items, errors in results:
            flush(done)
            for error in errors:
                report(error, on_error)
            yield from items
            done += 1
    flush(cut)


def parse_records(
    records: list[XmlRecord], name: str
) -> list[tuple[list[Document | Deletion], list[InputError]]]:
    """A worker's share: each record's items and the problems found in it."""
    errors: list[InputError] = []
    parse = _RecordParser(name, errors.append)
    out = []
    for record in records:
        out.append((list(parse(record)), errors[:]))
        errors.clear()
    return out


def _stream_name(source: IO[bytes]) -> str:
    stream_name = getattr(source, "name", None)
    return stream_name if isinstance(stream_name, str) else "<stream>"


class _RecordParser:
    """Turns one record's bytes into Documents or Deletions, reporting what it must skip."""

    def __init__(self, name: str, on_error: OnError):
        self.name, self.on_error = name, on_error
        # Never fetch the DTD; huge_tree admits megabyte abstracts.
        self.parser = etree.XMLParser(
            huge_tree=True,
            resolve_entities=False,
            load_dtd=False,
            no_network=True,
            remove_comments=True,
            remove_pis=True,
            collect_ids=False,
        )

    def __call__(self, record: XmlRecord) -> Iterator[Document | Deletion]:
        root = self._parse(record)
        if root is None:
            return
        if record.tag == _DELETE:
            yield from self._deletions(root, record)
            return
        parts = _book_parts(root) if record.tag == _BOOK else _article_parts(root)
        document = _document(parts) if parts is not None else None
        if document is None:
            self._report("record without a PMID skipped", record.line)
            return
        yield document

    def _report(self, message: str, line: int | None) -> None:
        report(InputError(self.name, message, line), self.on_error)

    def _deletions(self, root: Any, record: XmlRecord) -> Iterator[Deletion]:
        for pmid in root.iterfind("PMID"):
            number = (pmid.text or "").strip()
            if number.isdigit():
                yield Deletion(pmid_id(number))
            else:
                self._report(f"DeleteCitation with a bad PMID {number!r} skipped", record.line)

    def _parse(self, record: XmlRecord) -> Any:
        """The record's element; failing that, the element after repairs (bad bytes, HTML
        entities, undeclared MathML prefix); None when the XML is broken beyond them."""
        utf8 = record.encoding == "utf-8"
        xml = record.xml if utf8 else as_utf8(record, self.name, self.on_error)
        try:
            return etree.fromstring(_without_unused(xml), self.parser)
        except etree.XMLSyntaxError:
            pass
        try:
            return etree.fromstring(self._repaired(xml, record), self.parser)
        except etree.XMLSyntaxError as exc:
            pmid = _PMID_BYTES.search(xml)
            what = f" in PMID {pmid[1].decode()}" if pmid else ""
            # lxml counts lines from the record's start; say them as file lines.
            text = _LINE_IN_MESSAGE.sub(
                lambda m: f"line {int(m[1]) + record.line - 1}", _LXML_POSITION.sub("", exc.msg)
            )
            self._report(
                f"malformed XML{what}: {text}; record skipped", exc.lineno + record.line - 1
            )
            return None

    def _repaired(self, xml: bytes, record: XmlRecord) -> bytes:
        # Bad bytes were reported and replaced already when the file is not UTF-8.
        xml = as_utf8(record._replace(xml=xml, encoding="utf-8"), self.name, self.on_error)
        xml = _NAMED_ENTITY.sub(_entity_reference, xml)
        start_tag_end = xml.index(b">")
        return xml[:start_tag_end] + _NAMESPACES + xml[start_tag_end:]


def _without_unused(xml: bytes) -> bytes:
    """The record without the elements no field is read from: building their nodes took
    about half of the parse time. Only this first, fast attempt parses it; errors are found
    and reported on the whole record."""
    pieces = []
    pos = 0
    for start_tag, end_tag in _UNUSED:
        start = xml.find(start_tag, pos)
        while start >= 0 and (end := xml.find(end_tag, start)) >= 0:
            if xml.find(start_tag, start + 1, end) >= 0:
                break  # an end tag is missing: cutting could swallow the fields between
            pieces.append(xml[pos:start])
            pos = end + len(end_tag)
            start = xml.find(start_tag, pos)
    start, end = xml.find(_REFERENCES[0], pos), xml.rfind(_REFERENCES[1])
    if 0 <= start < end:
        pieces.append(xml[pos:start])
        pos = end + len(_REFERENCES[1])
    if not pieces:
        return xml
    pieces.append(xml[pos:])
    return b"".join(pieces)


def _entity_reference(match: re.Match[bytes]) -> bytes:
    """An HTML named entity (the PubMed DTD defines them, but the DTD is never read) as a
    character reference; an unknown name stays as literal text."""
    entity = match[1]
    if entity in _XML_ENTITIES:
        return match[0]
    characters = html5.get(entity.decode("ascii") + ";")
    if characters is None:
        return b"&amp;" + match[0][1:]
    return "".join(f"&#{ord(c)};" for c in characters).encode("ascii")


class _Parts(NamedTuple):
    """A record's field elements: PubmedArticle and PubmedBookArticle keep them apart."""

    pmid: Any
    title: Any
    vernacular_title: Any
    untitled: str  # the title when the record has none
    abstract: Any
    journal: str
    pubdate: Any
    authors: Any  # AuthorList
    mesh: Any  # MeshHeadingList
    chemicals: Any  # ChemicalList
    keyword_lists: list[Any]
    publication_types: list[Any]
    languages: list[Any]
    id_lists: list[Any]  # ArticleIdList elements, where the DOI is
    locations: list[Any]  # ELocationID elements, the DOI's other home


def _article_parts(root: Any) -> _Parts | None:
    top = _children(root)
    citation = top.get("MedlineCitation")
    if citation is None:
        return None
    fields = _children(citation)
    # Without an Article (which the DTD requires) the PMID still names the record.
    article = fields.get("Article", citation)
    parts = _children(article)
    journal = _children(parts.get("Journal"))
    return _Parts(
        pmid=fields.get("PMID"),
        title=parts.get("ArticleTitle"),
        vernacular_title=parts.get("VernacularTitle"),
        untitled="",
        abstract=parts.get("Abstract"),
        journal=_flat(journal.get("Title")),
        pubdate=_children(journal.get("JournalIssue")).get("PubDate"),
        authors=parts.get("AuthorList"),
        mesh=fields.get("MeshHeadingList"),
        chemicals=fields.get("ChemicalList"),
        keyword_lists=list(citation.iterchildren("KeywordList")),
        publication_types=list(_each(parts.get("PublicationTypeList"))),
        languages=list(article.iterchildren("Language")),
        id_lists=[_children(top.get("PubmedData")).get("ArticleIdList")],
        locations=list(article.iterchildren("ELocationID")),
    )


def _book_parts(root: Any) -> _Parts | None:
    top = _children(root)
    document = top.get("BookDocument")
    if document is None:
        return None
    fields = _children(document)
    book = _children(fields.get("Book"))
    return _Parts(
        pmid=fields.get("PMID"),
        title=fields.get("ArticleTitle"),
        vernacular_title=fields.get("VernacularTitle"),
        untitled=_flat(book.get("BookTitle")),  # a chapter without a title of its own
        abstract=fields.get("Abstract"),
        journal=_flat(book.get("BookTitle")),
        pubdate=book.get("PubDate"),
        authors=_child(document, "AuthorList"),  # the first; editors may follow
        mesh=None,
        chemicals=None,
        keyword_lists=list(document.iterchildren("KeywordList")),
        publication_types=list(document.iterchildren("PublicationType")),
        languages=list(document.iterchildren("Language")),
        id_lists=[
            fields.get("ArticleIdList"),
            _children(top.get("PubmedBookData")).get("ArticleIdList"),
        ],
        locations=list(document.iterchildren("ELocationID")),
    )


def _document(parts: _Parts) -> Document | None:
    """The Document of one record's parts; None without a PMID."""
    pmid = _text(parts.pmid) if parts.pmid is not None else ""
    if not pmid.isdigit():
        return None
    abstract, sections = _abstract(parts.abstract)
    meta = {
        "pmid": pmid,
        "version": _version(parts.pmid),
        "journal": parts.journal,
        "year": _year(parts.pubdate),
        "mesh": _mesh(parts.mesh),
        "chemicals": _chemicals(parts.chemicals),
        "keywords": [_flat(keyword) for keywords in parts.keyword_lists for keyword in keywords],
        "authors": _authors(parts.authors),
        "doi": _doi(parts),
        "publication_types": [_text(kind) for kind in parts.publication_types],
        "language": [_text(language) for language in parts.languages],
        "sections": sections,
    }
    # Some non-English records leave ArticleTitle empty and carry only a VernacularTitle.
    title = _flat(parts.title) or _flat(parts.vernacular_title) or parts.untitled
    return Document(pmid_id(pmid), title, abstract, meta)


def _children(element: Any) -> dict[str, Any]:
    """An element's children by tag (the last one of a repeated tag), or {} for None. One
    pass over the children costs about what one lxml ``find`` does."""
    return {} if element is None else {child.tag: child for child in element}


def _child(element: Any, tag: str) -> Any:
    return next(element.iterchildren(tag), None)


def _each(element: Any) -> Any:
    return () if element is None else element


# All descendant text; faster than joining itertext().
_STRING = etree.XPath("string()", smart_strings=False)


def _flat(element: Any) -> str:
    """Text content with inline markup (italics, sub/superscripts, MathML) flattened and
    whitespace runs collapsed to single spaces."""
    if element is None:
        return ""
    # A leaf's text is its string value, without the cost of an XPath call.
    text = _STRING(element) if len(element) else element.text or ""
    # Most text is already collapsed; checking is cheaper than splitting. Every whitespace
    # character but the space is unprintable, so this finds each one split() would act on.
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


def _text(element: Any) -> str:
    # Leaf fields from controlled vocabularies (MeSH, languages, types) hold no markup.
    return (element.text or "").strip()


def _version(pmid: Any) -> int:
    version = pmid.get("Version", "1")
    return int(version) if version.isdigit() else 1


def _year(pubdate: Any) -> int | None:
    fields = _children(pubdate)
    year = _text(fields["Year"]) if "Year" in fields else ""
    if year.isdigit():
        return int(year)
    # MedlineDate is free text such as "1998 Dec-1999 Jan": take its first year.
    found = _YEAR.search(_text(fields["MedlineDate"])) if "MedlineDate" in fields else None
    return int(found[1]) if found else None


def _abstract(abstract: Any) -> tuple[str, list[dict[str, Any]]]:
    """The abstract as one string ("LABEL: text" per section, single spaces between), and
    the character span of each section when the abstract is structured (labelled)."""
    parts: list[str] = []
    sections: list[dict[str, Any]] = []
    start = 0
    for piece in abstract.iterchildren("AbstractText") if abstract is not None else ():
        text = _flat(piece)
        if not text:
            continue
        label = piece.get("Label")
        rendered = f"{label}: {text}" if label else text
        end = start + len(rendered)
        category = piece.get("NlmCategory")
        sections.append({"label": label, "category": category, "start": start, "end": end})
        parts.append(rendered)
        start = end + 1  # the joining space
    structured = any(section["label"] for section in sections)
    return " ".join(parts), sections if structured else []


def _mesh(heading_list: Any) -> list[dict[str, Any]]:
    """MeSH headings: the descriptor, then its qualifiers, in one walk over the terms."""
    headings: list[dict[str, Any]] = []
    terms = heading_list.iter("DescriptorName", "QualifierName") if heading_list is not None else ()
    for term in terms:
        ui, major, name = term.get("UI"), term.get("MajorTopicYN") == "Y", _text(term)
        if term.tag == "DescriptorName":
            headings.append({"ui": ui, "descriptor": name, "major": major, "qualifiers": []})
        elif headings:
            headings[-1]["qualifiers"].append({"ui": ui, "name": name, "major": major})
    return headings


def _chemicals(chemical_list: Any) -> list[dict[str, Any]]:
    """Substances NLM indexed the record with: MeSH descriptors (D...) and supplementary
    concepts (C...) with their registry number (CAS, EC, or "0" when there is none)."""
    chemicals = []
    for chemical in _each(chemical_list):
        fields = _children(chemical)
        name = fields.get("NameOfSubstance")
        if name is None:
            continue
        registry = fields.get("RegistryNumber")
        chemicals.append(
            {
                "ui": name.get("UI"),
                "name": _flat(name),
                "registry": _text(registry) if registry is not None else None,
            }
        )
    return chemicals


def _authors(author_list: Any) -> list[str]:
    """ "Last Initials" (or the group's CollectiveName) per author, in order."""
    names = []
    for author in _each(author_list):
        if author.get("ValidYN") == "N":  # an entry the publisher withdrew or corrected
            continue
        last = initials = collective = ""
        for field in author:  # one pass: a find per field costs several times more
            if field.tag == "LastName":
                last = _text(field)
            elif field.tag == "Initials":
                initials = _text(field)
            elif field.tag == "CollectiveName":
                collective = _flat(field)
        if name := collective or (f"{last} {initials}" if last and initials else last):
            names.append(name)
    return names


def _doi(parts: _Parts) -> str | None:
    for id_list in parts.id_lists:
        for article_id in _each(id_list):
            if article_id.get("IdType") == "doi" and article_id.text:
                return article_id.text.strip()
    for location in parts.locations:
        if location.get("EIdType") == "doi" and location.text:
            return location.text.strip()
    return None
