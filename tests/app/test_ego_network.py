"""The Entity page's graph: the concept, its related concepts, edges from head to tail."""

from __future__ import annotations

from app.ego_network import CENTRE, edge_groups, ego_network, node_groups
from mining.store.queries import ConceptPage, RelatedConcept


def concept(related: list[RelatedConcept]) -> ConceptPage:
    grouped: dict[str, list[RelatedConcept]] = {}
    for item in related:
        grouped.setdefault(item.label, []).append(item)
    return ConceptPage("D008094", "Lithium", "Chemical", 3, 2, [], grouped)


def test_edges_point_from_head_to_tail():
    elements = ego_network(concept([
        RelatedConcept("D011141", "polyuria", "Disease", "CID", "tail", 2),
        RelatedConcept("D000001", "drug x", "Chemical", "DDI-effect", "head", 1),
    ]))  # fmt: skip
    nodes = {n["data"]["id"]: n["data"] for n in elements["nodes"]}
    assert nodes["D008094"]["label"] == CENTRE and nodes["D011141"]["label"] == "ent-disease"
    edges = [(e["data"]["source"], e["data"]["target"], e["data"]["relation"])
             for e in elements["edges"]]  # fmt: skip
    assert edges == [("D008094", "D011141", "CID"), ("D000001", "D008094", "DDI-effect")]
    assert node_groups(elements) == ["centre", "ent-chemical", "ent-disease"]


def test_untrusted_names_never_reach_a_selector():
    elements = ego_network(concept([
        RelatedConcept("D1", "x", "Dis']ease", "C'I]D", "tail", 1),
    ]))  # fmt: skip
    assert edge_groups(elements) == ["ent-cid"] and "ent-disease" in node_groups(elements)
    assert elements["edges"][0]["data"]["relation"] == "C'I]D"  # shown as a caption only


def test_at_most_per_label_related_concepts():
    many = [RelatedConcept(f"D{i}", None, "Disease", "CID", "tail", 1) for i in range(30)]
    assert len(ego_network(concept(many), per_label=10)["edges"]) == 10


def test_entity_page_draws_the_graph(app):
    app.query_params["concept"] = "D011141"
    app.switch_page("views/entity.py")
    at = app.run()
    assert not at.exception
    graph = [e for e in at.main if getattr(e, "type", "") == "component_instance"]
    assert len(graph) == 1 and '"source": "D008094"' in graph[0].proto.json_args
