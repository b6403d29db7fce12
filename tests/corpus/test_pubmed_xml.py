"""The PubMed XML reader: the real NLM sample checked record by record against an independent
ElementTree reading, and small hand-written files for every kind of bad input."""

from __future__ import annotations

import gzip
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from mining.corpus import pubmed_xml
from mining.corpus.pubmed_xml import read_pubmed_xml
from mining.errors import InputError
from mining.types import Deletion, Document

REPO = Path(__file__).resolve().parents[2]
HEAD = '<?xml version="1.0" encoding="utf-8"?>\n<PubmedArticleSet>\n'
TAIL = "</PubmedArticleSet>\n"


def article(
    pmid: str = "1",
    title: str = "A title.",
    abstract: str = "<AbstractText>Some text.</AbstractText>",
    journal: str = "<PubDate><Year>2001</Year></PubDate>",
    extra: str = "",
) -> str:
    """One PubmedArticle; ``abstract`` is the inside of <Abstract> ("" for none)."""
    abstract_xml = f"<Abstract>{abstract}</Abstract>" if abstract else ""
    pmid_xml = f'<PMID Version="1">{pmid}</PMID>' if pmid else ""
    return (
        "<PubmedArticle>\n<MedlineCitation>\n"
        f"{pmid_xml}\n"
        f"<Article>\n<Journal><JournalIssue>{journal}</JournalIssue><Title>J</Title></Journal>\n"
        f"<ArticleTitle>{title}</ArticleTitle>\n{abstract_xml}\n{extra}\n</Article>\n"
        "</MedlineCitation>\n</PubmedArticle>\n"
    )


def pubmed(*records: str) -> bytes:
    return (HEAD + "".join(records) + TAIL).encode("utf-8")


def read(data: bytes, name: str = "t.xml") -> tuple[list[Document | Deletion], list[InputError]]:
    errors: list[InputError] = []
    records = list(read_pubmed_xml(io.BytesIO(data), on_error=errors.append, name=name))
    return records, errors


def flat(element: ET.Element | None) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def line_of(data: bytes, needle: bytes) -> int:
    return data[: data.index(needle)].count(b"\n") + 1


# --- the real NLM sample -------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(shared_data: Path) -> tuple[list[Document], ET.Element]:
    path = shared_data / "pubmed_xml" / "pubmedsample18n0001.xml.gz"
    return list(read_pubmed_xml(path)), ET.fromstring(gzip.decompress(path.read_bytes()))


def test_sample_counts_match_the_manifest(sample):
    docs, _ = sample
    assert len(docs) == 177
    assert sum(bool(doc.abstract) for doc in docs) == 109
    assert sum(bool(doc.meta["sections"]) for doc in docs) == 18
    assert sum(bool(doc.meta["mesh"]) for doc in docs) == 149
    assert sum(len(doc.meta["chemicals"]) for doc in docs) == 342


def test_sample_matches_an_independent_reading(sample):
    docs, root = sample
    expected = root.findall("PubmedArticle")
    assert len(expected) == len(docs)
    for element, doc in zip(expected, docs, strict=True):
        citation = element.find("MedlineCitation")
        pmid = citation.find("PMID")
        assert doc.id == f"pmid:{pmid.text}"
        assert doc.meta["version"] == int(pmid.get("Version"))
        article = citation.find("Article")
        title = flat(article.find("ArticleTitle")) or flat(article.find("VernacularTitle"))
        assert doc.title == title
        pieces = []
        for part in article.findall("Abstract/AbstractText"):
            if text := flat(part):
                pieces.append(f"{part.get('Label')}: {text}" if part.get("Label") else text)
        assert doc.abstract == " ".join(pieces)
        headings = citation.findall("MeshHeadingList/MeshHeading/DescriptorName")
        assert [(m["ui"], m["descriptor"]) for m in doc.meta["mesh"]] == [
            (d.get("UI"), d.text) for d in headings
        ]
        substances = citation.findall("ChemicalList/Chemical")
        assert doc.meta["chemicals"] == [
            {
                "ui": c.find("NameOfSubstance").get("UI"),
                "name": c.findtext("NameOfSubstance"),
                "registry": c.findtext("RegistryNumber"),
            }
            for c in substances
        ]
        assert doc.meta["journal"] == article.findtext("Journal/Title")


def test_sample_sections_span_their_text(sample):
    docs, _ = sample
    for doc in docs:
        for section in doc.meta["sections"]:
            text = doc.abstract[section["start"] : section["end"]]
            assert text.startswith(f"{section['label']}: ") if section["label"] else text


def test_structured_abstract_keeps_labels_in_order(shared_data: Path):
    (doc,) = read_pubmed_xml(shared_data / "pubmed_xml" / "pubmed-29768149.xml")
    assert doc.id == "pmid:29768149"
    assert doc.title == "Inhaled Combined Budesonide-Formoterol as Needed in Mild Asthma."
    labels = [section["label"] for section in doc.meta["sections"]]
    assert labels == ["BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"]
    for section in doc.meta["sections"]:
        assert doc.abstract[section["start"] :].startswith(section["label"] + ": ")
    assert doc.abstract.startswith("BACKGROUND: In patients with mild asthma")
    assert "fast-acting β 2-agonist" in doc.abstract  # <sub>2</sub> flattened
    assert doc.meta["doi"] == "10.1056/NEJMoa1715274"
    assert doc.meta["year"] == 2018
    assert doc.meta["journal"] == "The New England journal of medicine"


def test_sample_reads_the_same_in_tiny_chunks(sample, shared_data, monkeypatch):
    """Records cut by chunk boundaries anywhere come out the same."""
    monkeypatch.setattr(pubmed_xml, "_CHUNK", 997)
    monkeypatch.setattr(pubmed_xml, "_LOOKAHEAD", 31)
    path = shared_data / "pubmed_xml" / "pubmedsample18n0001.xml.gz"
    assert list(read_pubmed_xml(path)) == sample[0]


# --- fields --------------------------------------------------------------------------------


def test_fields_of_a_full_record():
    extra = """
<ELocationID EIdType="pii">S0001</ELocationID>
<AuthorList>
  <Author ValidYN="Y">
    <LastName>Smith</LastName><ForeName>John A</ForeName><Initials>JA</Initials>
  </Author>
  <Author ValidYN="N"><LastName>Withdrawn</LastName><Initials>W</Initials></Author>
  <Author><CollectiveName>The <i>Example</i> Consortium</CollectiveName></Author>
</AuthorList>
<Language>eng</Language><Language>fre</Language>
<PublicationTypeList>
  <PublicationType UI="D016428">Journal Article</PublicationType>
</PublicationTypeList>
"""
    record = article("42", extra=extra).replace(
        "</Article>\n</MedlineCitation>",
        """</Article>
<ChemicalList>
  <Chemical><RegistryNumber>Q20Q21Q62J</RegistryNumber>
    <NameOfSubstance UI="D002945">Cisplatin</NameOfSubstance></Chemical>
  <Chemical><RegistryNumber>0</RegistryNumber>
    <NameOfSubstance UI="C000589078">a <i>supplementary</i> concept</NameOfSubstance></Chemical>
</ChemicalList>
<MeshHeadingList>
  <MeshHeading><DescriptorName UI="D002945" MajorTopicYN="N">Cisplatin</DescriptorName>
    <QualifierName UI="Q000009" MajorTopicYN="Y">adverse effects</QualifierName></MeshHeading>
  <MeshHeading><DescriptorName UI="D006801" MajorTopicYN="Y">Humans</DescriptorName></MeshHeading>
</MeshHeadingList>
<KeywordList Owner="NOTNLM"><Keyword>renal</Keyword><Keyword>platinum</Keyword></KeywordList>
</MedlineCitation>
<PubmedData><ArticleIdList>
  <ArticleId IdType="pubmed">42</ArticleId><ArticleId IdType="doi">10.5555/x.42</ArticleId>
</ArticleIdList></PubmedData>""",
    )
    (doc,), errors = read(pubmed(record))
    assert errors == []
    assert (doc.id, doc.title, doc.abstract) == ("pmid:42", "A title.", "Some text.")
    assert doc.meta == {
        "pmid": "42",
        "version": 1,
        "journal": "J",
        "year": 2001,
        "mesh": [
            {
                "ui": "D002945",
                "descriptor": "Cisplatin",
                "major": False,
                "qualifiers": [{"ui": "Q000009", "name": "adverse effects", "major": True}],
            },
            {"ui": "D006801", "descriptor": "Humans", "major": True, "qualifiers": []},
        ],
        "chemicals": [
            {"ui": "D002945", "name": "Cisplatin", "registry": "Q20Q21Q62J"},
            {"ui": "C000589078", "name": "a supplementary concept", "registry": "0"},
        ],
        "keywords": ["renal", "platinum"],
        "authors": ["Smith JA", "The Example Consortium"],
        "doi": "10.5555/x.42",
        "publication_types": ["Journal Article"],
        "language": ["eng", "fre"],
        "sections": [],
    }


def _with_affiliations_and_references(record: str, affiliation_end: str) -> str:
    authors = f"""<AuthorList>
<Author><LastName>Ames</LastName><Initials>A</Initials>
  <AffiliationInfo><Affiliation>Lab &amp; Co</Affiliation>{affiliation_end}
</Author>
<Author><LastName>Baker</LastName><Initials>B</Initials>
  <AffiliationInfo><Affiliation>Elsewhere</Affiliation></AffiliationInfo>
</Author>
</AuthorList>"""
    pubmed_data = """<PubmedData>
<History><PubMedPubDate PubStatus="entrez"><Year>2001</Year></PubMedPubDate></History>
<ArticleIdList><ArticleId IdType="doi">10.5555/own</ArticleId></ArticleIdList>
<ReferenceList><Title>References</Title>
  <Reference><Citation>Cited.</Citation>
    <ArticleIdList><ArticleId IdType="doi">10.5555/cited</ArticleId></ArticleIdList>
  </Reference>
  <ReferenceList><Reference><Citation>Nested.</Citation></Reference></ReferenceList>
</ReferenceList>
</PubmedData>"""
    record = record.replace("</Article>", authors + "\n</Article>")
    return record.replace("</MedlineCitation>", "</MedlineCitation>\n" + pubmed_data)


def test_affiliations_history_and_references_do_not_leak_into_fields():
    record = _with_affiliations_and_references(article("8"), "</AffiliationInfo>")
    (doc,), errors = read(pubmed(record))
    assert doc.meta["authors"] == ["Ames A", "Baker B"]
    assert doc.meta["doi"] == "10.5555/own"
    assert errors == []


def test_unclosed_affiliation_is_reported_not_read_past():
    record = _with_affiliations_and_references(article("8"), "")
    records, errors = read(pubmed(article("7"), record))
    assert [r.id for r in records] == ["pmid:7"]
    assert "malformed XML in PMID 8" in errors[0].message


def test_doi_falls_back_to_elocation_and_version_is_read():
    extra = '<ELocationID EIdType="doi" ValidYN="Y">10.5555/loc</ELocationID>'
    data = pubmed(article("7", extra=extra).replace('Version="1"', 'Version="3"'))
    (doc,), _ = read(data)
    assert doc.meta["doi"] == "10.5555/loc"
    assert doc.meta["version"] == 3
    assert doc.version == 3


@pytest.mark.parametrize(
    ("pubdate", "year"),
    [
        ("<Year>1976</Year><Season>Fall</Season>", 1976),
        ("<MedlineDate>1998 Dec-1999 Jan</MedlineDate>", 1998),
        ("<MedlineDate>Spring 2001</MedlineDate>", 2001),
        ("<MedlineDate>Undated</MedlineDate>", None),
        ("", None),
    ],
)
def test_year_from_pubdate_or_medline_date(pubdate: str, year: int | None):
    (doc,), _ = read(pubmed(article(journal=f"<PubDate>{pubdate}</PubDate>")))
    assert doc.meta["year"] == year


def test_structured_abstract_sections_and_spans():
    abstract = (
        '<AbstractText Label="BACKGROUND" NlmCategory="BACKGROUND">Why.</AbstractText>'
        '<AbstractText Label="RESULTS" NlmCategory="RESULTS">What\n   we found.</AbstractText>'
        "<CopyrightInformation>(c) Someone</CopyrightInformation>"
    )
    (doc,), _ = read(pubmed(article(abstract=abstract)))
    assert doc.abstract == "BACKGROUND: Why. RESULTS: What we found."
    assert doc.meta["sections"] == [
        {"label": "BACKGROUND", "category": "BACKGROUND", "start": 0, "end": 16},
        {"label": "RESULTS", "category": "RESULTS", "start": 17, "end": 40},
    ]


def test_record_without_abstract_is_kept():
    (doc,), errors = read(pubmed(article(abstract="")))
    assert (doc.title, doc.abstract, doc.meta["sections"], errors) == ("A title.", "", [], [])
    assert doc.text == "A title."


def test_inline_markup_and_mathml_are_flattened():
    title = "Effect of <i>Escherichia coli</i> on Ca<sup>2+</sup> and H<sub>2</sub>O."
    mathml = (
        '<mml:math xmlns:mml="http://www.w3.org/1998/Math/MathML"><mml:mi>x</mml:mi>'
        "<mml:mo>=</mml:mo><mml:mn>1</mml:mn></mml:math>"
    )
    abstract = f"<AbstractText>We set {mathml}\n\t  and <b>saw</b> <u>it</u>.</AbstractText>"
    (doc,), errors = read(pubmed(article(title=title, abstract=abstract)))
    assert doc.title == "Effect of Escherichia coli on Ca2+ and H2O."
    assert doc.abstract == "We set x=1 and saw it."
    assert errors == []


def test_mathml_prefix_declared_only_by_the_dtd():
    abstract = "<AbstractText>Let <mml:math><mml:mi>y</mml:mi></mml:math> vary.</AbstractText>"
    (doc,), errors = read(pubmed(article(abstract=abstract)))
    assert doc.abstract == "Let y vary."
    assert errors == []


def test_vernacular_title_when_article_title_is_empty():
    extra = "<VernacularTitle>Étude de la <i>toxicité</i>.</VernacularTitle>"
    (doc,), _ = read(pubmed(article(title="", extra=extra)))
    assert doc.title == "Étude de la toxicité."


def test_html_named_entities_are_mapped():
    title = "Caf&eacute;&nbsp;study of &alpha;-synuclein &amp; &lt;tau&gt; &madeup;"
    (doc,), errors = read(pubmed(article(title=title)))
    assert doc.title == "Café study of α-synuclein & <tau> &madeup;"
    assert errors == []


def test_delete_citation_yields_deletions_in_order():
    delete = "<DeleteCitation>\n<PMID>11</PMID>\n<PMID>12</PMID>\n</DeleteCitation>\n"
    records, errors = read(pubmed(article("10"), delete))
    assert records == [records[0], Deletion("pmid:11"), Deletion("pmid:12")]
    assert records[0].id == "pmid:10"
    assert errors == []


def test_book_article():
    book = """<PubmedBookArticle>
<BookDocument>
  <PMID Version="1">20301295</PMID>
  <ArticleIdList><ArticleId IdType="bookaccession">NBK1116</ArticleId></ArticleIdList>
  <Book><BookTitle book="gene">GeneReviews</BookTitle><PubDate><Year>1993</Year></PubDate></Book>
  <ArticleTitle>Example Syndrome</ArticleTitle>
  <Language>eng</Language>
  <AuthorList Type="authors">
    <Author><LastName>Doe</LastName><Initials>J</Initials></Author>
  </AuthorList>
  <AuthorList Type="editors">
    <Author><LastName>Roe</LastName><Initials>R</Initials></Author>
  </AuthorList>
  <PublicationType UI="D016454">Review</PublicationType>
  <Abstract><AbstractText Label="CLINICAL CHARACTERISTICS">Rare.</AbstractText></Abstract>
</BookDocument>
</PubmedBookArticle>
"""
    (doc,), errors = read(pubmed(book))
    assert (doc.id, doc.title, doc.abstract) == (
        "pmid:20301295",
        "Example Syndrome",
        "CLINICAL CHARACTERISTICS: Rare.",
    )
    assert doc.meta["journal"] == "GeneReviews"
    assert doc.meta["year"] == 1993
    assert doc.meta["authors"] == ["Doe J"]
    assert doc.meta["publication_types"] == ["Review"]
    assert errors == []


def test_huge_abstract():
    text = "word " * 220_000  # about 1 MB
    (doc,), errors = read(pubmed(article(abstract=f"<AbstractText>{text}</AbstractText>")))
    assert len(doc.abstract) == len(text) - 1
    assert errors == []


def test_duplicate_pmids_are_both_yielded():
    records, _ = read(pubmed(article("5"), article("5")))
    assert [r.id for r in records] == ["pmid:5", "pmid:5"]


# --- sources -------------------------------------------------------------------------------


class _Pipe(io.RawIOBase):
    """A non-seekable stream that hands out a few bytes at a time, like a shell pipe."""

    def __init__(self, data: bytes):
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        chunk = self._data.read(min(len(buffer), 1000))
        buffer[: len(chunk)] = chunk
        return len(chunk)


@pytest.mark.parametrize("compress", [False, True])
def test_stdin_like_stream(compress: bool):
    data = pubmed(article("1"), article("2"))
    stream = io.BufferedReader(_Pipe(gzip.compress(data) if compress else data))
    records = list(read_pubmed_xml(stream))
    assert [r.id for r in records] == ["pmid:1", "pmid:2"]


def test_gzip_is_detected_by_magic_not_extension(tmp_path: Path):
    plain, packed = tmp_path / "a.xml.gz", tmp_path / "b.xml"
    plain.write_bytes(pubmed(article("1")))
    packed.write_bytes(gzip.compress(pubmed(article("2"))))
    assert [r.id for r in read_pubmed_xml(plain)] == ["pmid:1"]
    assert [r.id for r in read_pubmed_xml(str(packed))] == ["pmid:2"]


def test_multi_member_gzip():
    data = pubmed(article("1"), article("2"), article("3"))
    half = data.index(b"<PubmedArticle>", 100)
    records, errors = read(gzip.compress(data[:half]) + gzip.compress(data[half:]))
    assert [r.id for r in records] == ["pmid:1", "pmid:2", "pmid:3"]
    assert errors == []


def test_examples_and_update_file():
    docs = list(read_pubmed_xml(REPO / "data" / "examples.xml"))
    assert len(docs) == 10
    assert all(90000001 <= int(doc.meta["pmid"]) <= 90000010 for doc in docs)
    assert sum(bool(doc.meta["sections"]) for doc in docs) == 1
    assert sum(not doc.abstract for doc in docs) == 1
    update = list(read_pubmed_xml(REPO / "data" / "examples_update.xml"))
    assert [(r.id, getattr(r, "version", None)) for r in update] == [
        ("pmid:90000003", 2),
        ("pmid:90000007", None),
    ]
    assert isinstance(update[1], Deletion)


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize("chunk", [None, 50])
def test_malformed_record_in_the_middle(chunk: int | None, monkeypatch):
    if chunk:
        monkeypatch.setattr(pubmed_xml, "_CHUNK", chunk)
        monkeypatch.setattr(pubmed_xml, "_LOOKAHEAD", 20)
    bad = article("2", title="Broken <i>italics</ArticleTitle>")
    data = pubmed(article("1"), bad, article("3"))
    records, errors = read(data, name="batch.xml")
    assert [r.id for r in records] == ["pmid:1", "pmid:3"]
    (error,) = errors
    assert error.source == "batch.xml"
    assert error.line == line_of(data, b"Broken")
    assert "PMID 2" in error.message and "record skipped" in error.message
    assert str(error).startswith(f"batch.xml:{error.line}: malformed XML")


def test_record_that_never_closes():
    unclosed = article("2").replace("</PubmedArticle>", "")
    data = pubmed(article("1"), unclosed, article("3"))
    records, errors = read(data)
    assert [r.id for r in records] == ["pmid:1", "pmid:3"]
    (error,) = errors
    assert "PMID 2 has no </PubmedArticle>" in error.message
    assert error.line == line_of(data, b'<PubmedArticle>\n<MedlineCitation>\n<PMID Version="1">2')


def test_junk_between_records_is_reported():
    broken_start = article("2").replace("<PubmedArticle>", "<PubmedArticl>", 1)
    data = pubmed(article("1"), broken_start, article("3"))
    records, errors = read(data)
    assert [r.id for r in records] == ["pmid:1", "pmid:3"]
    (error,) = errors
    assert "unexpected content skipped" in error.message
    assert error.line == line_of(data, b"<PubmedArticl>")


def test_truncated_gzip_keeps_the_records_before_the_cut():
    texts = (" ".join(str(n * k) for k in range(200)) for n in range(1, 40))
    data = pubmed(
        *(
            article(str(n), abstract=f"<AbstractText>{text}</AbstractText>")
            for n, text in enumerate(texts, 1)
        )
    )
    packed = gzip.compress(data)
    records, errors = read(packed[: len(packed) * 2 // 3], name="cut.xml.gz")
    assert 0 < len(records) < 39
    assert [r.id for r in records] == [f"pmid:{n}" for n in range(1, len(records) + 1)]
    (error,) = errors
    assert error.message.startswith("truncated gzip")
    assert error.source == "cut.xml.gz"


def test_truncated_plain_file():
    data = pubmed(article("1"), article("2"))
    records, errors = read(data[: data.index(b"<ArticleTitle>", data.index(b">2<"))])
    assert [r.id for r in records] == ["pmid:1"]
    (error,) = errors
    assert error.message == "truncated file: it ends inside a record"
    assert error.line == line_of(data, b'<PMID Version="1">2') - 2


def test_missing_root_end_tag():
    records, errors = read(pubmed(article("1")).replace(TAIL.encode(), b""))
    assert [r.id for r in records] == ["pmid:1"]
    assert [e.message for e in errors] == ["truncated file: it ends before </PubmedArticleSet>"]


def test_bytes_that_are_not_utf8_are_replaced_and_reported():
    data = pubmed(article("1"), article("2", title="Caf\x00"), article("3"))
    data = data.replace(b"Caf\x00", b"Caf\xe9 au lait")
    records, errors = read(data)
    assert [r.id for r in records] == ["pmid:1", "pmid:2", "pmid:3"]
    assert records[1].title == "Caf\ufffd au lait"
    (error,) = errors
    assert "not valid utf-8" in error.message
    assert error.line == line_of(data, b"Caf\xe9")


@pytest.mark.parametrize("data", [b"", b"  \n", gzip.compress(b"")])
def test_empty_file(data: bytes):
    records, errors = read(data)
    assert records == []
    assert [e.message for e in errors] == ["empty file"]


def test_record_without_pmid_is_reported_and_skipped():
    data = pubmed(article("1"), article(""), article("3"))
    records, errors = read(data)
    assert [r.id for r in records] == ["pmid:1", "pmid:3"]
    (error,) = errors
    assert error.message == "record without a PMID skipped"
    assert error.line == line_of(data, b"<PubmedArticle>\n<MedlineCitation>\n\n")


def test_not_pubmed_xml():
    records, errors = read(b'{"json": "not xml"}\n')
    assert records == []
    assert len(errors) == 1 and "unexpected content" in errors[0].message


def test_errors_raise_without_a_callback():
    data = pubmed(article("1"), article("2", title="<i>unclosed</ArticleTitle>"))
    with pytest.raises(InputError, match="malformed XML in PMID 2"):
        list(read_pubmed_xml(io.BytesIO(data), name="x.xml"))


def test_missing_file_is_an_input_error(tmp_path: Path):
    errors: list[InputError] = []
    assert list(read_pubmed_xml(tmp_path / "absent.xml", on_error=errors.append)) == []
    (error,) = errors
    assert error.source.endswith("absent.xml") and "cannot read" in error.message
