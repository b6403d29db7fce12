"""The README.md card and ``build_counts.json`` of a concept dictionary folder written by
``biomine concepts build``, so that a folder copied anywhere says what it holds and how it
was built."""

from __future__ import annotations

import json
from pathlib import Path

from mining.train.build_concepts_from_records import ORIGINS, RecordsBuild

COUNTS_FILE = "build_counts.json"


def write_card(
    folder: Path, build: RecordsBuild, command: str, dev: tuple[str, dict, dict] | None = None
) -> None:
    """Write ``folder/README.md`` and ``folder/build_counts.json``; ``dev`` is (corpus name,
    ``concept_accuracy`` report, ``origin_accuracy`` report) when measured."""
    counts = dict(build.counts)
    if dev is not None:
        counts["dev"] = {"corpus": dev[0], "accuracy": dev[1]["accuracy"], "origins": dev[2]}
    (folder / COUNTS_FILE).write_text(json.dumps(counts, indent=1, sort_keys=True) + "\n")
    (folder / "README.md").write_text(render_card(folder.name, build, command, dev))


def _table(rows: dict) -> str:
    lines = ["| what | count |", "|---|---:|"]
    for key, value in rows.items():
        if isinstance(value, dict):
            lines += [f"| {key}: {k} | {v:,} |" for k, v in value.items()]
        else:
            lines.append(f"| {key} | {value:,} |")
    return "\n".join(lines)


def render_card(
    name: str, build: RecordsBuild, command: str, dev: tuple[str, dict, dict] | None
) -> str:
    c = build.counts
    rows = c["rows"]
    accuracy = ""
    if dev is not None:
        corpus, report, origins = dev
        acc = report["accuracy"]
        accuracy = (
            f"\n## Accuracy ({corpus}, gold mentions)\n"
            f"Gold spans and types given, the table predicts the id: all {acc['all']:.4f}"
            + "".join(f", {k} {v:.4f}" for k, v in acc.items() if k != "all")
            + f" ({report['mentions']:,} mentions with an id).\n\n"
            "| origin | mentions it decides (exact or normalised) | right |\n|---|---:|---:|\n"
            + "".join(
                f"| {o} | {origins[o]['decided']:,} | {origins[o]['right']:,} |\n" for o in ORIGINS
            )
        )
    return f"""# {name}: Chemical + Disease concept dictionary (MeSH), gold corpora + PubMed records

Built by `biomine concepts build`: {rows["all"]:,} (type, text) rows in `concepts.tsv.gz`
(same format and matching as `models/concepts-mesh-train`; open it with
`mining.nlp.normalise.ConceptNormaliser.load`, or `biomine run --concepts` this folder).

Rows by origin (a later origin never overrides a text an earlier one matches):
- gold corpora: {rows["gold"]:,} rows;
- the names of the MeSH descriptors and substances NLM indexed the stored records with
  (`MeshHeadingList`, `ChemicalList`), typed Chemical or Disease by the gold corpora, by being
  a substance, or by a disease-only qualifier (`mining.train.mesh_types`): {rows["records"]:,} rows;
- distant supervision: stored tagged mentions that match no row, linked to the one concept of
  their type their record is indexed with that they resemble (`mining.train.distant_supervision`):
  {rows["distant"]:,} rows.

## Counts
{_table({k: v for k, v in c.items()})}
{accuracy}
## Build
```
{command}
```
Deterministic: the same corpora and database give the same bytes.

## Data sources and licence
The gold corpora named in the command (BC5CDR and NCBI disease: NLM public-domain notices) and
the PubMed records of the database (NLM MEDLINE/PubMed data, distributed freely under NLM's
terms). MeSH is a product of the US National Library of Medicine.
"""
