"""The app's cached reads never hide a write: a new run shows on the next rerun."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from mining.store.database import ENV_VAR, open_database
from mining.store.processed import write_results
from mining.store.write_documents import store_documents
from mining.types import Document, Relation
from tests.app.conftest import APP_MAIN, TIMEOUT
from tests.app.seed import sentence_document


def test_a_new_run_shows_without_a_restart(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'biomine.db'}"
    engine = open_database(url)
    store_documents(
        engine,
        [
            sentence_document(
                "pmid:1", "Lithium", "Lithium caused polyuria.", ("Lithium", "D008094"),
                ("polyuria", "D011141"), 2001, 0.9,
            ),
            Document("pmid:2", "Cisplatin", "Cisplatin and nephrotoxicity.", {"year": 2003}),
        ],
    )  # fmt: skip
    monkeypatch.setenv(ENV_VAR, url)
    at = AppTest.from_file(str(APP_MAIN), default_timeout=TIMEOUT).run()
    assert list(at.dataframe[0].value["head id"]) == ["D008094"]
    assert at.multiselect(key="sources").options == ["re-model@1"]

    found = [Relation("pmid:2", "D002945", "D007674", "CID", 0.8, None, "re-model@2")]
    write_results(engine, ["pmid:2"], {}, {"re-model@2": found})
    engine.dispose()
    at.run()  # the same session, the same caches
    assert list(at.dataframe[0].value["head id"]) == ["D002945", "D008094"]
    assert at.multiselect(key="sources").options == ["re-model@1", "re-model@2"]
