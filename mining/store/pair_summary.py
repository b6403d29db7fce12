"""Keeps the Relations page's summary (``relation_pairs``, ``relation_pair_rows``) exact, in
the transaction of the write that changes the relations.

A write that changes the relations of some documents (a model's results, a newer version of a
document, gold relations on ingest, a deletion, and the relations that go with a deleted
mention) runs inside ``relations_changing(connection, doc_ids)``: first the documents' summary
rows are read and deleted, then the write runs, then the documents' relations as they now are
are summarised again. Every count of a pair (abstracts, mentions, the score sum) is a sum over
documents, so subtracting what the documents held and adding what they hold keeps it exact
while touching only their pairs. The extremes (best score, years, name, type) are merged;
when the removed rows may have held one that the new rows do not reach, the pair is summed
again from its rows.

Each pair has one relation_pairs row over every model (source ALL_SOURCES) and one per model
that found it; a part of some rows is keyed by (the pair's ALL_SOURCES row id, source). A
concepts row added later changes the name and type of the pairs on that key:
``concepts_added`` sets them. On PostgreSQL these writes take one transaction-level advisory
lock first, so concurrent writers update the totals one after the other.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import NamedTuple

from sqlalchemy import (
    Connection,
    bindparam,
    case,
    delete,
    distinct,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from mining.store.schema import (
    ALL_SOURCES,
    concepts,
    documents,
    entities,
    relation_pair_rows,
    relation_pairs,
    relations,
)

CHUNK = 500  # ids a statement: far below SQLite's bound-parameter limit
Key = tuple[int, str]  # (the pair's ALL_SOURCES row id, a source or ALL_SOURCES)
_LOCK_KEY = 0x62696F6D696E65  # "biomine": the one advisory lock of the summary


def lock_summary(connection: Connection) -> None:
    """Serialise the writers of the summary on PostgreSQL (SQLite has one writer anyway);
    taken again in the same transaction it is a no-op."""
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(_LOCK_KEY)))


@contextmanager
def relations_changing(connection: Connection, doc_ids: Iterable[str]) -> Iterator[None]:
    """Wrap a write that may change the relations of ``doc_ids`` (only theirs): the summary
    follows it. If the write raises, nothing more is done (its transaction rolls back)."""
    ids = sorted(set(doc_ids))
    if not ids:
        yield
        return
    lock_summary(connection)
    before = _parts(connection, ids)
    for chunk in _chunks(ids):
        connection.execute(delete(relation_pair_rows).where(relation_pair_rows.c.doc_id.in_(chunk)))
    yield
    for chunk in _chunks(ids):
        _add_pairs(connection, chunk)
        _add_rows(connection, chunk)
    _update_totals(connection, before, _parts(connection, ids))


def concepts_added(connection: Connection, added: dict[str, tuple[str, str]]) -> None:
    """New concepts rows (id -> (name, label)): the pairs on those keys take the concept's name
    and type, and so do their rows (their mentions' types no longer count)."""
    ids = sorted(added)
    p = relation_pairs
    for side in ("head", "tail"):
        found = []
        for chunk in _chunks(ids):
            found += connection.execute(
                select(p.c.id, p.c[side], p.c.source).where(p.c[side].in_(chunk))
            ).all()
        if not found:
            continue
        connection.execute(
            update(relation_pair_rows)
            .where(relation_pair_rows.c.pair_id == bindparam("b_pair"))
            .values({f"{side}_type": bindparam("b_type")}),
            [
                {"b_pair": pair_id, "b_type": added[concept][1]}
                for pair_id, concept, source in found
                if source == ALL_SOURCES  # the rows hang under these
            ],
        )
        connection.execute(
            update(relation_pairs)
            .where(relation_pairs.c.id == bindparam("b_pair"))
            .values(
                {
                    f"{side}_name": bindparam("b_name"),
                    f"{side}_type": bindparam("b_type"),
                    f"{side}_mixed": False,
                }
            ),
            [
                {"b_pair": pair_id, "b_name": added[concept][0], "b_type": added[concept][1]}
                for pair_id, concept, _ in found
            ],
        )


# --- the summary rows of some documents ---------------------------------------------------


def _chunks(items: Sequence) -> Iterator[Sequence]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _add_pairs(connection: Connection, doc_ids: Sequence[str]) -> None:
    """Pairs (over every model, and per model) first seen in these documents, with empty
    totals (``_update_totals`` fills them)."""
    r = relations
    empty = [literal(0), literal(0), literal(0.0), literal(0.0), literal(False), literal(False)]
    columns = ["head", "tail", "label", "source", "abstracts", "mentions", "best_score"]
    columns += ["score_sum", "head_mixed", "tail_mixed"]
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    for source in (literal(ALL_SOURCES), r.c.source):
        keys = (
            select(r.c.head, r.c.tail, r.c.label, source, *empty)
            .where(r.c.doc_id.in_(doc_ids))
            .group_by(r.c.head, r.c.tail, r.c.label, source)
            .order_by(r.c.head, r.c.tail, r.c.label, source)  # one lock order for writers
        )
        statement = (
            dialect.insert(relation_pairs)
            .from_select(columns, keys)
            .on_conflict_do_nothing(index_elements=["head", "tail", "label", "source"])
        )
        connection.execute(statement)


def _add_rows(connection: Connection, doc_ids: Sequence[str]) -> None:
    r, p = relations, relation_pairs
    hc, tc = concepts.alias("hc"), concepts.alias("tc")
    he, te = entities.alias("he"), entities.alias("te")
    rows = (
        select(
            p.c.id,
            r.c.score,
            r.c.id,
            r.c.doc_id,
            r.c.source,
            documents.c.year,
            documents.c.journal,
            func.coalesce(hc.c.label, he.c.label),
            func.coalesce(tc.c.label, te.c.label),
            # The mention text names the pair only while its key has no concepts row.
            case((hc.c.id.is_(None), he.c.text)),
            case((tc.c.id.is_(None), te.c.text)),
        )
        .select_from(
            r.join(documents, documents.c.id == r.c.doc_id)
            .join(p, _same_key(p, r) & (p.c.source == ALL_SOURCES))
            .outerjoin(hc, hc.c.id == r.c.head)
            .outerjoin(tc, tc.c.id == r.c.tail)
            .outerjoin(he, he.c.id == r.c.head_entity_id)
            .outerjoin(te, te.c.id == r.c.tail_entity_id)
        )
        .where(r.c.doc_id.in_(doc_ids))
    )
    columns = [
        "pair_id", "score", "relation_id", "doc_id", "source", "year", "journal",
        "head_type", "tail_type", "head_text", "tail_text",
    ]  # fmt: skip
    connection.execute(relation_pair_rows.insert().from_select(columns, rows))


def _same_key(a, b):
    return (a.c.head == b.c.head) & (a.c.tail == b.c.tail) & (a.c.label == b.c.label)


# --- what some rows add up to ---------------------------------------------------------------


class Part(NamedTuple):
    """The aggregates of some rows of one pair (the rows of some documents, or all of them)."""

    docs: int
    rows: int
    score_sum: float
    best: float
    first_year: int | None
    last_year: int | None
    head_type: str | None  # the largest, and the smallest below
    head_type_min: str | None
    head_typed: int  # rows with a type
    tail_type: str | None
    tail_type_min: str | None
    tail_typed: int
    head_text: str | None  # the largest mention text
    tail_text: str | None

    def mixed(self, side: str) -> bool:
        typed = getattr(self, f"{side}_typed")
        top, bottom = getattr(self, f"{side}_type"), getattr(self, f"{side}_type_min")
        return 0 < typed < self.rows or top != bottom


def part_columns(rows):
    """The aggregates of ``Part``, in its order, over a selectable of summary rows."""
    return [
        func.count(distinct(rows.c.doc_id)),
        func.count(),
        func.sum(rows.c.score),
        func.max(rows.c.score),
        func.min(rows.c.year),
        func.max(rows.c.year),
        func.max(rows.c.head_type),
        func.min(rows.c.head_type),
        func.count(rows.c.head_type),
        func.max(rows.c.tail_type),
        func.min(rows.c.tail_type),
        func.count(rows.c.tail_type),
        func.max(rows.c.head_text),
        func.max(rows.c.tail_text),
    ]


def _parts(connection: Connection, doc_ids: Sequence[str]) -> dict[Key, Part]:
    """Per pair, over every model and per model, what the summary rows of these documents
    add up to."""
    rows = relation_pair_rows
    found: dict[Key, Part] = {}
    for chunk in _chunks(doc_ids):
        for source in (literal(ALL_SOURCES), rows.c.source):
            query = (
                select(rows.c.pair_id, source, *part_columns(rows))
                .where(rows.c.doc_id.in_(chunk))
                .group_by(rows.c.pair_id, source)
            )
            for pair_id, source_name, *values in connection.execute(query):
                key, part = (pair_id, source_name), Part(*values)
                found[key] = _merge(found[key], part) if key in found else part
    return found


def _merge(a: Part, b: Part) -> Part:
    """Two parts of disjoint documents as one."""
    return Part(
        a.docs + b.docs,
        a.rows + b.rows,
        a.score_sum + b.score_sum,
        max(a.best, b.best),
        _least(a.first_year, b.first_year),
        _greatest(a.last_year, b.last_year),
        _greatest(a.head_type, b.head_type),
        _least(a.head_type_min, b.head_type_min),
        a.head_typed + b.head_typed,
        _greatest(a.tail_type, b.tail_type),
        _least(a.tail_type_min, b.tail_type_min),
        a.tail_typed + b.tail_typed,
        _greatest(a.head_text, b.head_text),
        _greatest(a.tail_text, b.tail_text),
    )


def _least(a, b):
    """min() as SQL has it: NULLs ignored."""
    return b if a is None else a if b is None else min(a, b)


def _greatest(a, b):
    return b if a is None else a if b is None else max(a, b)


# --- the pair totals ------------------------------------------------------------------------


class _Totals(NamedTuple):
    """A relation_pairs row before the change, with the concepts of its two keys."""

    id: int  # of this row (the pair's ALL_SOURCES row, or one model's)
    key: Key
    abstracts: int
    mentions: int
    best_score: float
    score_sum: float
    first_year: int | None
    last_year: int | None
    head_name: str | None
    head_type: str | None
    tail_name: str | None
    tail_type: str | None
    head_mixed: bool
    tail_mixed: bool
    head_concept: tuple[str, str] | None  # (name, label) of its concepts row
    tail_concept: tuple[str, str] | None


def _totals(connection: Connection, keys: set[Key]) -> list[_Totals]:
    """The relation_pairs rows of these keys, found through their pair's ALL_SOURCES row."""
    every, p = relation_pairs.alias("every"), relation_pairs
    hc, tc = concepts.alias("hc"), concepts.alias("tc")
    found = []
    for chunk in _chunks(sorted({pair_id for pair_id, _ in keys})):
        query = (
            select(
                p.c.id,
                every.c.id.label("pair_id"),
                p.c.source,
                p.c.abstracts,
                p.c.mentions,
                p.c.best_score,
                p.c.score_sum,
                p.c.first_year,
                p.c.last_year,
                p.c.head_name,
                p.c.head_type,
                p.c.tail_name,
                p.c.tail_type,
                p.c.head_mixed,
                p.c.tail_mixed,
                hc.c.id.label("hc_id"),
                hc.c.name.label("hc_name"),
                hc.c.label.label("hc_label"),
                tc.c.id.label("tc_id"),
                tc.c.name.label("tc_name"),
                tc.c.label.label("tc_label"),
            )  # fmt: skip
            .select_from(
                every.join(p, _same_key(p, every))
                .outerjoin(hc, hc.c.id == p.c.head)
                .outerjoin(tc, tc.c.id == p.c.tail)
            )
            .where(every.c.source == ALL_SOURCES, every.c.id.in_(chunk))
        )
        for row in connection.execute(query):
            key = (row.pair_id, row.source)
            if key not in keys:
                continue
            found.append(
                _Totals(
                    row.id,
                    key,
                    *row[3:13],
                    bool(row.head_mixed),
                    bool(row.tail_mixed),
                    (row.hc_name, row.hc_label) if row.hc_id is not None else None,
                    (row.tc_name, row.tc_label) if row.tc_id is not None else None,
                )
            )
    return found


def _update_totals(connection: Connection, before: dict[Key, Part], after: dict[Key, Part]) -> None:
    """Totals minus what the documents held, plus what they hold now."""
    updates, again, gone = [], [], []
    for t in _totals(connection, before.keys() | after.keys()):
        old, new = before.get(t.key), after.get(t.key)
        remaining = t.mentions - (old.rows if old else 0)  # rows of other documents
        if remaining + (new.rows if new else 0) == 0:
            gone.append(t.id)
        elif remaining == 0:
            updates.append(_values(t, new))
        elif old is not None and _lost_an_extreme(t, old, new):
            again.append(t)
        else:
            updates.append(_merged(t, old, new))
    for t in again:  # summed again from all its rows, now that they are in place
        updates.append(_values(t, _whole(connection, t.key)))
    p = relation_pairs
    for chunk in _chunks(gone):
        connection.execute(delete(p).where(p.c.id.in_(chunk)))
    if updates:
        names = [name for name in updates[0] if name != "b_id"]
        connection.execute(
            update(p)
            .where(p.c.id == bindparam("b_id"))
            .values({name: bindparam(f"b_{name}") for name in names}),
            [{"b_id": u["b_id"]} | {f"b_{n}": u[n] for n in names} for u in updates],
        )


def _lost_an_extreme(t: _Totals, old: Part, new: Part | None) -> bool:
    """Whether the removed rows may have held an extreme of the pair that the new ones do not
    reach (or a type disagreement that may be gone): the merge cannot tell, a sum can."""

    def lost(held, current, reached, larger: bool) -> bool:
        if held is None or current is None or held != current:
            return False
        if reached is None:
            return True
        return reached < current if larger else reached > current

    n = new
    checks = [
        lost(old.best, t.best_score, n.best if n else None, True),
        lost(old.first_year, t.first_year, n.first_year if n else None, False),
        lost(old.last_year, t.last_year, n.last_year if n else None, True),
    ]
    for side in ("head", "tail"):
        if getattr(t, f"{side}_concept") is not None:
            continue  # name and type are the concept's whatever the rows hold
        checks += [
            lost(
                getattr(old, f"{side}_type"),
                getattr(t, f"{side}_type"),
                getattr(n, f"{side}_type") if n else None,
                True,
            ),
            lost(
                getattr(old, f"{side}_text"),
                getattr(t, f"{side}_name"),
                getattr(n, f"{side}_text") if n else None,
                True,
            ),
            getattr(t, f"{side}_mixed"),  # removed rows may have been the odd ones
        ]
    return any(checks)


def _merged(t: _Totals, old: Part | None, new: Part | None) -> dict:
    """The totals of a pair whose other documents keep rows: minus old, plus new."""
    o_docs, o_rows, o_sum = (old.docs, old.rows, old.score_sum) if old else (0, 0, 0.0)
    values = {
        "b_id": t.id,
        "abstracts": t.abstracts - o_docs + (new.docs if new else 0),
        "mentions": t.mentions - o_rows + (new.rows if new else 0),
        "score_sum": t.score_sum - o_sum + (new.score_sum if new else 0.0),
        "best_score": max(t.best_score, new.best) if new else t.best_score,
        "first_year": _least(t.first_year, new.first_year) if new else t.first_year,
        "last_year": _greatest(t.last_year, new.last_year) if new else t.last_year,
    }
    for side in ("head", "tail"):
        concept = getattr(t, f"{side}_concept")
        kind, name = getattr(t, f"{side}_type"), getattr(t, f"{side}_name")
        if concept is not None:
            name, kind, mixed = concept[0], concept[1], False
        elif new is None:
            mixed = getattr(t, f"{side}_mixed")
        else:
            # The other documents' rows agree on ``kind`` (else a re-sum was due, or they
            # were mixed and still are): mixed now if the new rows disagree with them.
            new_kind = getattr(new, f"{side}_type")
            mixed = getattr(t, f"{side}_mixed") or new.mixed(side) or new_kind != kind
            kind = _greatest(kind, new_kind)
            name = _greatest(name, getattr(new, f"{side}_text"))
        values |= {f"{side}_name": name, f"{side}_type": kind, f"{side}_mixed": mixed}
    return values


def _values(t: _Totals, whole: Part) -> dict:
    """The totals of a pair from the aggregates of all its rows."""
    values = {
        "b_id": t.id,
        "abstracts": whole.docs,
        "mentions": whole.rows,
        "score_sum": whole.score_sum,
        "best_score": whole.best,
        "first_year": whole.first_year,
        "last_year": whole.last_year,
    }
    for side in ("head", "tail"):
        concept = getattr(t, f"{side}_concept")
        if concept is not None:
            values |= {f"{side}_name": concept[0], f"{side}_type": concept[1]}
            values[f"{side}_mixed"] = False
        else:
            values |= {
                f"{side}_name": getattr(whole, f"{side}_text"),
                f"{side}_type": getattr(whole, f"{side}_type"),
                f"{side}_mixed": whole.mixed(side),
            }
    return values


def _whole(connection: Connection, key: Key) -> Part:
    """The aggregates of all the rows of a pair (of one model, or of every model)."""
    rows = relation_pair_rows
    pair_id, source = key
    query = select(*part_columns(rows)).where(rows.c.pair_id == pair_id)
    if source != ALL_SOURCES:
        query = query.where(rows.c.source == source)
    return Part(*connection.execute(query).one())
