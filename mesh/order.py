"""Build order and selection of domains, dbt-style: `name`, `+name` (with upstreams), `name+`."""

from __future__ import annotations

import re
from collections.abc import Iterable

import networkx as nx

from mesh.project import Domain
from publish.errors import BadInputError


def domain_graph(domains: dict[str, Domain]) -> nx.DiGraph:
    """Edges point from an upstream domain to the domains that ref it."""
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(domains)
    for domain in domains.values():
        graph.add_edges_from((up, domain.name) for up in domain.upstream_names)
    if not nx.is_directed_acyclic_graph(graph):
        cycle = " -> ".join(a for a, _ in nx.find_cycle(graph))
        raise BadInputError(
            f"the domains ref each other in a cycle ({cycle})",
            file="domains/*/dbt_loom.config.yml",
            fix="a domain may only read upstream domains; move the shared model to one side",
        )
    return graph


def select_domains(domains: dict[str, Domain], selectors: Iterable[str] = ()) -> list[Domain]:
    """The selected domains in build order (upstream first, ties by name)."""
    graph = domain_graph(domains)
    selectors = list(selectors)
    chosen: set[str] = set()
    for selector in selectors or list(domains):
        name = selector.strip().strip("+")
        if not name:
            raise BadInputError(
                f"--select {selector!r} names no domain (an empty value would otherwise "
                "select every domain)",
                fix=f"pass a domain, `+<domain>` or `<domain>+`, choosing from: "
                f"{', '.join(sorted(domains))}; leave --select out to run every domain",
            )
        if name not in domains:
            parts = [p for p in re.split(r"[\s,]+", selector) if p]
            several = len(parts) > 1 and all(p.strip("+") in domains for p in parts)
            raise BadInputError(
                f"unknown domain {name!r} in --select {selector!r}",
                fix=(
                    "give each domain its own --select: " + " ".join(f"-s {p}" for p in parts)
                    if several
                    else f"choose from: {', '.join(sorted(domains))}"
                ),
            )
        chosen.add(name)
        if selector.strip().startswith("+"):
            chosen |= nx.ancestors(graph, name)
        if selector.strip().endswith("+"):
            chosen |= nx.descendants(graph, name)
    order = nx.lexicographical_topological_sort(graph)
    return [domains[name] for name in order if name in chosen]
