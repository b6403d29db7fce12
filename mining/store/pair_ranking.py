"""Relations ranked by concept pair (the Relations page's table), read from the summary that
``pair_summary`` keeps: the same rows as summing the relations table, a page at a time.

One answer, three ways to it, chosen per call:

- No filter on rows (relation type, concept, entity types while no pair mixes types): the
  pair totals over every model; a page is an index range of ``relation_pairs`` in the chosen
  sort. Likewise one model, in the default sort, from that model's totals
  (``relation_pair_models``).
- Row filters (minimum score, years, journal, model, or a type on a pair that mixes types)
  that match few rows (under ``FEW_ROWS``, counted through an index): those rows, summed by
  pair.
- Row filters that match many: the pairs in the order of their unfiltered value, a growing
  chunk at a time, each summed over its matching rows. A filter only removes rows, so a
  pair's filtered count (mentions, best score, last year) is at most its unfiltered one: once
  the page is full and its last row beats the next pair's unfiltered value, no later pair can
  enter it. Were that to need more than ``SCAN_ROWS`` rows, the rows are summed directly.

The figures that rank come from covering indexes (or the clustered table); the names and
types of the page's rows from their concepts rows, and from the rows themselves only for a
key without one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from sqlalchemy import (
    Connection,
    Engine,
    and_,
    distinct,
    func,
    literal_column,
    or_,
    select,
    tuple_,
)
from sqlalchemy.sql.elements import ColumnElement

from mining.store.schema import (
    concepts,
    documents,
    last_year_key,
    name_key,
    relation_pair_models,
    relation_pair_rows,
    relation_pairs,
)

TEXT_KEY = "text:"  # the prefix of concept keys built from a mention's text (nlp.normalise)
FEW_ROWS = 20_000  # rows a filter matches, at most, to be summed directly
SCAN_ROWS = 300_000  # rows the chunked scan may read before summing directly instead
SEEK_ROWS = 20  # what reading one pair's rows costs beyond its rows, in rows
FIRST_CHUNK = 64  # pairs


@dataclass(frozen=True, slots=True)
class RelationRow:
    """One (head concept, tail concept, label) with the evidence for it, summed up."""

    head: str
    head_name: str | None
    head_type: str | None
    tail: str
    tail_name: str | None
    tail_type: str | None
    label: str
    abstracts: int  # supporting documents (distinct doc ids)
    mentions: int  # relation rows: one per sentence/model that found it
    best_score: float
    mean_score: float
    first_year: int | None
    last_year: int | None


@dataclass(frozen=True, slots=True)
class RelationCursor:
    """Where the next page starts: the sort value and key of the last row shown."""

    value: int | float | str
    head: str
    tail: str
    label: str


@dataclass(frozen=True, slots=True)
class RelationPage:
    rows: list[RelationRow]
    next: RelationCursor | None  # None on the last page


# --- sorts ----------------------------------------------------------------------------------

p, m, r = relation_pairs, relation_pair_models, relation_pair_rows


class _Sort(NamedTuple):
    total: ColumnElement  # the pair's value over all its rows (relation_pairs)
    # The value over a pair's matching rows (an aggregate over summary rows), or None when it
    # is the pair's own (a name): a filter then only decides whether the pair shows.
    filtered: Callable[[Any], ColumnElement] | None
    descending: bool


SORTS: dict[str, _Sort] = {
    "abstracts": _Sort(p.c.abstracts, lambda x: func.count(distinct(x.c.doc_id)), True),
    "mentions": _Sort(p.c.mentions, lambda x: func.count(x.c.pair_id), True),
    "best_score": _Sort(p.c.best_score, lambda x: func.max(x.c.score), True),
    "last_year": _Sort(
        last_year_key(p), lambda x: func.coalesce(func.max(x.c.year), literal_column("-1")), True
    ),
    "head_name": _Sort(name_key(p, "head"), None, False),
    "tail_name": _Sort(name_key(p, "tail"), None, False),
}
"""Numbers sort descending (the chunked scan relies on it: a filter can only lower them),
names ascending (a to z, case folded, their first NAME_SORT_CHARS characters); ties by
(head, tail, label). A name sort uses the pair's name over all its rows (the concept's, else
the largest mention text); a last-year sort puts pairs without a year last."""


def _after(value, key: Sequence, cursor: RelationCursor, descending: bool):
    """Rows after the cursor in (value, key) order; the first conjunct lets an index seek."""
    at = tuple_(*key) > tuple_(cursor.head, cursor.tail, cursor.label)
    if descending:
        return and_(value <= cursor.value, or_(value < cursor.value, at))
    return and_(value >= cursor.value, or_(value > cursor.value, at))


def _ordered(value, key: Sequence, descending: bool) -> list:
    return [value.desc() if descending else value.asc(), *key]


# --- filters --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Filters:
    labels: tuple[str, ...]
    head_types: tuple[str, ...]
    tail_types: tuple[str, ...]
    concept: str | None
    min_score: float | None
    years: tuple[int | None, int | None] | None
    journals: tuple[str, ...]
    sources: tuple[str, ...]


def _one_of(column, values: Sequence):
    return column == values[0] if len(values) == 1 else column.in_(values)


def _mixed_sides(connection: Connection, f: _Filters, model: str | None = None) -> set[str]:
    """The sides with a type filter on which some pair (of ``model``, or over every model)
    mixes types (rarely any)."""
    table = p if model is None else m
    found = set()
    for side, types in (("head", f.head_types), ("tail", f.tail_types)):
        query = select(literal_column("1")).select_from(table).where(_mixed(table, side))
        if model is not None:
            query = query.where(m.c.source == model)
        if types and connection.execute(query.limit(1)).first():
            found.add(side)
    return found


def _mixed(table, side: str):
    """The pairs that mix types on ``side``, as their partial index states it."""
    return table.c[f"{side}_mixed"].is_(True)


def _pair_filters(f: _Filters, mixed: set[str], table=p) -> list:
    """Filters on the pairs' totals (``table``: relation_pairs or relation_pair_models)."""
    found = []
    if f.labels:
        found.append(_one_of(table.c.label, f.labels))
    if f.concept is not None:
        found.append(or_(table.c.head == f.concept, table.c.tail == f.concept))
    for side, types in (("head", f.head_types), ("tail", f.tail_types)):
        if types:
            typed = _one_of(table.c[f"{side}_type"], types)
            # A pair that mixes types may have some rows of the type: its rows decide.
            found.append(or_(typed, _mixed(table, side)) if side in mixed else typed)
    return found


def _row_filters(f: _Filters, mixed: set[str], *, through_documents: bool = False) -> list:
    """Filters on relation_pair_rows; years and journals on documents when joined to it (its
    indexes find a narrow range's rows)."""
    year, journal = (
        (documents.c.year, documents.c.journal) if through_documents else (r.c.year, r.c.journal)
    )
    found = []
    if f.min_score is not None:
        found.append(r.c.score >= f.min_score)
    if f.years is not None:
        first, last = f.years
        if first is not None:
            found.append(year >= first)
        if last is not None:
            found.append(year <= last)
    if f.journals:
        found.append(_one_of(journal, f.journals))
    if f.sources:
        found.append(_one_of(r.c.source, f.sources))
    for side, types in (("head", f.head_types), ("tail", f.tail_types)):
        if types and side in mixed:
            found.append(_one_of(r.c[f"{side}_type"], types))
    return found


def _narrow_filter(connection: Connection, f: _Filters) -> str | None:
    """The first row filter that matches under FEW_ROWS rows (counted through its index,
    stopping at FEW_ROWS): "score", "sources" or "documents" (years, journals); or None."""
    probes = []
    if f.min_score is not None:
        probes.append(("score", select(r.c.pair_id).where(r.c.score >= f.min_score)))
    if f.sources:
        probes.append(("sources", select(r.c.pair_id).where(_one_of(r.c.source, f.sources))))
    if f.years is not None or f.journals:
        by_document = _Filters((), (), (), None, None, f.years, f.journals, ())
        probes.append(
            (
                "documents",
                select(r.c.pair_id)
                .select_from(r.join(documents, documents.c.id == r.c.doc_id))
                .where(*_row_filters(by_document, set(), through_documents=True)),
            )
        )
    for name, probe in probes:
        counted = select(func.count()).select_from(probe.limit(FEW_ROWS).subquery())
        if connection.execute(counted).scalar_one() < FEW_ROWS:
            return name
    return None


# --- the ranking ----------------------------------------------------------------------------


def relation_pairs(
    engine: Engine,
    *,
    labels: Sequence[str] | None = None,
    head_types: Sequence[str] | None = None,
    tail_types: Sequence[str] | None = None,
    concept: str | None = None,
    min_score: float | None = None,
    years: tuple[int | None, int | None] | None = None,
    journals: Sequence[str] | None = None,
    sources: Sequence[str] | None = None,
    sort: str = "abstracts",
    limit: int = 50,
    after: RelationCursor | None = None,
) -> RelationPage:
    """Relations aggregated by concept pair and label, ``limit`` a page, in ``sort`` order
    (one of SORTS: most supporting abstracts first by default; ties by head, tail, label);
    pass the page's ``next`` as ``after`` for the following one. Filters: relation
    ``labels``, entity types of either side, ``concept`` on either side, rows scoring at
    least ``min_score``, publication ``years`` (inclusive, either end open; documents
    without a year are then left out), the documents' ``journals``, ``sources`` (the models
    that found them). Counts and scores are over the rows the filters keep."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}")
    f = _Filters(
        tuple(labels or ()),
        tuple(head_types or ()),
        tuple(tail_types or ()),
        concept,
        min_score,
        years,
        tuple(journals or ()),
        tuple(sources or ()),
    )
    order = SORTS[sort]
    # One model's pairs have totals of their own (relation_pair_models), indexed for the
    # default sort: then that filter needs no rows.
    model = f.sources[0] if len(f.sources) == 1 and sort == "abstracts" else None
    with engine.connect() as connection:
        mixed = _mixed_sides(connection, f, model)
        if model is not None and not _row_filters(replace(f, sources=()), mixed):
            ranked = _from_model_totals(connection, f, model, limit, after)
        elif model is None and not _row_filters(f, mixed):
            ranked = _from_totals(connection, f, order, limit, after)
        else:
            mixed = _mixed_sides(connection, f)
            narrow = _narrow_filter(connection, f)
            ranked = None if narrow else _scan(connection, f, mixed, order, limit, after)
            if ranked is None:
                ranked = _from_rows(connection, f, mixed, order, limit, after, narrow)
            ranked = _described(connection, f, mixed, ranked)
    page = [row for _, row in ranked[:limit]]
    if len(ranked) <= limit:
        return RelationPage(page, None)
    value, last = ranked[limit - 1]
    return RelationPage(page, RelationCursor(value, last.head, last.tail, last.label))


_KEY = (p.c.head, p.c.tail, p.c.label)


def _from_totals(
    connection: Connection, f: _Filters, order: _Sort, limit: int, after: RelationCursor | None
) -> list[tuple[Any, RelationRow]]:
    query = (
        select(p, order.total.label("sort_value"))
        .where(*_pair_filters(f, set()))
        .order_by(*_ordered(order.total, _KEY, order.descending))
        .limit(limit + 1)
    )
    if after is not None:
        query = query.where(_after(order.total, _KEY, after, order.descending))
    return _totals_rows(connection, query)


def _from_model_totals(
    connection: Connection, f: _Filters, model: str, limit: int, after: RelationCursor | None
) -> list[tuple[Any, RelationRow]]:
    """One model's pairs, most supporting abstracts first."""
    key = (m.c.head, m.c.tail, m.c.label)
    query = (
        select(m, m.c.abstracts.label("sort_value"))
        .where(m.c.source == model, *_pair_filters(f, set(), m))
        .order_by(*_ordered(m.c.abstracts, key, True))
        .limit(limit + 1)
    )
    if after is not None:
        query = query.where(_after(m.c.abstracts, key, after, True))
    return _totals_rows(connection, query)


def _totals_rows(connection: Connection, query) -> list[tuple[Any, RelationRow]]:
    return [
        (row.sort_value, _relation_row(
            row.head, row.tail, row.label, row.head_name, row.head_type, row.tail_name,
            row.tail_type, row.abstracts, row.mentions, row.best_score,
            row.score_sum / row.mentions, row.first_year, row.last_year,
        ))
        for row in connection.execute(query)
    ]  # fmt: skip


def _aggregates(rows) -> list:
    """A pair's ranking figures over its matching summary ``rows`` (what ``_Ranked`` holds):
    columns that the covering indexes carry."""
    return [
        func.count(distinct(rows.c.doc_id)).label("abstracts"),
        func.count(rows.c.pair_id).label("mentions"),
        func.max(rows.c.score).label("best_score"),
        func.avg(rows.c.score).label("mean_score"),
        func.min(rows.c.year).label("first_year"),
        func.max(rows.c.year).label("last_year"),
    ]


class _Ranked(NamedTuple):
    """A pair summed over its matching rows; ``_described`` names it."""

    pair_id: int
    head: str
    tail: str
    label: str
    abstracts: int
    mentions: int
    best_score: float
    mean_score: float
    first_year: int | None
    last_year: int | None


def _ranked(row) -> _Ranked:
    return _Ranked(*(getattr(row, name) for name in _Ranked._fields))


def _from_rows(
    connection: Connection,
    f: _Filters,
    mixed: set[str],
    order: _Sort,
    limit: int,
    after: RelationCursor | None,
    narrow: str | None,
) -> list[tuple[Any, _Ranked]]:
    """The matching rows summed by pair (found through the ``narrow`` filter's index), then
    joined to their pairs and sorted: for filters that match few rows, and as the fallback
    of the scan."""
    through_documents = narrow == "documents"
    year = documents.c.year if through_documents else r.c.year
    rows = select(r.c.pair_id, r.c.doc_id, r.c.score, year.label("year"))
    if through_documents:
        rows = rows.select_from(r.join(documents, documents.c.id == r.c.doc_id))
    rows = rows.where(*_row_filters(f, mixed, through_documents=through_documents))
    if narrow is not None:
        # Read the few rows first, through the narrow filter's index: SQLite would rather
        # scan the whole table in pair order (which spares the GROUP BY a sort).
        rows = rows.cte("matching").prefix_with("MATERIALIZED")
    else:
        rows = rows.subquery("matching")
    filtered = [order.filtered(rows).label("value")] if order.filtered else []
    summed = (
        select(rows.c.pair_id, *_aggregates(rows), *filtered)
        .group_by(rows.c.pair_id)
        .subquery("summed")
    )
    value = summed.c.value if order.filtered else order.total
    query = (
        select(
            p.c.id.label("pair_id"),
            *_KEY,
            value.label("value"),
            *(summed.c[name] for name in _Ranked._fields[4:]),
        )
        .select_from(summed.join(p, p.c.id == summed.c.pair_id))
        .where(*_pair_filters(f, mixed))
        .order_by(*_ordered(value, _KEY, order.descending))
        .limit(limit + 1)
    )
    if after is not None:
        query = query.where(_after(value, _KEY, after, order.descending))
    return [(row.value, _ranked(row)) for row in connection.execute(query)]


def _scan(
    connection: Connection,
    f: _Filters,
    mixed: set[str],
    order: _Sort,
    limit: int,
    after: RelationCursor | None,
) -> list[tuple[Any, _Ranked]] | None:
    """The chunked scan in unfiltered order (see the module's docstring); None when it would
    read more than SCAN_ROWS rows."""
    found: list[tuple[Any, _Ranked]] = []
    row_filters = _row_filters(f, mixed)
    # Score, years and model find a pair's matching rows through an index range; a journal
    # or a type on rows makes the scan read all of the pair's rows.
    ranged = not f.journals and not mixed
    size, read = max(FIRST_CHUNK, 2 * (limit + 1)), 0
    # For a name sort the value is the pair's: the cursor applies to the scan itself.
    scan_from = after if order.filtered is None else None
    while True:
        chunk = (
            select(p.c.id, *_KEY, p.c.mentions.label("total"), order.total.label("bound"))
            .where(*_pair_filters(f, mixed))
            .order_by(*_ordered(order.total, _KEY, order.descending))
            .limit(size)
        )
        if scan_from is not None:
            chunk = chunk.where(_after(order.total, _KEY, scan_from, order.descending))
        c = chunk.subquery("c")
        ckey = (c.c.head, c.c.tail, c.c.label)
        value = order.filtered(r) if order.filtered else c.c.bound
        query = (
            select(
                c.c.id.label("pair_id"),
                *ckey,
                c.c.total,
                c.c.bound,
                value.label("value"),
                *_aggregates(r),
            )
            .select_from(c.outerjoin(r, and_(r.c.pair_id == c.c.id, *row_filters)))
            .group_by(c.c.id, *ckey, c.c.total, c.c.bound)
            .order_by(*_ordered(c.c.bound, ckey, order.descending))
        )
        rows = connection.execute(query).all()
        for row in rows:
            if row.mentions and (
                after is None or order.filtered is None or _beyond(row, after, order)
            ):
                found.append((row.value, _ranked(row)))
        if order.filtered is not None:  # the filtered value decides: sort what was found
            sign = -1 if order.descending else 1
            found.sort(key=lambda item: (sign * item[0], item[1][1:4]))
        del found[limit + 1 :]
        if len(rows) < size:
            break  # no more pairs
        last = rows[-1]
        if len(found) == limit + 1 and (
            order.filtered is None or found[-1][0] > last.bound  # no later pair can enter
        ):
            break
        read += sum((row.mentions if ranged else row.total) + SEEK_ROWS for row in rows)
        if read > SCAN_ROWS:
            return None
        scan_from = RelationCursor(last.bound, last.head, last.tail, last.label)
        size *= 2
    return found


def _beyond(row, cursor: RelationCursor, order: _Sort) -> bool:
    """Whether a scanned row comes after the cursor (filtered values: compared in Python,
    keys byte-wise as the summary's columns compare them)."""
    key = (row.head, row.tail, row.label)
    mark = (cursor.head, cursor.tail, cursor.label)
    if row.value == cursor.value:
        return key > mark
    return row.value < cursor.value if order.descending else row.value > cursor.value


def _described(
    connection: Connection, f: _Filters, mixed: set[str], found: list[tuple[Any, _Ranked]]
) -> list[tuple[Any, RelationRow]]:
    """Result rows with names and types: a key's concepts row gives them (every row of the
    key carries its type); a key without one takes the largest mention text and type of the
    pair's matching rows, as summing the relations table would."""
    keys = sorted({k for _, x in found for k in (x.head, x.tail)})
    known = {}
    if keys:
        query = select(concepts.c.id, concepts.c.name, concepts.c.label)
        known = {i: (n, t) for i, n, t in connection.execute(query.where(concepts.c.id.in_(keys)))}
    unnamed = sorted({x.pair_id for _, x in found if x.head not in known or x.tail not in known})
    from_rows = {}
    if unnamed:
        query = (
            select(
                r.c.pair_id,
                func.max(r.c.head_text),
                func.max(r.c.head_type),
                func.max(r.c.tail_text),
                func.max(r.c.tail_type),
            )
            .where(r.c.pair_id.in_(unnamed), *_row_filters(f, mixed))
            .group_by(r.c.pair_id)
        )
        from_rows = {pair_id: rest for pair_id, *rest in connection.execute(query)}
    described = []
    for value, x in found:
        head_text, head_type, tail_text, tail_type = from_rows.get(x.pair_id, (None,) * 4)
        head_name, head_type = known.get(x.head, (head_text, head_type))
        tail_name, tail_type = known.get(x.tail, (tail_text, tail_type))
        described.append(
            (value, _relation_row(
                x.head, x.tail, x.label, head_name, head_type, tail_name, tail_type,
                x.abstracts, x.mentions, x.best_score, x.mean_score, x.first_year, x.last_year,
            ))
        )  # fmt: skip
    return described


def _relation_row(
    head, tail, label, head_name, head_type, tail_name, tail_type, abstracts, mentions,
    best_score, mean_score, first_year, last_year,
) -> RelationRow:  # fmt: skip
    head_name, head_type = described(head, head_name, head_type)
    tail_name, tail_type = described(tail, tail_name, tail_type)
    return RelationRow(
        head=head,
        head_name=head_name,
        head_type=head_type,
        tail=tail,
        tail_name=tail_name,
        tail_type=tail_type,
        label=label,
        abstracts=abstracts,
        mentions=mentions,
        best_score=float(best_score),
        mean_score=float(mean_score),
        first_year=first_year,
        last_year=last_year,
    )


def described(key: str, name: str | None, kind: str | None) -> tuple[str | None, str | None]:
    """Name and type of a concept key, falling back on what a ``text:`` key spells out."""
    if key.startswith(TEXT_KEY) and (name is None or kind is None):
        label, _, text = key.removeprefix(TEXT_KEY).partition(":")
        return name or text or None, kind or label or None
    return name, kind
