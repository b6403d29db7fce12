"""The one table of entity types: every corpus's and model's type name -> the store's type.

Readers map gold types through it when they read (DDI's ``drug``/``brand``/``group``/
``drug_n`` are all Chemical; NCBI disease's four mention classes are Disease), models' label
names go through it when a tagger opens, and training and the store see the same names, so a
DDI document ingested with ``biomine ingest`` stores ``Chemical`` as training does.
"""

from __future__ import annotations

CHEMICAL, DISEASE, GENE = "Chemical", "Disease", "Gene"

# Keys are case-folded; a name not listed is kept as written.
STORE_TYPES = {
    "chemical": CHEMICAL,
    "chem": CHEMICAL,
    "chemicals": CHEMICAL,
    "drug": CHEMICAL,
    # DDI-2013's mention types: all chemicals to the tagger and the classifier.
    "drug_n": CHEMICAL,
    "brand": CHEMICAL,
    "group": CHEMICAL,
    "disease": DISEASE,
    "diseases": DISEASE,
    "dis": DISEASE,
    # NCBI disease's mention classes.
    "specificdisease": DISEASE,
    "diseaseclass": DISEASE,
    "modifier": DISEASE,
    "compositemention": DISEASE,
    "gene": GENE,
    "genes": GENE,
    "protein": GENE,
    "gene_or_gene_product": GENE,
    "gene/protein": GENE,
    # ChemProt's (GENE-Y normalisable, GENE-N not).
    "gene-y": GENE,
    "gene-n": GENE,
}


def store_type(label: str) -> str:
    """The store's name of an entity type (``drug`` -> ``Chemical``); unknown names as given."""
    return STORE_TYPES.get(label.casefold(), label)
