"""The Overview page: counts of what the store holds, by type and model, with charts."""

from __future__ import annotations


def test_counts_and_charts(app):
    app.switch_page("views/overview.py")
    at = app.run()
    assert not at.exception and not at.error
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Documents"] == "4" and metrics["Questions asked"] == "1"
    assert len(at.get("vega_lite_chart")) == 2  # entities and relations by type
    entities = at.dataframe[0].value
    assert set(entities["type"]) == {"Chemical", "Disease"}
    assert sum(entities["rows"]) == 8  # two mentions in each of the four documents
