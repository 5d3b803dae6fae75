"""Column-level lineage of a dbt model, derived from its compiled SQL with sqlglot.

For every output column: the columns of the model's direct upstream nodes (models of this or
another domain, sources) it is computed from, and how (`IDENTITY` when the value passes through
unchanged, `TRANSFORMATION` when an expression changes it, `AGGREGATION` when an aggregate
function folds rows). The walk goes through CTEs, subqueries, joins and unions (sqlglot's
`lineage` over the qualified query). `select *` is expanded from the upstream nodes' columns.

Nothing is guessed: an output column whose inputs sqlglot cannot resolve, or that reads a relation
the model does not depend on in dbt, is reported in `unresolved` with the reason. Columns with no
input column at all (`current_timestamp`, a literal, `count(*)`) have empty inputs.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, SqlglotError
from sqlglot.lineage import Node, lineage

from publish.model import Domain, Model, Source, nodes_by_id

# sqlglot logs a warning for each scope it cannot resolve ("Unknown subquery scope: ..."): on
# other teams' SQL that is dozens of lines on the console. Unresolved columns are named where they
# matter (the plan, the portal), so its own warnings are noise.
logging.getLogger("sqlglot").setLevel(logging.ERROR)

if TYPE_CHECKING:
    from openlineage.client.facet_v2.column_lineage_dataset import ColumnLineageDatasetFacet

Transformation = Literal["IDENTITY", "TRANSFORMATION", "AGGREGATION"]
_RANK: dict[Transformation, int] = {"IDENTITY": 0, "TRANSFORMATION": 1, "AGGREGATION": 2}
#: dbt adapter type -> sqlglot dialect, where the names differ
_DIALECTS = {"athena": "athena", "duckdb": "duckdb", "postgres": "postgres", "redshift": "redshift"}


@dataclass(frozen=True, slots=True)
class Upstream:
    """A node the model depends on: its dbt id, where it lives and its columns."""

    unique_id: str
    database: str | None
    schema: str
    identifier: str
    columns: tuple[str, ...]
    #: dbt's rendered relation, when it is not `database.schema.identifier` (a DuckDB source
    #: over files renders as `read_parquet('...')`)
    relation_name: str | None = None


@dataclass(frozen=True, slots=True)
class InputColumn:
    node: str  # unique_id of the upstream node
    column: str
    transformation: Transformation


@dataclass(frozen=True, slots=True)
class ColumnLineage:
    column: str
    inputs: tuple[InputColumn, ...]


@dataclass(frozen=True, slots=True)
class Unresolved:
    column: str
    reason: str


@dataclass(frozen=True, slots=True)
class ModelColumnLineage:
    unique_id: str
    columns: tuple[ColumnLineage, ...] = ()
    unresolved: tuple[Unresolved, ...] = ()

    def inputs_of(self, column: str) -> tuple[InputColumn, ...]:
        lowered = column.lower()
        return next((c.inputs for c in self.columns if c.column == lowered), ())


def sqlglot_dialect(adapter_type: str | None) -> str | None:
    """The sqlglot dialect for a dbt adapter (None: sqlglot's generic SQL)."""
    if not adapter_type:
        return None
    name = adapter_type.lower()
    return _DIALECTS.get(name, name if name in sqlglot.Dialect.classes else None)


def derive(
    unique_id: str,
    sql: str,
    *,
    dialect: str | None,
    upstreams: Sequence[Upstream],
    output_columns: Sequence[str],
    this: Upstream | None = None,
) -> ModelColumnLineage:
    """The column lineage of one model from its compiled SQL (see the module docstring).

    `this` is the model's own relation: an incremental model's SQL reads it (`{{ this }}`) in
    filters, so sqlglot needs its columns, but it is never an input of its own columns.
    """
    outputs = [c.lower() for c in output_columns]
    by_table = _by_table(upstreams, dialect)
    known = [*upstreams, this] if this is not None else list(upstreams)
    try:
        # trim_selects would deep-copy the select once per lineage node, for display only (80%
        # of the time, measured): the leaves read here are tables, the steps their projections
        roots = lineage(None, sql, schema=_schema(known), dialect=dialect, trim_selects=False)
    except (SqlglotError, KeyError, ValueError, TypeError) as err:
        reason = f"sqlglot cannot analyse the compiled SQL ({_first_line(err)})"
        return ModelColumnLineage(unique_id, (), tuple(Unresolved(c, reason) for c in outputs))
    assert isinstance(roots, dict)  # lineage(None, ...) answers every output column
    found = {name.lower(): node for name, node in roots.items()}
    columns: list[ColumnLineage] = []
    unresolved: list[Unresolved] = []
    for column in outputs:
        root = found.get(column)
        if root is None:
            reason = "not among the columns sqlglot finds in the final select"
            unresolved.append(Unresolved(column, reason))
            continue
        inputs: dict[tuple[str, str], Transformation] = {}
        problems: list[str] = []
        for path in _paths(root):
            _resolve(path, by_table, inputs, problems)
        if problems:
            unresolved.append(Unresolved(column, "; ".join(sorted(set(problems)))))
            continue
        columns.append(
            ColumnLineage(
                column,
                tuple(InputColumn(n, c, t) for (n, c), t in sorted(inputs.items())),
            )
        )
    return ModelColumnLineage(unique_id, tuple(columns), tuple(unresolved))


def upstream_of(node: Model | Source) -> Upstream | None:
    """A model or source of the typed model as `derive` sees it; None for an ephemeral model."""
    if node.relation is None:
        return None
    relation = node.relation
    return Upstream(
        node.unique_id,
        relation.database,
        relation.schema,
        relation.identifier,
        tuple(c.name for c in node.columns),
        node.relation_name,
    )


def model_lineage(
    model: Model, nodes: Mapping[str, Model | Source], adapter_type: str | None
) -> ModelColumnLineage | None:
    """The column lineage of a model of the typed model, from its compiled SQL; None when the
    artifacts hold no compiled SQL (a manifest of `dbt parse`) or the model has no relation.

    `nodes` holds every model and source by unique id (`publish.model.nodes_by_id`): other
    domains' models come from their own domain's artifacts, with their columns.
    """
    this = upstream_of(model)
    if not model.compiled_code or this is None:
        return None
    upstreams = []
    pending, seen = list(model.depends_on), set()
    while pending:
        node = nodes.get(dep := pending.pop())
        if node is None or dep in seen:
            continue
        seen.add(dep)
        found = upstream_of(node)
        if found is not None:
            upstreams.append(found)
        elif isinstance(node, Model):  # ephemeral: inlined as a CTE, reads its own upstreams
            pending.extend(node.depends_on)
    return derive(
        model.unique_id,
        model.compiled_code,
        dialect=sqlglot_dialect(adapter_type),
        upstreams=upstreams,
        output_columns=[c.name for c in model.columns],
        this=this,
    )


def mesh_lineage(
    domains: Sequence[Domain], only: Collection[str] | None = None
) -> dict[str, ModelColumnLineage]:
    """The column lineage of every model of the loaded domains that has compiled SQL (of those
    in `only`, when given)."""
    nodes = nodes_by_id(domains)
    out = {}
    for domain in domains:
        for model in domain.models:
            if only is not None and model.unique_id not in only:
                continue
            found = model_lineage(model, nodes, domain.adapter_type)
            if found is not None:
                out[model.unique_id] = found
    return out


def facet(
    result: ModelColumnLineage, datasets: Mapping[str, tuple[str, str]]
) -> ColumnLineageDatasetFacet | None:
    """The OpenLineage `columnLineage` facet of the model's output dataset.

    `datasets` names each upstream node's dataset (unique id -> (namespace, name)), as the run
    event names its inputs. Each input field carries its transformation as the spec's subtype
    (type DIRECT: the value is computed from the input); a column whose inputs are all passed
    through unchanged is `transformationType` IDENTITY. Columns with no input column, unresolved
    columns and inputs without a dataset are left out (unresolved ones are reported elsewhere).
    None when no column has an input.
    """
    from openlineage.client.facet_v2 import column_lineage_dataset as cl  # only when posting

    fields = {}
    for column in result.columns:
        inputs = [i for i in column.inputs if i.node in datasets]
        if not inputs:
            continue
        fields[column.column] = cl.Fields(
            inputFields=[
                cl.InputField(
                    namespace=datasets[i.node][0],
                    name=datasets[i.node][1],
                    field=i.column,
                    transformations=[cl.Transformation(type="DIRECT", subtype=i.transformation)],
                )
                for i in inputs
            ],
            transformationType=(
                "IDENTITY" if all(i.transformation == "IDENTITY" for i in inputs) else None
            ),
        )
    return cl.ColumnLineageDatasetFacet(fields=fields) if fields else None


def _by_table(upstreams: Iterable[Upstream], dialect: str | None) -> dict[str, Upstream]:
    """Upstream nodes by the key `_table_key` gives the table a query reads."""
    out: dict[str, Upstream] = {}
    for u in upstreams:
        out[f"{u.schema}.{u.identifier}".lower()] = u
        if u.relation_name:
            try:
                parsed = sqlglot.parse_one(u.relation_name, dialect=dialect, into=exp.Table)
            except SqlglotError:
                continue
            out[_table_key(parsed)] = u
    return out


def _table_key(table: exp.Table) -> str:
    """`schema.table` for a named table; the SQL of anything else (a table function)."""
    if table.name:
        return f"{table.db}.{table.name}".lower()
    return table.this.sql().lower()


def _schema(upstreams: Iterable[Upstream]) -> dict:
    """sqlglot's nested schema mapping, all at the depth of the deepest relation name."""
    schema: dict = {}
    for u in upstreams:
        if not u.columns:  # sqlglot refuses a table without columns; it stays unexpanded
            continue
        cols = {c.lower(): "unknown" for c in u.columns}
        schema.setdefault(u.database or "", {}).setdefault(u.schema, {})[u.identifier] = cols
    if all(not key for key in schema):  # no relation names a database: two levels
        return schema.get("", {})
    return schema


def _paths(root: Node) -> Iterable[list[Node]]:
    """Every root-to-leaf path of a lineage tree."""
    stack: list[list[Node]] = [[root]]
    while stack:
        path = stack.pop()
        if not path[-1].downstream:
            yield path
        for child in path[-1].downstream:
            stack.append([*path, child])


def _resolve(
    path: list[Node],
    by_table: Mapping[str, Upstream],
    inputs: dict[tuple[str, str], Transformation],
    problems: list[str],
) -> None:
    leaf = path[-1]
    if not isinstance(leaf.source, exp.Table):
        # A leaf that is not a table: a constant or count(*) (no input column), or a column
        # sqlglot could not trace to any source.
        if isinstance(leaf.expression, exp.Placeholder):
            problems.append(f"`{leaf.name}` is ambiguous or unknown: no table is known to hold it")
        elif any(True for _ in leaf.expression.find_all(exp.Column)):
            problems.append(f"`{leaf.name}` does not trace to a table")
        return
    table = leaf.source
    upstream = by_table.get(_table_key(table))
    if upstream is None:
        problems.append(f"reads {_table_key(table)}, which is not a dbt node it depends on")
        return
    column = leaf.name.rsplit(".", 1)[-1].lower()
    if column == "*" and len(path) > 1:
        # `select *` from a relation sqlglot has no schema for (a table function): the column
        # passes through the star under the name the step above reads it by.
        column = path[-2].name.rsplit(".", 1)[-1].lower()
    if upstream.columns and column not in {c.lower() for c in upstream.columns}:
        problems.append(f"{upstream.unique_id} has no column `{column}`")
        return
    kind = _transformation(path[:-1])
    key = (upstream.unique_id, column)
    if key not in inputs or _RANK[kind] > _RANK[inputs[key]]:
        inputs[key] = kind


def _transformation(steps: Sequence[Node]) -> Transformation:
    worst: Transformation = "IDENTITY"
    for node in steps:
        value = node.expression.this if isinstance(node.expression, exp.Alias) else node.expression
        if isinstance(value, exp.Column | exp.Star):  # a column read as it is, or through `*`
            continue
        kind: Transformation = (
            "AGGREGATION" if value.find(exp.AggFunc) is not None else "TRANSFORMATION"
        )
        if _RANK[kind] > _RANK[worst]:
            worst = kind
    return worst


def _first_line(err: Exception) -> str:
    """What went wrong, in a line a person reads: a parse error says where, and the text it
    stopped at instead of sqlglot's token repr."""
    details = getattr(err, "errors", None)
    if isinstance(err, ParseError) and details:
        first = details[0]
        description = _TOKEN.sub(r"`\1`", str(first.get("description", "")))
        return f"line {first.get('line')}, column {first.get('col')}: {description}"[:200]
    return (str(err).strip().splitlines() or [type(err).__name__])[0][:200]


#: sqlglot's `<Token token_type: TokenType.L_BRACE, text: {, line: 1, ...>`
_TOKEN = re.compile(r"<Token token_type: [^,]*, text: (.*?), line: \d+[^>]*>")
