"""A small store for the app's tests, written through the store's own write API."""

from __future__ import annotations

from mining.store.database import open_database
from mining.store.questions import write_question
from mining.store.write_documents import store_documents
from mining.types import Answer, Document, Entity, Relation

MODEL = "re-model@1"
OTHER_MODEL = "re-model@2"
HOSTILE_TITLE = "<script>alert(1)</script>"
HOSTILE_NAME = '"><img src=x onerror=alert(1)>'
HOSTILE_CONCEPT = "D999999"
QUESTION = "Does lithium cause polyuria?"
JOURNAL, OTHER_JOURNAL = "J Test", "J Neurology"


def sentence_document(
    doc_id: str,
    title: str,
    sentence: str,
    chemical: tuple[str, str],
    disease: tuple[str, str],
    year: int,
    score: float,
    source: str = MODEL,
    label: str = "CID",
    journal: str = JOURNAL,
) -> Document:
    """A document whose abstract is one sentence relating a chemical to a disease."""
    doc = Document(doc_id, title, sentence, meta={"year": year, "journal": journal})
    text, start = doc.text, len(title) + 1
    (chem, chem_id), (dis, dis_id) = chemical, disease
    c0 = text.index(chem, start)
    d0 = text.index(dis, start)
    head = Entity(doc_id, c0, c0 + len(chem), chem, "Chemical", chem_id, 0.9, source)
    tail = Entity(doc_id, d0, d0 + len(dis), dis, "Disease", dis_id, 0.9, source)
    doc.entities = [head, tail]
    doc.relations = [
        Relation(doc_id, chem_id, dis_id, label, score, (start, len(text)), source, head, tail)
    ]
    return doc


def seed_store(path) -> str:
    """Four documents: lithium–polyuria (CID) twice, haloperidol–dyskinesia once (another
    model, a low score, another journal), one hostile document, and a question asked of
    them; returns the database URL."""
    url = f"sqlite:///{path}"
    engine = open_database(url)
    lithium, polyuria = ("Lithium", "D008094"), ("polyuria", "D011141")
    docs = [
        sentence_document(
            "pmid:101", "Lithium and the kidney", "Lithium caused polyuria in rats.",
            lithium, polyuria, 2001, 0.9,
        ),
        sentence_document(
            "pmid:102", "Polyuria in patients", "Lithium therapy led to polyuria.",
            lithium, polyuria, 2005, 0.8,
        ),
        sentence_document(
            "pmid:103", "Haloperidol study", "Haloperidol induced dyskinesia.",
            ("Haloperidol", "D006220"), ("dyskinesia", "D004409"), 1999, 0.4,
            source=OTHER_MODEL, journal=OTHER_JOURNAL,
        ),
        sentence_document(
            "pmid:104", HOSTILE_TITLE, f"Exposure to {HOSTILE_NAME} caused nephrotoxicity.",
            (HOSTILE_NAME, HOSTILE_CONCEPT), ("nephrotoxicity", "D007674"), 2010, 0.7,
        ),
    ]  # fmt: skip
    store_documents(engine, docs)
    # One asked question, read from two abstracts (the second sentence is its evidence).
    evidence = (len(docs[0].title) + 1, len(docs[0].text))
    write_question(
        engine, QUESTION, "yes", {"yes": 0.8, "no": 0.1, "maybe": 0.1},
        [
            (Answer(QUESTION, "pmid:101", "yes", {"yes": 0.9}, evidence, "reader@1"), 3.0),
            (Answer(QUESTION, "pmid:104", "maybe", {"maybe": 0.6}, None, "reader@1"), 1.0),
        ],
        k=2, retrieval="bm25", source="reader@1", run_id=None,
    )  # fmt: skip
    engine.dispose()
    return url
