"""Updating many rows, each by its key, with values of its own.

On PostgreSQL one ``UPDATE ... FROM (SELECT unnest(array), ...)`` a chunk of rows, each
column's values bound as one array: an executemany of single-row UPDATEs costs a round of the
protocol each, and a VALUES list is a new statement for SQLAlchemy to compile every time (its
rendering cost more than the update). On SQLite, in process, the executemany is as fast.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Table, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY

CHUNK = 2000  # rows a statement


def update_by_key(
    connection: Connection,
    table: Table,
    key: Sequence[str],
    rows: Sequence[dict],
    *,
    add: bool = False,
) -> None:
    """Set (``add``: increment by) each row's other columns in the rows whose ``key`` columns
    equal its values; every dict has the same names."""
    if not rows:
        return
    names = [name for name in rows[0] if name not in key]
    every = (*key, *names)
    if connection.dialect.name != "postgresql":
        target = [table.c[k] == bindparam(f"b_{k}") for k in key]
        assigned = {
            name: (table.c[name] + bindparam(f"b_{name}")) if add else bindparam(f"b_{name}")
            for name in names
        }
        connection.execute(
            update(table).where(*target).values(assigned),
            [{f"b_{name}": row[name] for name in every} for row in rows],
        )
        return
    given = unnested(table, every)
    assigned = {name: (table.c[name] + given.c[name]) if add else given.c[name] for name in names}
    statement = update(table).where(*(table.c[k] == given.c[k] for k in key)).values(assigned)
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        connection.execute(statement, {f"u_{n}": [row[n] for row in chunk] for n in every})


def unnested(table: Table, names: Sequence[str]):
    """A PostgreSQL subquery of rows whose columns (typed as ``table``'s) are arrays bound as
    parameters ``u_<name>``, unnested side by side."""
    columns = [
        func.unnest(bindparam(f"u_{name}", type_=ARRAY(table.c[name].type))).label(name)
        for name in names
    ]
    return select(*columns).subquery("given")
