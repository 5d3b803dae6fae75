"""Where each column of a public model comes from, for the portal: its direct input columns and
the source columns at the far end, across domains (column lineage from the compiled SQL,
`publish.column_lineage`). A column sqlglot could not resolve says so instead of guessing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from publish.column_lineage import ModelColumnLineage, mesh_lineage
from publish.model import Domain, Model, Source, nodes_by_id


@dataclass(frozen=True, slots=True)
class ColumnOrigin:
    #: the direct input columns: `<domain>.<model>[.v<n>].<column>` or `<source>.<table>.<column>`
    inputs: tuple[str, ...] = ()
    #: the source columns the value is computed from, however many models lie between
    sources: tuple[str, ...] = ()
    #: why sqlglot could not resolve the column (then inputs and sources are empty)
    unresolved: str | None = None


def column_origins(domains: Sequence[Domain]) -> dict[tuple[str, str], ColumnOrigin]:
    """(model unique id, lower-case column) -> its origin, for every column of every model with
    compiled SQL."""
    lineage = mesh_lineage(domains)
    nodes = nodes_by_id(domains)
    memo: dict[tuple[str, str], frozenset[str]] = {}
    out: dict[tuple[str, str], ColumnOrigin] = {}
    for uid, result in lineage.items():
        for column in result.columns:
            out[(uid, column.column)] = ColumnOrigin(
                inputs=tuple(sorted(_name(nodes, i.node, i.column) for i in column.inputs)),
                sources=tuple(sorted(_sources(uid, column.column, lineage, nodes, memo))),
            )
        for missing in result.unresolved:
            out[(uid, missing.column)] = ColumnOrigin(unresolved=missing.reason)
    return out


def _sources(
    uid: str,
    column: str,
    lineage: Mapping[str, ModelColumnLineage],
    nodes: Mapping[str, Model | Source],
    memo: dict[tuple[str, str], frozenset[str]],
) -> frozenset[str]:
    """The source columns upstream of one column (iterative, memoised; lineage is acyclic)."""
    stack = [(uid, column)]
    while stack:
        key = stack[-1]
        if key in memo:
            stack.pop()
            continue
        inputs = lineage[key[0]].inputs_of(key[1]) if key[0] in lineage else ()
        pending = [
            (i.node, i.column)
            for i in inputs
            if i.node.startswith("model.") and i.node in lineage and (i.node, i.column) not in memo
        ]
        if pending:
            stack.extend(pending)
            continue
        found: set[str] = set()
        for i in inputs:
            if i.node.startswith("source."):
                found.add(_name(nodes, i.node, i.column))
            else:
                found |= memo.get((i.node, i.column), frozenset())
        memo[key] = frozenset(found)
        stack.pop()
    return memo[(uid, column)]


def _name(nodes: Mapping[str, Model | Source], uid: str, column: str) -> str:
    node = nodes.get(uid)
    if isinstance(node, Source):
        return f"{node.source_name}.{node.name}.{column}"
    return f"{uid.split('.', 1)[1]}.{column}"
