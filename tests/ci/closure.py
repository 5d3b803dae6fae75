"""The downstream closure of a change, computed from production manifests without dbt's selection.

The oracle that slim CI is checked against (by tests/ci and bench/bench_slim_ci.py): the changed
node, every node downstream of it across domains, and the data tests and unit tests attached to
any of them.
"""

from __future__ import annotations

from typing import Any

import networkx as nx


def dependency_graph(manifests: dict[str, dict[str, Any]]) -> nx.DiGraph:
    """Parent -> child edges of every domain's own nodes (models, tests, unit tests), keyed by
    domain name; the copies dbt-loom injects from upstream domains are skipped."""
    graph: nx.DiGraph[str] = nx.DiGraph()
    for domain, manifest in manifests.items():
        for uid, node in [*manifest["nodes"].items(), *manifest["unit_tests"].items()]:
            if node["package_name"] != domain:
                continue
            graph.add_node(uid)
            graph.add_edges_from((parent, uid) for parent in node["depends_on"]["nodes"])
    return graph


def closure(graph: nx.DiGraph, changed: str) -> set[str]:
    """The changed node and all its descendants: downstream models in every domain, and (tests
    being leaves) exactly the tests and unit tests attached to any of them."""
    return {changed} | nx.descendants(graph, changed)
