"""Keeps the Relations page's summary (``relation_pairs``, ``relation_pair_models``,
``relation_pair_rows``) exact, in the transaction of the write that changes the relations.

A write that changes the relations of some documents (a model's results, a newer version of a
document, gold relations on ingest, a deletion, and the relations that go with a deleted
mention) runs inside ``relations_changing(connection, doc_ids)``: first the documents' summary
rows are read and deleted, then the write runs, then the documents' relations as they now are
are summarised again. Every count of a pair (abstracts, mentions, the score sum) is a sum over
documents, so subtracting what the documents held and adding what they hold keeps it exact
while touching only their pairs. The extremes (best score, years, name, type) are merged;
when the removed rows may have held one that the new rows do not reach, the pair is summed
again from its rows.

A pair's totals are kept over every model (relation_pairs) and per model that found it
(relation_pair_models); a part of some rows is keyed by (pair id, model), the model None for
every model. A concepts row added later changes the name and type of the pairs on that key:
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
    delete,
    distinct,
    func,
    literal,
    select,
    tuple_,
)
from sqlalchemy.dialects import postgresql, sqlite

from mining.store.bulk_update import unnested, update_by_key
from mining.store.schema import (
    concepts,
    documents,
    entities,
    relation_pair_models,
    relation_pair_rows,
    relation_pairs,
    relations,
)

CHUNK = 500  # ids a statement: far below SQLite's bound-parameter limit
Key = tuple[int, str | None]  # (relation_pairs.id, a model, or None for every model)
_LOCK_KEY = 0x62696F6D696E65  # "biomine": the one advisory lock of the summary


def lock_summary(connection: Connection) -> None:
    """Serialise the writers of the summary on PostgreSQL (SQLite has one writer anyway);
    taken again in the same transaction it returns at once."""
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
        _summarise(connection, chunk)
    _update_totals(connection, before, _parts(connection, ids))


def concepts_added(connection: Connection, added: dict[str, tuple[str, str]]) -> None:
    """New concepts rows (id -> (name, label)): the pairs on those keys take the concept's name
    and type, and so do their rows (their mentions' types no longer count)."""
    ids, p = sorted(added), relation_pairs
    for side in ("head", "tail"):
        found = []
        for chunk in _chunks(ids):
            found += connection.execute(select(p.c.id, p.c[side]).where(p.c[side].in_(chunk))).all()
        changes = [
            {
                "pair_id": pair_id,
                f"{side}_name": added[concept][0],
                f"{side}_type": added[concept][1],
                f"{side}_mixed": False,
            }
            for pair_id, concept in found
        ]
        rows = [{k: v for k, v in c.items() if k in ("pair_id", f"{side}_type")} for c in changes]
        update_by_key(connection, relation_pair_rows, ("pair_id",), rows)
        update_by_key(connection, relation_pair_models, ("pair_id",), changes)
        pairs = [
            {"id": c["pair_id"]} | {k: v for k, v in c.items() if k != "pair_id"} for c in changes
        ]
        update_by_key(connection, p, ("id",), pairs)


# --- the summary rows of some documents ---------------------------------------------------


def _chunks(items: Sequence) -> Iterator[Sequence]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _by_id(connection: Connection, columns: Sequence, ids: Iterable) -> dict:
    """id -> the other columns, of the rows whose first column is in ``ids``."""
    found, key = {}, columns[0]
    for chunk in _chunks(sorted(set(ids))):
        for row in connection.execute(select(*columns).where(key.in_(chunk))):
            found[row[0]] = tuple(row[1:])
    return found


def _summarise(connection: Connection, doc_ids: Sequence[str]) -> None:
    """The summary rows of these documents' relations, under their pairs (those first seen
    here are added with empty totals, which ``_update_totals`` fills).

    Each table is read by its key, and the rows are put together here: joining them in one
    INSERT ... SELECT made PostgreSQL hash whole tables for a batch of documents."""
    r = relations
    found = connection.execute(
        select(
            r.c.id, r.c.doc_id, r.c.head, r.c.tail, r.c.label, r.c.score, r.c.source,
            r.c.head_entity_id, r.c.tail_entity_id,
        ).where(r.c.doc_id.in_(doc_ids))
    ).all()  # fmt: skip
    if not found:
        return
    where = _by_id(connection, [documents.c.id, documents.c.year, documents.c.journal], doc_ids)
    mentions = _by_id(
        connection,
        [entities.c.id, entities.c.label, entities.c.text],
        (m for x in found for m in (x.head_entity_id, x.tail_entity_id) if m is not None),
    )
    keys = (k for x in found for k in (x.head, x.tail))
    kinds = _by_id(connection, [concepts.c.id, concepts.c.label], keys)
    pair_ids = _add_pairs(connection, found)
    rows = []
    for x in found:
        year, journal = where[x.doc_id]
        row = {
            "pair_id": pair_ids[(x.head, x.tail, x.label)],
            "score": x.score,
            "relation_id": x.id,
            "doc_id": x.doc_id,
            "source": x.source,
            "year": year,
            "journal": journal,
        }
        sides = (("head", x.head, x.head_entity_id), ("tail", x.tail, x.tail_entity_id))
        for side, key, mention in sides:
            label, text = mentions.get(mention, (None, None))
            concept = kinds.get(key)
            row[f"{side}_type"] = concept[0] if concept else label
            # The mention text names the pair only while its key has no concepts row.
            row[f"{side}_text"] = None if concept else text
        rows.append(row)
    connection.execute(relation_pair_rows.insert(), rows)


_EMPTY = {"abstracts": 0, "mentions": 0, "best_score": 0.0, "score_sum": 0.0}
_EMPTY |= {"head_mixed": False, "tail_mixed": False}


def _add_pairs(connection: Connection, found: Sequence) -> dict[tuple, int]:
    """Add the relation_pairs and relation_pair_models rows these relations need (with empty
    totals); returns the relation_pairs id of each (head, tail, label)."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    names = ("head", "tail", "label")
    keys = sorted({(x.head, x.tail, x.label) for x in found})
    # In key order: concurrent writers lock new keys in one order.
    new = [dict(zip(names, k, strict=True)) | _EMPTY for k in keys]
    statement = dialect.insert(relation_pairs).on_conflict_do_nothing(index_elements=names)
    connection.execute(statement, new)
    p = relation_pairs
    ids = {tuple(row[1:]): row[0] for row in _by_key(connection, [p.c.id, *_KEY_COLUMNS], keys)}
    per_model = sorted(
        {(ids[(x.head, x.tail, x.label)], x.source, x.head, x.tail, x.label) for x in found}
    )
    new = [dict(zip(("pair_id", "source", *names), k, strict=True)) | _EMPTY for k in per_model]
    statement = dialect.insert(relation_pair_models).on_conflict_do_nothing(
        index_elements=["pair_id", "source"]
    )
    connection.execute(statement, new)
    return ids


_KEY_COLUMNS = (relation_pairs.c.head, relation_pairs.c.tail, relation_pairs.c.label)


def _by_key(connection: Connection, columns: Sequence, keys: Iterable[tuple]) -> list:
    """The relation_pairs rows whose (head, tail, label) is one of ``keys``. PostgreSQL gets
    the keys as three arrays to join (an IN list of row values makes it plan one index scan
    per key, a BitmapOr hundreds wide); SQLite as that IN list, which it looks up key by key."""
    p, found = relation_pairs, []
    for chunk in _chunks(sorted(set(keys))):
        if connection.dialect.name == "postgresql":
            given = unnested(p, [c.name for c in _KEY_COLUMNS])
            same = (p.c.head == given.c.head) & (p.c.tail == given.c.tail)
            same &= p.c.label == given.c.label
            query = select(*columns).select_from(p.join(given, same))
            arrays = {f"u_{c.name}": [key[i] for key in chunk] for i, c in enumerate(_KEY_COLUMNS)}
            found += connection.execute(query, arrays).all()
            continue
        query = select(*columns).where(tuple_(*_KEY_COLUMNS).in_(chunk))
        found += connection.execute(query).all()
    return found


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
    """Per pair, over every model (model None) and per model, what the summary rows of these
    documents add up to."""
    rows = relation_pair_rows
    found: dict[Key, Part] = {}
    for chunk in _chunks(doc_ids):
        for source in (literal(None), rows.c.source):
            query = (
                select(rows.c.pair_id, source, *part_columns(rows))
                .where(rows.c.doc_id.in_(chunk))
                .group_by(rows.c.pair_id, source)
            )
            for pair_id, source_name, *figures in connection.execute(query):
                key, part = (pair_id, source_name), Part(*figures)
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
    """A relation_pairs or relation_pair_models row before the change, with the concepts of
    its two keys."""

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


_FIGURES = (
    "abstracts", "mentions", "best_score", "score_sum", "first_year", "last_year", "head_name",
    "head_type", "tail_name", "tail_type", "head_mixed", "tail_mixed",
)  # fmt: skip


def _totals(connection: Connection, keys: set[Key]) -> list[_Totals]:
    """The rows of these keys (over every model, and per model)."""
    p, m = relation_pairs, relation_pair_models
    pair_ids = sorted({pair_id for pair_id, _ in keys})
    every = _by_id(connection, [p.c.id, p.c.head, p.c.tail, *(p.c[n] for n in _FIGURES)], pair_ids)
    rows = [((pair_id, None), values[:2], values[2:]) for pair_id, values in every.items()]
    for chunk in _chunks(pair_ids):
        query = select(m.c.pair_id, m.c.source, *(m.c[n] for n in _FIGURES))
        for pair_id, source, *figures in connection.execute(query.where(m.c.pair_id.in_(chunk))):
            rows.append(((pair_id, source), every[pair_id][:2], figures))
    named = _by_id(
        connection,
        [concepts.c.id, concepts.c.name, concepts.c.label],
        (k for _, (head, tail), _ in rows for k in (head, tail)),
    )
    return [
        _Totals(
            key,
            *figures[:10],
            bool(figures[10]),
            bool(figures[11]),
            named.get(head),
            named.get(tail),
        )
        for key, (head, tail), figures in rows
        if key in keys
    ]


def _update_totals(connection: Connection, before: dict[Key, Part], after: dict[Key, Part]) -> None:
    """Totals minus what the documents held, plus what they hold now."""
    updates, again, gone = [], [], []
    for t in _totals(connection, before.keys() | after.keys()):
        old, new = before.get(t.key), after.get(t.key)
        remaining = t.mentions - (old.rows if old else 0)  # rows of other documents
        if remaining + (new.rows if new else 0) == 0:
            gone.append(t.key)
        elif remaining == 0:
            updates.append((t.key, _values(t, new)))
        elif old is not None and _lost_an_extreme(t, old, new):
            again.append(t)
        else:
            updates.append((t.key, _merged(t, old, new)))
    for t in again:  # summed again from all its rows, now that they are in place
        updates.append((t.key, _values(t, _whole(connection, t.key))))
    p, m = relation_pairs, relation_pair_models
    models_gone = [{"b_pair": pair_id, "b_source": source} for pair_id, source in gone if source]
    if models_gone:
        connection.execute(
            delete(m).where(
                m.c.pair_id == bindparam("b_pair"), m.c.source == bindparam("b_source")
            ),
            models_gone,
        )
    for chunk in _chunks([pair_id for pair_id, source in gone if source is None]):
        connection.execute(delete(p).where(p.c.id.in_(chunk)))
    every = [{"id": pair_id} | v for (pair_id, source), v in updates if source is None]
    update_by_key(connection, p, ("id",), every)
    per_model = [
        {"pair_id": pair_id, "source": source} | v for (pair_id, source), v in updates if source
    ]
    update_by_key(connection, m, ("pair_id", "source"), per_model)


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
    if source is not None:
        query = query.where(rows.c.source == source)
    return Part(*connection.execute(query).one())
