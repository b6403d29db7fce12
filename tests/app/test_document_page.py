"""The Document page: the text with entities highlighted by type, a legend, relations."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from mining.store.database import ENV_VAR, open_database
from mining.store.write_documents import store_documents
from mining.types import Entity, Relation
from tests.app.conftest import APP_MAIN, TIMEOUT, page_html
from tests.app.seed import sentence_document


def open_document(app, doc_id: str):
    app.query_params["doc"] = doc_id
    app.switch_page("views/document.py")
    return app.run()


def test_entities_highlighted_with_a_legend(app):
    at = open_document(app, "pmid:101")
    assert not at.exception and not at.error
    body = page_html(at)
    text = next(h for h in body if "caused" in h)
    assert '<mark class="ent-chemical" title="Chemical">Lithium</mark> caused' in text
    assert '<mark class="ent-disease" title="Disease">polyuria</mark>' in text
    legend = next(h for h in body if h.count("<mark") == 2 and "caused" not in h)
    assert ">Chemical</mark>" in legend and ">Disease</mark>" in legend
    assert any('href="https://pubmed.ncbi.nlm.nih.gov/101/"' in h for h in body)


def test_relations_listed_with_score_and_model(app):
    at = open_document(app, "pmid:101")
    table = at.dataframe[0].value
    assert list(table["head"]) == ["Lithium"] and list(table["tail"]) == ["polyuria"]
    assert list(table["score"]) == [0.9] and list(table["model"]) == ["re-model@1"]


def test_unknown_document_is_a_warning(app):
    at = open_document(app, "pmid:999")
    assert not at.exception
    assert at.warning and at.text[0].value == "pmid:999"


def test_the_id_box_opens_another_document(app):
    at = open_document(app, "pmid:101")
    at.text_input(key="doc").input("pmid:103").run()
    assert list(at.dataframe[0].value["head"]) == ["Haloperidol"]
    assert at.query_params["doc"] == "pmid:103"


def test_two_models_side_by_side_with_mesh_terms(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'two.db'}"
    doc = sentence_document(
        "pmid:7", "Two taggers", "Lithium caused polyuria.",
        ("Lithium", "D008094"), ("polyuria", "D011141"), 2001, 0.9,
    )  # fmt: skip
    gold = Entity(doc.id, doc.entities[0].start, doc.entities[0].end, "Lithium", "Chemical")
    doc.entities.append(gold)  # the corpus marks only the chemical
    doc.meta["mesh"] = [
        {"descriptor": "Lithium", "major": True, "qualifiers": [{"name": "toxicity"}]},
        "not a heading",
    ]
    doc.meta["authors"] = ["Doe J", "Roe R"]
    engine = open_database(url)
    store_documents(engine, [doc])
    engine.dispose()
    monkeypatch.setenv(ENV_VAR, url)
    app = AppTest.from_file(str(APP_MAIN), default_timeout=TIMEOUT)
    at = open_document(app, "pmid:7")
    assert not at.exception
    body = page_html(at)
    assert "<h4>gold</h4>" in body and "<h4>re-model@1</h4>" in body
    gold_text, model_text = (
        body[body.index(h) + 1] for h in ("<h4>gold</h4>", "<h4>re-model@1</h4>")
    )
    assert gold_text.count("<mark") == 1 and model_text.count("<mark") == 2
    assert "Lithium* / toxicity" in [t.value for t in at.text]
    assert "Doe J, Roe R" in [t.value for t in at.text]


def test_a_document_level_relation_is_named_by_its_mentions(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'gold.db'}"
    doc = sentence_document(
        "pmid:8", "Gold", "Lithium caused polyuria.", ("Lithium", "D008094"),
        ("polyuria", "D011141"), 2001, 0.9, source="gold",
    )  # fmt: skip
    doc.relations = [Relation(doc.id, "D008094", "D011141", "CID")]  # a PubTator CID line
    engine = open_database(url)
    store_documents(engine, [doc])
    engine.dispose()
    monkeypatch.setenv(ENV_VAR, url)
    at = open_document(AppTest.from_file(str(APP_MAIN), default_timeout=TIMEOUT), "pmid:8")
    table = at.dataframe[0].value
    assert list(table["head"]) == ["Lithium"] and list(table["tail"]) == ["polyuria"]
    assert list(table["head id"]) == ["D008094"]
