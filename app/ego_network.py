"""A concept's ego network: the concept, the concepts it relates to, one edge per relation
type and direction, in the Cytoscape elements layout that st-link-analysis draws.

st-link-analysis styles groups through Cytoscape selectors built from each element's
``label``, so that field holds a safe group name (letters, digits, hyphens) and the stored
type and relation names, which are untrusted, travel in fields that are only displayed.
"""

from __future__ import annotations

from typing import Any

from app.highlight import type_class
from mining.store.queries import ConceptPage

CENTRE = "centre"  # the group of the concept the page is about


def group(name: str) -> str:
    """A stored type or relation name as a group name safe inside a selector."""
    return type_class(name)


def ego_network(page: ConceptPage, per_label: int = 10) -> dict[str, list[dict[str, Any]]]:
    """Nodes carry their group (entity type), ``name`` and ``type``; edges point from head to
    tail and carry the ``relation`` and its supporting ``abstracts``. At most ``per_label``
    related concepts per relation type (the best supported), for a readable graph."""
    centre = {"id": page.id, "label": CENTRE, "name": page.name or page.id, "type": page.label}
    nodes = {page.id: centre}
    edges = []
    for relation, related in page.related.items():
        for item in related[:per_label]:
            kind = item.type or "Other"
            node = {"id": item.concept, "label": group(kind), "name": item.name or item.concept,
                    "type": kind}  # fmt: skip
            nodes.setdefault(item.concept, node)
            head, tail = (item.concept, page.id) if item.role == "head" else (page.id, item.concept)
            edges.append(
                {
                    "id": f"{relation}|{head}|{tail}",
                    "source": head,
                    "target": tail,
                    "label": group(relation),
                    "relation": relation,
                    "abstracts": item.abstracts,
                }
            )
    return {
        "nodes": [{"data": node} for node in nodes.values()],
        "edges": [{"data": edge} for edge in edges],
    }


def node_groups(elements: dict[str, list[dict[str, Any]]]) -> list[str]:
    return sorted({node["data"]["label"] for node in elements["nodes"]})


def edge_groups(elements: dict[str, list[dict[str, Any]]]) -> list[str]:
    return sorted({edge["data"]["label"] for edge in elements["edges"]})
