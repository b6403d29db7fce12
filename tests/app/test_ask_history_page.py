"""The Ask history page: earlier questions, and the abstracts one answer rests on."""

from __future__ import annotations

from tests.app.conftest import page_html
from tests.app.seed import QUESTION


def test_question_with_its_answers(app):
    # Run once first: its url_path (ask-history) is not its file name, so AppTest finds the
    # page only among those st.navigation registered.
    at = app.run().switch_page("views/ask_history.py").run()
    assert list(at.dataframe[0].value["question"]) == [QUESTION]
    at.selectbox(key="question").select_index(1).run()
    assert not at.exception
    body = page_html(at)
    assert any("Answer: <strong>yes</strong>" in h for h in body)
    first = next(h for h in body if "Lithium and the kidney" in h)
    assert '<mark class="ent-evidence" title="evidence">Lithium caused polyuria' in first
    assert "Verdict: <strong>yes</strong>" in first
    assert at.query_params["q"] == "1"
