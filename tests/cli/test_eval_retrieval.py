"""``biomine eval retrieval --json`` on a tiny corpus folder written here: PubMedQA contexts
become documents without their question, and each method's recall is reported."""

from __future__ import annotations

import json

from sqlalchemy import select
from typer.testing import CliRunner

from mining.cli import app
from mining.store.database import open_database
from mining.store.schema import documents
from tests.nlp.tiny_models import tiny_classifier

QA = {
    "100": {
        "QUESTION": "Does tamoxifen inhibit CYP2D6?",
        "CONTEXTS": ["Tamoxifen inhibits CYP2D6 in liver microsomes.", "Endoxifen fell."],
    },
    "200": {
        "QUESTION": "Does aspirin bind COX?",
        "CONTEXTS": ["Aspirin binds COX and acetylates it."],
    },
    "300": {
        "QUESTION": "Is measles vaccination protective against pneumonia?",
        "CONTEXTS": ["Measles vaccination lowered pneumonia admissions in children."],
    },
}
# PMID 100 also in another corpus, with the question as its title: PubMedQA's copy wins.
PUBTATOR = (
    "100|t|Does tamoxifen inhibit CYP2D6?\n100|a|Tamoxifen inhibits CYP2D6.\n\n"
    "900|t|Statins and cholesterol\n900|a|Statins lower LDL cholesterol.\n\n"
)


def test_eval_retrieval_json_on_a_tiny_corpus(tmp_path):
    data = tmp_path / "data"
    (data / "pubmedqa").mkdir(parents=True)
    (data / "pubmedqa" / "pqal_trainval.json").write_text(json.dumps(QA))
    (data / "bc5cdr" / "pubtator").mkdir(parents=True)
    (data / "bc5cdr" / "pubtator" / "CDR_TrainingSet.PubTator.txt").write_text(PUBTATOR)
    model = tiny_classifier(tmp_path / "enc", ["a", "b"])
    db = f"sqlite:///{tmp_path / 'r.db'}"
    args = ["eval", "retrieval", "--data", str(data), "--model", str(model), "--db", db]
    result = CliRunner().invoke(app, [*args, "--device", "cpu", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["questions"] == 3 and report["documents"] == 4  # 3 questions + PMID 900
    assert report["bm25"] == {"recall@1": 1.0, "recall@10": 1.0}
    assert set(report["dense"]) == set(report["hybrid"]) == {"recall@1", "recall@10"}
    assert report["model"] == "enc" and report["seconds"] >= 0
    assert "not found, skipped" in result.stderr and "ncbi_disease" in result.stderr
    engine = open_database(db)
    with engine.connect() as c:
        row = c.execute(select(documents).where(documents.c.id == "pmid:100")).one()
    engine.dispose()
    assert row.title == "" and "?" not in row.abstract and "Endoxifen fell." in row.abstract

    limited = CliRunner().invoke(
        app, [*args[:-2], "--device", "cpu", "--limit-questions", "1", "--limit-docs", "1"]
    )
    assert limited.exit_code == 0, limited.output
    # PubTator's first document is PMID 100, PubMedQA's too: one document in a fresh database.
    assert "1 questions over 1 documents" in limited.stdout and "hybrid" in limited.stdout
