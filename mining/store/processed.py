"""Which documents a set of models has yet to process, and writing their results.

A document is pending while any of the given model sources has no ``processed`` row for it;
its results are written in one transaction per batch, together with those rows, so a run
killed at any point resumes where it stopped and a re-run never duplicates rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from sqlalchemy import Engine, delete, func, select

from mining.store.data_version import bump_data_version
from mining.store.embeddings import replace_embeddings
from mining.store.pair_summary import relations_changing
from mining.store.read_documents import document_from_row
from mining.store.schema import documents, processed
from mining.store.write_annotations import replace_annotations
from mining.types import Document, Entity, Relation


def _done_count(sources: Sequence[str]):
    return (
        select(func.count())
        .where(processed.c.doc_id == documents.c.id, processed.c.source.in_(sources))
        .scalar_subquery()
    )


def count_pending(engine: Engine, sources: Sequence[str]) -> int:
    with engine.connect() as connection:
        query = select(func.count()).where(_done_count(sources) < len(set(sources)))
        return connection.execute(query.select_from(documents)).scalar_one()


def pending_documents(
    engine: Engine, sources: Sequence[str], batch_size: int = 64
) -> Iterator[list[Document]]:
    """Batches of the documents not yet processed by every one of ``sources``, in insertion
    order (keyset paging: memory stays flat on a dump-sized database)."""
    last_pk = 0
    wanted = len(set(sources))
    while True:
        with engine.connect() as connection:
            rows = connection.execute(
                select(documents)
                .where(documents.c.pk > last_pk, _done_count(sources) < wanted)
                .order_by(documents.c.pk)
                .limit(batch_size)
            ).all()
        if not rows:
            return
        yield [document_from_row(row) for row in rows]
        last_pk = rows[-1].pk


def pending_with_content(
    engine: Engine, sources: Sequence[str], content: Mapping[str, str]
) -> set[str]:
    """Those of the documents ``content`` names (id -> content hash) that are still pending
    for ``sources`` and stored with that same content: the ones that results computed
    elsewhere from that content may be written for (a newer version ingested since is
    pending again, but not for those results)."""
    if not content:
        return set()
    with engine.connect() as connection:
        rows = connection.execute(
            select(documents.c.id, documents.c.content_hash).where(
                documents.c.id.in_(list(content)),
                _done_count(sources) < len(set(sources)),
            )
        ).all()
    return {doc_id for doc_id, digest in rows if content[doc_id] == digest}


def content_hashes(engine: Engine, doc_ids: Sequence[str]) -> dict[str, str]:
    """The stored content hash of each of ``doc_ids`` (those that are stored)."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(documents.c.id, documents.c.content_hash).where(
                documents.c.id.in_(list(doc_ids))
            )
        ).all()
    return dict(rows)


def write_results(
    engine: Engine,
    doc_ids: Sequence[str],
    entities: Mapping[str, Sequence[Entity]],
    relations: Mapping[str, Sequence[Relation]],
    run_id: int | None = None,
    *,
    sources: Sequence[str] | None = None,
    failures: Sequence[tuple[str, str]] = (),
    embeddings: Mapping[str, Mapping[str, object]] | None = None,
) -> tuple[int, int]:
    """Replace each source's rows for ``doc_ids`` with the new ones (entity sources first, so
    relations can point at their mentions) and mark the documents processed by every one of
    ``sources`` (default: those with rows); one transaction. ``failures`` are (document id,
    error) of documents that failed: their rows are kept as they were and they are marked
    with the error, so a resumed run skips them (``clear_failures`` lets them be retried).
    ``embeddings`` (source -> {document id: vector}) replace that model's stored vectors of
    ``doc_ids`` in the same transaction. Returns (entities, relations) written."""
    if sources is None:
        sources = [*entities, *relations, *(embeddings or {})]
    sources = list(dict.fromkeys(sources))
    n_entities = n_relations = 0
    changing = {*doc_ids, *(e.doc_id for rows in entities.values() for e in rows)}
    changing |= {r.doc_id for rows in relations.values() for r in rows}
    with engine.begin() as connection, relations_changing(connection, changing):
        for source, rows in entities.items():
            n_entities += replace_annotations(connection, doc_ids, source, rows, [], run_id)[0]
        for source, rows in relations.items():
            n_relations += replace_annotations(connection, doc_ids, source, [], rows, run_id)[1]
        for source, vectors in (embeddings or {}).items():
            replace_embeddings(connection, doc_ids, source, vectors, run_id)
        failed = dict(failures)
        marked = [*doc_ids, *(d for d in failed if d not in set(doc_ids))]
        if marked and sources:
            done = processed.c.doc_id.in_(marked) & processed.c.source.in_(sources)
            connection.execute(delete(processed).where(done))
            connection.execute(
                processed.insert(),
                [
                    {"doc_id": d, "source": s, "run_id": run_id, "error": failed.get(d)}
                    for d in marked
                    for s in sources
                ],
            )
        bump_data_version(connection)
    return n_entities, n_relations


def clear_failures(engine: Engine, sources: Sequence[str]) -> int:
    """Forget the failures of ``sources`` so that their documents are pending again;
    returns how many documents that makes."""
    with engine.begin() as connection:
        failed = processed.c.error.is_not(None) & processed.c.source.in_(sources)
        n = connection.execute(
            select(func.count(func.distinct(processed.c.doc_id))).where(failed)
        ).scalar_one()
        connection.execute(delete(processed).where(failed))
    return n


def recorded_failures(engine: Engine, sources: Sequence[str]) -> list[tuple[str, str]]:
    """(document id, error) of every document that failed for one of ``sources``."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(processed.c.doc_id, func.min(processed.c.error))
            .where(processed.c.error.is_not(None), processed.c.source.in_(sources))
            .group_by(processed.c.doc_id)
            .order_by(processed.c.doc_id)
        ).all()
    return [(r[0], r[1]) for r in rows]
