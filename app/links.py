"""Links out of BioMine, built only from ids that match the expected form."""

from __future__ import annotations

import html
import re
from urllib.parse import quote

_PMID = re.compile(r"pmid:(\d{1,10})")
_DOI = re.compile(r"10\.\d{4,9}/\S+")


def pubmed_url(doc_id: str) -> str | None:
    """PubMed's page for a ``pmid:`` document, None for any other id."""
    match = _PMID.fullmatch(doc_id)
    return f"https://pubmed.ncbi.nlm.nih.gov/{match.group(1)}/" if match else None


def doi_url(doi: object) -> str | None:
    if not isinstance(doi, str) or not _DOI.fullmatch(doi.strip()):
        return None
    return "https://doi.org/" + quote(doi.strip(), safe="/")


def anchor(url: str, text: str) -> str:
    """An HTML link that opens in a new tab, both parts escaped."""
    return (
        f'<a href="{html.escape(url, quote=True)}" target="_blank" rel="noopener noreferrer">'
        f"{html.escape(text)}</a>"
    )
