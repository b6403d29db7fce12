"""The Annotate page: pasted text through the shipped models, entities highlighted."""

from __future__ import annotations

import pytest

from mining.shipped_models import CHECKOUT_MODELS
from tests.app.conftest import page_html

pytestmark = pytest.mark.skipif(
    not (CHECKOUT_MODELS / "ner-chem-disease").is_dir(), reason="the shipped models are absent"
)


def test_pasted_text_is_tagged_and_escaped(app):
    app.switch_page("views/annotate.py")
    app.default_timeout = 300  # the first run loads the shipped models
    at = app.run()
    assert not at.exception and not at.error
    at.text_area(key="annotate_text").input("<b>Lithium</b> caused polyuria in rats.").run()
    assert not at.exception and not at.error
    tagged = list(at.dataframe[0].value["text"])
    assert "Lithium" in tagged and "polyuria" in tagged
    body = page_html(at)
    assert any("&lt;b&gt;<mark" in h and ">Lithium</mark>&lt;/b&gt;" in h for h in body)
    assert not any("<b>" in h for h in body)
