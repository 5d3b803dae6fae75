"""Where each column of a public model comes from, for the portal: the columns of public models it
is computed from, across domains, through any chain of models consumers do not see (column
lineage from the compiled SQL, `publish.column_lineage`). Like the lineage graph ("A feeds B"),
it names public models only: private and protected models and the sources stay out of the site;
a column computed from a domain's own sources says so without naming them. A column sqlglot could
not resolve says so instead of guessing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import networkx as nx

from publish.column_lineage import ModelColumnLineage, mesh_lineage
from publish.model import Domain, Model, Source, nodes_by_id


@dataclass(frozen=True, slots=True)
class ColumnOrigin:
    #: the public columns it is computed from: `<domain>.<model>[.v<n>].<column>`
    public: tuple[str, ...] = ()
    #: some of its value comes from the domain's sources (through models consumers do not see)
    from_sources: bool = False
    #: sqlglot could not resolve the column (then nothing else is said; the reason, which may
    #: name models consumers do not see, is in the publisher's plan)
    unresolved: bool = False


@dataclass(frozen=True, slots=True)
class _Found:
    public: frozenset[str]
    from_sources: bool


def column_origins(domains: Sequence[Domain]) -> dict[tuple[str, str], ColumnOrigin]:
    """(model unique id, lower-case column) -> its origin, for every column of every model with
    compiled SQL that is public or upstream of a public model (what the portal can show: no
    lineage is derived for the hundreds of models of a project with few public ones)."""
    nodes = nodes_by_id(domains)
    lineage = mesh_lineage(domains, only=_public_and_upstream(domains))
    memo: dict[tuple[str, str], _Found] = {}
    out: dict[tuple[str, str], ColumnOrigin] = {}
    for uid, result in lineage.items():
        for column in result.columns:
            found = _walk(uid, column.column, lineage, nodes, memo)
            out[(uid, column.column)] = ColumnOrigin(
                tuple(sorted(found.public)), found.from_sources
            )
        for missing in result.unresolved:
            out[(uid, missing.column)] = ColumnOrigin(unresolved=True)
    return out


def _public_and_upstream(domains: Sequence[Domain]) -> set[str]:
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_edges_from((d, m.unique_id) for x in domains for m in x.models for d in m.depends_on)
    public = {m.unique_id for x in domains for m in x.models if m.access == "public"}
    return public.union(*(nx.ancestors(graph, uid) for uid in public if uid in graph))


def _walk(
    uid: str,
    column: str,
    lineage: Mapping[str, ModelColumnLineage],
    nodes: Mapping[str, Model | Source],
    memo: dict[tuple[str, str], _Found],
) -> _Found:
    """The public columns and sources behind one column, through hidden models (iterative,
    memoised; lineage is acyclic)."""

    def hidden(node: str) -> bool:
        found = nodes.get(node)
        return isinstance(found, Model) and found.access != "public" and node in lineage

    stack = [(uid, column)]
    while stack:
        key = stack[-1]
        if key in memo:
            stack.pop()
            continue
        inputs = lineage[key[0]].inputs_of(key[1]) if key[0] in lineage else ()
        pending = [
            (i.node, i.column) for i in inputs if hidden(i.node) and (i.node, i.column) not in memo
        ]
        if pending:
            stack.extend(pending)
            continue
        public: set[str] = set()
        sources = False
        for i in inputs:
            node = nodes.get(i.node)
            if isinstance(node, Source):
                sources = True
            elif hidden(i.node):
                below = memo[(i.node, i.column)]
                public |= below.public
                sources = sources or below.from_sources
            elif isinstance(node, Model) and node.access == "public":
                public.add(f"{i.node.split('.', 1)[1]}.{i.column}")
        memo[key] = _Found(frozenset(public), sources)
        stack.pop()
    return memo[(uid, column)]
