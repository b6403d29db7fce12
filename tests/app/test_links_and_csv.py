"""Links out are built from well-formed ids only; the CSV cannot smuggle in formulas."""

from __future__ import annotations

import csv
import io

from app.links import anchor, doi_url, pubmed_url
from app.relations_csv import relations_csv
from mining.store.queries import RelationRow


def test_pubmed_only_for_pmid_ids():
    assert pubmed_url("pmid:12345") == "https://pubmed.ncbi.nlm.nih.gov/12345/"
    assert pubmed_url("pmid:1/../x") is None and pubmed_url("doc-7") is None


def test_doi_must_look_like_one():
    assert doi_url("10.1000/xyz.1") == "https://doi.org/10.1000/xyz.1"
    assert doi_url("javascript:alert(1)") is None and doi_url(None) is None


def test_anchor_escapes_both_parts():
    assert anchor('https://x/"a', "<b>") == (
        '<a href="https://x/&quot;a" target="_blank" rel="noopener noreferrer">&lt;b&gt;</a>'
    )


def test_csv_neutralises_formulas():
    row = RelationRow(
        "D1", "=HYPERLINK(\"http://evil\")", "Chemical", "D2", "polyuria", "Disease",
        "CID", 2, 3, 0.9, 0.8, 2001, None,
    )  # fmt: skip
    header, values = list(csv.reader(io.StringIO(relations_csv([row]))))
    cells = dict(zip(header, values, strict=True))
    assert cells["head_name"] == '\'=HYPERLINK("http://evil")'
    assert cells["abstracts"] == "2" and cells["last_year"] == ""
