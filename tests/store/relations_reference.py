"""The Relations ranking computed the straightforward way, for tests: every relation row
joined to its document, concepts and mentions, grouped by pair (the query ``relation_pairs``
ran before the summary tables), sorted in Python. And the summary that ``pair_summary`` must
hold, summed the same way."""

from __future__ import annotations

from sqlalchemy import Engine, distinct, func, literal, select

from mining.store.pair_ranking import described
from mining.store.queries import RelationRow
from mining.store.schema import (
    NAME_SORT_CHARS,
    concepts,
    documents,
    entities,
    relation_pair_models,
    relation_pair_rows,
    relation_pairs,
    relations,
)

ALL_SOURCES = ""  # how these summaries name the totals over every model


def _joined():
    r = relations.alias("r")
    hc, tc = concepts.alias("hc"), concepts.alias("tc")
    he, te = entities.alias("he"), entities.alias("te")
    joined = (
        r.join(documents, documents.c.id == r.c.doc_id)
        .outerjoin(hc, hc.c.id == r.c.head)
        .outerjoin(tc, tc.c.id == r.c.tail)
        .outerjoin(he, he.c.id == r.c.head_entity_id)
        .outerjoin(te, te.c.id == r.c.tail_entity_id)
    )
    return r, hc, tc, he, te, joined


def reference_pairs(engine: Engine, sort: str = "abstracts", **filters) -> list[RelationRow]:
    """Every row ``relation_pairs`` must return for these filters, in ``sort`` order."""
    r, hc, tc, he, te, joined = _joined()
    head_type = func.coalesce(hc.c.label, he.c.label)
    tail_type = func.coalesce(tc.c.label, te.c.label)
    query = (
        select(
            r.c.head,
            r.c.tail,
            r.c.label,
            func.count(distinct(r.c.doc_id)).label("abstracts"),
            func.count().label("mentions"),
            func.max(r.c.score).label("best_score"),
            func.avg(r.c.score).label("mean_score"),
            func.min(documents.c.year).label("first_year"),
            func.max(documents.c.year).label("last_year"),
            func.max(func.coalesce(hc.c.name, he.c.text)).label("head_name"),
            func.max(head_type).label("head_type"),
            func.max(func.coalesce(tc.c.name, te.c.text)).label("tail_name"),
            func.max(tail_type).label("tail_type"),
        )
        .select_from(joined)
        .group_by(r.c.head, r.c.tail, r.c.label)
    )
    if filters.get("labels"):
        query = query.where(r.c.label.in_(filters["labels"]))
    if filters.get("head_types"):
        query = query.where(head_type.in_(filters["head_types"]))
    if filters.get("tail_types"):
        query = query.where(tail_type.in_(filters["tail_types"]))
    if filters.get("concept") is not None:
        query = query.where((r.c.head == filters["concept"]) | (r.c.tail == filters["concept"]))
    if filters.get("min_score") is not None:
        query = query.where(r.c.score >= filters["min_score"])
    if filters.get("years") is not None:
        first, last = filters["years"]
        if first is not None:
            query = query.where(documents.c.year >= first)
        if last is not None:
            query = query.where(documents.c.year <= last)
    if filters.get("journals"):
        query = query.where(documents.c.journal.in_(filters["journals"]))
    if filters.get("sources"):
        query = query.where(r.c.source.in_(filters["sources"]))
    with engine.connect() as connection:
        found = connection.execute(query).all()
    rows = []
    for row in found:
        head_name, head_kind = described(row.head, row.head_name, row.head_type)
        tail_name, tail_kind = described(row.tail, row.tail_name, row.tail_type)
        rows.append(
            RelationRow(
                row.head, head_name, head_kind, row.tail, tail_name, tail_kind, row.label,
                row.abstracts, row.mentions, float(row.best_score), float(row.mean_score),
                row.first_year, row.last_year,
            )
        )  # fmt: skip
    return sorted(rows, key=_sort_key(engine, sort))


def _sort_key(engine: Engine, sort: str):
    def key(row: RelationRow):
        return (row.head, row.tail, row.label)

    if sort == "abstracts":
        return lambda row: (-row.abstracts, key(row))
    if sort == "mentions":
        return lambda row: (-row.mentions, key(row))
    if sort == "best_score":
        return lambda row: (-row.best_score, key(row))
    if sort == "last_year":
        return lambda row: (-(row.last_year if row.last_year is not None else -1), key(row))
    side = sort.removesuffix("_name")
    names = _pair_names(engine, side)  # a name sort: the pair's name over all its rows
    return lambda row: (names[key(row)], key(row))


def _pair_names(engine: Engine, side: str) -> dict[tuple, str]:
    r, hc, tc, he, te, joined = _joined()
    concept, mention = (hc, he) if side == "head" else (tc, te)
    query = (
        select(
            r.c.head,
            r.c.tail,
            r.c.label,
            func.max(func.coalesce(concept.c.name, mention.c.text)),
        )
        .select_from(joined)
        .group_by(r.c.head, r.c.tail, r.c.label)
    )
    with engine.connect() as connection:
        return {
            (head, tail, label): (name or (head if side == "head" else tail))[
                :NAME_SORT_CHARS
            ].lower()
            for head, tail, label, name in connection.execute(query)
        }


def expected_summary(engine: Engine) -> dict[tuple, tuple]:
    """(head, tail, label, source) -> the relation_pairs values it must hold, from the
    relations: over every model (source ALL_SOURCES) and per model."""
    found = {}
    for by_source in (False, True):
        found |= _expected_totals(engine, by_source)
    return found


def _expected_totals(engine: Engine, by_source: bool) -> dict[tuple, tuple]:
    r, hc, tc, he, te, joined = _joined()
    head_type = func.coalesce(hc.c.label, he.c.label)
    tail_type = func.coalesce(tc.c.label, te.c.label)

    def mixed(kind):
        return (func.count(kind), func.min(kind), func.max(kind))

    source = r.c.source if by_source else literal(ALL_SOURCES)
    query = (
        select(
            r.c.head, r.c.tail, r.c.label, source,
            func.count(distinct(r.c.doc_id)), func.count(), func.max(r.c.score),
            func.sum(r.c.score), func.min(documents.c.year), func.max(documents.c.year),
            func.max(func.coalesce(hc.c.name, he.c.text)), func.max(head_type),
            func.max(func.coalesce(tc.c.name, te.c.text)), func.max(tail_type),
            *mixed(head_type), *mixed(tail_type),
        )
        .select_from(joined)
        .group_by(r.c.head, r.c.tail, r.c.label, *([r.c.source] if by_source else []))
    )  # fmt: skip
    found = {}
    with engine.connect() as connection:
        for row in connection.execute(query):
            (head, tail, label, source, docs, n, best, total, first, last) = row[:10]
            names_types = tuple(row[10:14])
            h_typed, h_min, h_max, t_typed, t_min, t_max = row[14:]
            found[(head, tail, label, source)] = (
                docs, n, best, round(total, 6), first, last, *names_types,
                0 < h_typed < n or h_min != h_max, 0 < t_typed < n or t_min != t_max,
            )  # fmt: skip
    return found


def stored_summary(engine: Engine) -> dict[tuple, tuple]:
    """What relation_pairs (source ALL_SOURCES) and relation_pair_models hold."""
    found = {}
    for table in (relation_pairs, relation_pair_models):
        source = literal(ALL_SOURCES) if table is relation_pairs else table.c.source
        query = select(table.c.head, table.c.tail, table.c.label, source).add_columns(
            *(table.c[name] for name in _FIGURES)
        )
        with engine.connect() as connection:
            for row in connection.execute(query):
                found[tuple(row[:4])] = (
                    *row[4:7],
                    round(row[7], 6),
                    *row[8:14],
                    bool(row[14]),
                    bool(row[15]),
                )
    return found


_FIGURES = (
    "abstracts", "mentions", "best_score", "score_sum", "first_year", "last_year", "head_name",
    "head_type", "tail_name", "tail_type", "head_mixed", "tail_mixed",
)  # fmt: skip


def stored_rows(engine: Engine) -> list[tuple]:
    """The summary rows as (relation id, head, tail, label, doc, source, score, year,
    journal, head type, tail type), sorted."""
    p, x = relation_pairs, relation_pair_rows
    query = select(
        x.c.relation_id, p.c.head, p.c.tail, p.c.label, x.c.doc_id, x.c.source, x.c.score,
        x.c.year, x.c.journal, x.c.head_type, x.c.tail_type,
    ).select_from(x.join(p, p.c.id == x.c.pair_id))  # fmt: skip
    with engine.connect() as connection:
        return sorted(tuple(row) for row in connection.execute(query))


def expected_rows(engine: Engine) -> list[tuple]:
    r, hc, tc, he, te, joined = _joined()
    query = select(
        r.c.id, r.c.head, r.c.tail, r.c.label, r.c.doc_id, r.c.source, r.c.score,
        documents.c.year, documents.c.journal,
        func.coalesce(hc.c.label, he.c.label), func.coalesce(tc.c.label, te.c.label),
    ).select_from(joined)  # fmt: skip
    with engine.connect() as connection:
        return sorted(tuple(row) for row in connection.execute(query))
