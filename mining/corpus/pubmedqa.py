"""PubMedQA's JSON (``ori_pqal.json`` and its splits): one labelled question per PMID.

Each record holds the question (from the article's title), the abstract's sections without
the conclusion (``CONTEXTS``, with their ``LABELS``), the conclusion (``LONG_ANSWER``) and the
experts' answer (``final_decision``: yes / no / maybe). Jin et al., EMNLP 2019.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from mining.errors import InputError
from mining.types import ANSWER_LABELS, Document, pmid_id

DECISIONS = ANSWER_LABELS


@dataclass(frozen=True)
class PubMedQaRecord:
    pmid: str
    question: str
    contexts: tuple[str, ...]
    sections: tuple[str, ...]  # the contexts' section labels (BACKGROUND, RESULTS, ...)
    long_answer: str
    decision: str | None  # None in unlabelled sets

    @property
    def doc_id(self) -> str:
        return pmid_id(self.pmid)

    def document(self) -> Document:
        """The abstract as stored: no title (the question is the title), the contexts."""
        return Document(self.doc_id, "", " ".join(self.contexts), {"corpus": "pubmedqa"})


def read_pubmedqa(path: str | Path) -> list[PubMedQaRecord]:
    """Every record of a PubMedQA JSON file, in file order; an ``InputError`` naming the file
    (and the PMID) when it is not PubMedQA JSON."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise InputError(str(path), f"cannot read PubMedQA JSON: {error}") from error
    if not isinstance(raw, dict):
        raise InputError(str(path), "PubMedQA JSON is an object keyed by PMID")
    records = []
    for pmid, item in raw.items():
        try:
            decision = item.get("final_decision")
            if decision is not None and decision not in DECISIONS:
                raise ValueError(f"final_decision {decision!r} is none of {DECISIONS}")
            contexts = tuple(str(x) for x in item["CONTEXTS"])
            records.append(
                PubMedQaRecord(
                    str(pmid),
                    str(item["QUESTION"]),
                    contexts,
                    tuple(str(x) for x in item.get("LABELS", ())),
                    str(item.get("LONG_ANSWER", "")),
                    decision,
                )
            )
        except (AttributeError, KeyError, TypeError, ValueError) as error:
            raise InputError(str(path), f"PMID {pmid}: not a PubMedQA record ({error})") from error
    return records
