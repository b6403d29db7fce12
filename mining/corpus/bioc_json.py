"""BioC JSON (the ``bioc`` package's layout and PubTator3's export): read only.

Accepts a collection ``{"documents": [...]}``, PubTator3's ``{"PubTator3": [...]}``, a bare
list of documents or a single document, and several such values one after another (the
PubTator3 API answers one per line for many PMIDs).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from mining.corpus.bioc_document import document_from_bioc
from mining.corpus.open_source import Source, read_text, reader
from mining.errors import InputError, OnError, report
from mining.types import Document

_COLLECTION_KEYS = ("documents", "PubTator3")


@reader
def read_bioc_json(
    source: Source, on_error: OnError = None, name: str | None = None
) -> Iterator[Document]:
    """Documents with gold entities and relations.

    Reads the whole input into memory first: a collection is one JSON value, and streaming
    it would need a streaming JSON parser; BioC JSON files are per-query exports, not dumps.
    """
    text = read_text(source, name, on_error)
    for value, line in _json_values(text, name, on_error):
        for raw in _documents(value, name, line, on_error):
            doc = document_from_bioc(raw, name, on_error)
            if doc is not None:
                yield doc


def _json_values(text: str, name: str, on_error: OnError) -> Iterator[tuple[Any, int]]:
    """Each JSON value in ``text`` with its line; a syntax error is reported and ends it."""
    decoder, at, line, counted = json.JSONDecoder(), 0, 1, 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at == len(text):
            return
        line, counted = line + text.count("\n", counted, at), at  # no rescans from the start
        try:
            value, at = decoder.raw_decode(text, at)
        except json.JSONDecodeError as exc:
            report(InputError(name, f"malformed JSON: {exc.msg}", exc.lineno), on_error)
            return
        yield value, line


def _documents(value: Any, name: str, line: int, on_error: OnError) -> list[dict]:
    if isinstance(value, dict):
        key = next((k for k in _COLLECTION_KEYS if k in value), None)
        value = value[key] if key else [value] if "passages" in value else None
    if isinstance(value, list) and all(isinstance(d, dict) for d in value):
        return value
    report(InputError(name, "not a BioC JSON collection or document", line), on_error)
    return []
