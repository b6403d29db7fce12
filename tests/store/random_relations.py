"""A small random store of relations, written and rewritten through the store's own writes:
gold relations on ingest, two relation models over one tagger's mentions, documents replaced
by newer versions and deleted, a tagger re-run (its old mentions take their relations with
them), a model re-run, and a concept that gets its concepts row late. The summary tables
must follow every step exactly.

Keys are chosen to reach the corners: concept ids with a concepts row, ids without one (a
gold relation's, a mention's), text keys whose mentions are written in different cases and
typed differently (a side that mixes types), relations without mentions (untyped rows).
"""

from __future__ import annotations

import random

from mining.store.processed import write_results
from mining.store.runs import finish_run, start_run
from mining.store.write_documents import store_documents
from mining.types import Deletion, Document, Entity, Relation

NER, RE1, RE2 = "ner@1", "re@1", "re@2"
LABELS = ("CID", "treats")
JOURNALS = ("J Alpha", "J Beta", "J Gamma")
# key -> (entity label, mention texts); None as the concept id: a text key, no concepts row
HEADS = {
    "D001": ("Chemical", ["Lithium", "lithium"]),
    "D002": ("Chemical", ["Haloperidol"]),
    "X001": ("Gene", ["x-one", "X-ONE"]),  # no entity carries this id until the late step
    "text:Chemical:zorbamycin": ("Chemical", ["Zorbamycin", "zorbamycin"]),
}
TAILS = {
    "D101": ("Disease", ["polyuria"]),
    "D102": ("Disease", ["dyskinesia", "Dyskinesia"]),
    "X101": ("Disease", ["frobnitis"]),
    "text:Disease:kidney": ("Disease", ["kidney", "Kidney"]),
}
BARE = {"X001", "X101"}  # ids without a concepts row (their mentions carry no concept id)


def _meta(rng: random.Random, version: int = 1) -> dict:
    meta: dict = {"version": version}
    if rng.random() < 0.85:
        meta["year"] = rng.randrange(1995, 2006)
    if rng.random() < 0.85:
        meta["journal"] = rng.choice(JOURNALS)
    return meta


def _mention(rng, doc_id, key, table, start, source=NER) -> Entity:
    label, texts = table[key]
    text = rng.choice(texts)
    if key.startswith("text:") and rng.random() < 0.2:
        label = "Drug"  # an odd type: the side mixes types
    concept = None if key in BARE or key.startswith("text:") else key
    return Entity(doc_id, start, start + len(text), text, label, concept, 0.9, source)


def _document(rng: random.Random, i: int, version: int = 1) -> Document:
    doc = Document(f"pmid:{i}", f"Study {i} v{version}", "Some abstract.", _meta(rng, version))
    if rng.random() < 0.4:  # gold annotations: entities with concept ids, doc-level relations
        head, tail = rng.choice(sorted(HEADS)), rng.choice(sorted(TAILS))
        for key, table, start in ((head, HEADS, 0), (tail, TAILS, 40)):
            if key not in BARE and not key.startswith("text:"):
                doc.entities.append(
                    Entity(doc.id, start, start + 5, table[key][1][0], table[key][0], key)
                )
        doc.relations.append(Relation(doc.id, head, tail, "CID", 1.0))
    return doc


def model_results(
    rng: random.Random, doc_ids: list[str], sources=(RE1,)
) -> tuple[list[Entity], dict[str, list[Relation]]]:
    """The tagger's mentions and each relation model's relations read from them."""
    mentions, found = [], {source: [] for source in sources}
    for doc_id in doc_ids:
        for n in range(rng.randrange(0, 4)):
            head_key, tail_key = rng.choice(sorted(HEADS)), rng.choice(sorted(TAILS))
            head = _mention(rng, doc_id, head_key, HEADS, 100 * n)
            tail = _mention(rng, doc_id, tail_key, TAILS, 100 * n + 50)
            mentions += [head, tail]
            for source in sources:
                if rng.random() < 0.8:
                    with_mentions = rng.random() < 0.85
                    found[source].append(
                        Relation(
                            doc_id, head_key, tail_key, rng.choice(LABELS),
                            round(rng.random(), 2), (100 * n, 100 * n + 60), source,
                            head if with_mentions else None, tail if with_mentions else None,
                        )
                    )  # fmt: skip
    return mentions, found


def run_models(engine, rng, doc_ids, sources=(RE1,), batch=5) -> None:
    run_id = start_run(engine, "pipeline", " + ".join(sources), {})
    for first in range(0, len(doc_ids), batch):
        ids = doc_ids[first : first + batch]
        mentions, found = model_results(rng, ids, sources)
        write_results(engine, ids, {NER: mentions}, found, run_id)
    finish_run(engine, run_id, {})


def build_steps(engine, seed: int, n_docs: int = 30):
    """Yield the name of each step once the store has been through it."""
    rng = random.Random(seed)
    ids = [f"pmid:{i}" for i in range(n_docs)]
    store_documents(engine, [_document(rng, i) for i in range(n_docs)], batch_size=7)
    yield "ingest with gold relations"
    run_models(engine, rng, ids, (RE1,))
    yield "a first run"
    run_models(engine, rng, rng.sample(ids, n_docs // 2), (RE2,))
    yield "a second model's run"
    replaced = rng.sample(range(n_docs), 6)
    store_documents(engine, [_document(rng, i, version=2) for i in replaced])
    store_documents(engine, [Deletion(ids[replaced[0]])])
    ids.remove(ids[replaced[0]])
    yield "documents replaced by newer versions, one deleted"
    # The tagger alone again: its old mentions go, and every relation read from them.
    again = rng.sample(ids, 8)
    mentions, _ = model_results(rng, again, ())
    write_results(engine, again, {NER: mentions}, {})
    yield "a tagger re-run"
    run_models(engine, rng, rng.sample(ids, 10), (RE1,))
    yield "a model re-run"
    late = Document("pmid:late", "Late", "x-one here", _meta(rng))
    late.entities = [Entity(late.id, 0, 5, "x-one", "Gene", "X001")]
    store_documents(engine, [late])
    yield "a concepts row for a key already related"
