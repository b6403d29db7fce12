"""The Relations table as CSV, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from mining.store.queries import RelationRow

COLUMNS = [
    "head", "head_name", "head_type", "label", "tail", "tail_name", "tail_type",
    "abstracts", "mentions", "best_score", "mean_score", "first_year", "last_year",
]  # fmt: skip

# A cell starting with one of these is a formula to Excel or LibreOffice; stored names are
# untrusted, so such a cell is written with a leading quote (OWASP's CSV injection advice).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def relations_csv(rows: Iterable[RelationRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_cell(getattr(row, column)) for column in COLUMNS])
    return out.getvalue()
