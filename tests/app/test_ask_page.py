"""The Ask page: a question answered live by the reader `biomine ui --reader` named, with the
abstracts it rests on; without a reader, only the earlier questions."""

from __future__ import annotations

import pytest

from mining.ask import READER_ENV
from tests.app.conftest import page_html
from tests.app.seed import QUESTION
from tests.nlp.tiny_models import tiny_classifier
from tests.qa.synthetic import VOCAB


@pytest.fixture(scope="module")
def no_reader(tmp_path_factory):
    """A reader that answers "no" whatever it reads (plumbing, not quality)."""
    folder = tmp_path_factory.mktemp("reader") / "reader-no"
    return tiny_classifier(folder, ["yes", "no", "maybe"], "no", "pubmedqa", words=VOCAB)


def test_question_answered_with_its_abstracts(app, no_reader, monkeypatch):
    monkeypatch.setenv(READER_ENV, str(no_reader))
    app.switch_page("views/ask.py")
    app.default_timeout = 180  # the first question loads the reader
    at = app.run()
    at.text_input(key="ask_question").input("Does lithium cause polyuria?")
    at.button[0].click().run()  # the form's Ask button
    assert not at.exception and not at.error
    body = page_html(at)
    assert any("Answer: <strong>no</strong>" in h and "ranked by bm25" in h for h in body)
    read = [h for h in body if "Verdict: <strong>no</strong>" in h]
    # The lithium abstracts first; the hostile one matches "caused", and shows as text.
    assert len(read) == 3 and "pmid:104" in read[2] and "pmid:104" not in read[0] + read[1]
    assert all('<mark class="ent-evidence"' in h for h in read)
    assert "&lt;script&gt;" in read[2] and not any("<script" in h for h in body)
    assert at.query_params["question"] == "Does lithium cause polyuria?"


def test_without_a_reader_earlier_questions_are_listed(app, monkeypatch):
    monkeypatch.delenv(READER_ENV, raising=False)
    app.switch_page("views/ask.py")
    at = app.run()
    assert not at.exception
    assert "biomine ui --reader" in at.info[0].value
    assert any(QUESTION in h for h in page_html(at))
    assert [link.proto.query_string for link in at.get("page_link")] == ["q=1"]


def test_malformed_k_is_ignored(app, monkeypatch):
    monkeypatch.delenv(READER_ENV, raising=False)
    app.query_params["k"] = "nan"
    app.switch_page("views/ask.py")
    at = app.run()
    assert not at.exception and at.slider(key="ask_k").value == 10
