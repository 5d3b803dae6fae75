"""OpenLineage run events of the dbt build, posted to DataZone (PostLineageEvent).

One COMPLETE event per model built successfully: its inputs (models and sources it depends on,
other domains' models included) and its output, named as OpenLineage names AWS Glue tables
(namespace `arn:aws:glue:<region>:<account>`, name `table/<database>/<table>`), with the
`columnLineage` facet derived from the model's compiled SQL (`publish.column_lineage`): each output
column's input columns, across domains. Columns sqlglot cannot resolve are left out of the facet
and named in the plan; without compiled SQL (a manifest of `dbt parse`) there is no facet. The
run id is derived from the dbt invocation id and the model, so an event already in DataZone (found
through ListLineageEvents) is never posted twice. The facet is computed only for events to post.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property

from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import schema_dataset
from openlineage.client.naming.dataset import AWSGlue
from openlineage.client.serde import Serde

from publish.column_lineage import facet, model_lineage
from publish.datazone.api import DataZoneApi
from publish.limits import maximum
from publish.mapping import MeshFacts, ModelFacts
from publish.model import Model, Source, nodes_by_id
from publish.wording import some

PRODUCER = "https://github.com/analytics-mesh/publish"
JOB_NAMESPACE = "dbt"
_RUN_NAMESPACE = uuid.UUID("6f1c4a52-9b0e-4c38-9d55-3a1f1f6b2c11")


@dataclass(frozen=True)
class NodeInfo:
    """A dataset of an event: a model's or source's Glue table and its columns (lower case)."""

    unique_id: str
    database: str
    table: str
    columns: tuple[str, ...] = ()

    @classmethod
    def of(cls, node: Model | Source) -> NodeInfo | None:
        if node.relation is None:
            return None
        columns = tuple(c.name.lower() for c in node.columns)
        return cls(node.unique_id, node.relation.glue_database, node.relation.glue_table, columns)


@dataclass(frozen=True)
class Rendered:
    payload: str  # the serialized RunEvent
    #: `column: reason` of the output columns sqlglot could not resolve (not in the facet)
    unresolved: tuple[str, ...] = ()
    #: what was left out of the event so that it fits PostLineageEvent's limit, and why
    left_out: tuple[str, ...] = ()


@dataclass(frozen=True)
class DesiredEvent:
    unique_id: str
    domain: str
    run_id: str
    event_time: str
    inputs: tuple[str, ...]  # `<db>.<table>` of the inputs, for the plan
    output: str
    render: Callable[[], Rendered] = field(repr=False, compare=False)

    @cached_property
    def rendered(self) -> Rendered:
        """The event with its column lineage (parsing the SQL: only for events to post)."""
        return self.render()

    @property
    def payload(self) -> str:
        return self.rendered.payload


def _dataset(region: str, account: str, node: NodeInfo) -> tuple[str, str]:
    naming = AWSGlue(region, account, node.database, node.table)
    return naming.get_namespace(), naming.get_name()


def desired_events(mesh: MeshFacts, *, region: str, account: str) -> list[DesiredEvent]:
    nodes = nodes_by_id(mesh.domains)
    adapters = {d.name: d.adapter_type for d in mesh.domains}
    out = []
    for facts in mesh.models:
        event = _event(facts, nodes, region, account, adapters.get(facts.model.domain))
        if event is not None:
            out.append(event)
    return out


def _event(
    facts: ModelFacts,
    nodes: Mapping[str, Model | Source],
    region: str,
    account: str,
    adapter_type: str | None,
) -> DesiredEvent | None:
    model = facts.model
    build = model.build
    if model.relation is None or build is None or build.status != "success":
        return None
    if not build.invocation_id or not build.completed_at:
        return None
    run_id = str(uuid.uuid5(_RUN_NAMESPACE, f"{build.invocation_id}/{model.unique_id}"))
    out_node = NodeInfo.of(model)
    assert out_node is not None
    direct = [info for d in model.depends_on if (info := _info(nodes.get(d))) is not None]

    def render() -> Rendered:
        lineage = model_lineage(model, nodes, adapter_type)
        read = list(direct)
        if lineage is not None:  # inputs reached through an ephemeral model are inputs too
            more = {i.node for c in lineage.columns for i in c.inputs} - {n.unique_id for n in read}
            read += [info for uid in sorted(more) if (info := _info(nodes.get(uid))) is not None]
        datasets = {n.unique_id: _dataset(region, account, n) for n in read}
        facets: dict = {"schema": _schema(facts, descriptions=True)}
        column_facet = facet(lineage, datasets) if lineage is not None else None
        if column_facet is not None:
            facets["columnLineage"] = column_facet
        out_ns, out_name = _dataset(region, account, out_node)

        def serialized(facets: dict) -> str:
            return Serde.to_json(
                RunEvent(
                    eventType=RunState.COMPLETE,
                    eventTime=completed_at,
                    run=Run(runId=run_id),
                    job=Job(namespace=JOB_NAMESPACE, name=job_name(model)),
                    producer=PRODUCER,
                    inputs=[
                        InputDataset(namespace=ns, name=name) for ns, name in datasets.values()
                    ],
                    outputs=[OutputDataset(namespace=out_ns, name=out_name, facets=facets)],
                )
            )

        payload = serialized(facets)
        left_out = []
        limit = maximum("datazone", "PostLineageEvent", "event")  # bytes: `event` is a blob
        # a wide table can outgrow PostLineageEvent's limit: lighter facets, the least useful first
        for what, lighter in (
            ("the schema facet's column descriptions", lambda: {"schema": _schema(facts)}),
            ("the columnLineage facet", lambda: {"columnLineage": None}),
            ("the schema facet", lambda: {"schema": None}),
        ):
            size = len(payload.encode("utf-8"))
            if size <= limit:
                break
            facets = {k: v for k, v in {**facets, **lighter()}.items() if v is not None}
            payload = serialized(facets)
            left_out.append(
                f"left out {what}: the event had {size:,} bytes, PostLineageEvent takes {limit:,}"
            )
        # one line per reason: a statement sqlglot cannot parse leaves every column unresolved
        by_reason: dict[str, list[str]] = {}
        for item in lineage.unresolved if lineage else ():
            by_reason.setdefault(item.reason, []).append(item.column)
        unresolved = tuple(f"{some(columns)}: {reason}" for reason, columns in by_reason.items())
        return Rendered(payload, unresolved, tuple(left_out))

    completed_at = build.completed_at
    return DesiredEvent(
        model.unique_id,
        model.domain,
        run_id,
        completed_at,
        tuple(f"{n.database}.{n.table}" for n in direct),
        f"{out_node.database}.{out_node.table}",
        render,
    )


def _schema(facts: ModelFacts, *, descriptions: bool = False) -> schema_dataset.SchemaDatasetFacet:
    return schema_dataset.SchemaDatasetFacet(
        fields=[
            schema_dataset.SchemaDatasetFacetFields(
                name=c.name.lower(),
                type=c.data_type,
                description=(c.description.full or None) if descriptions else None,
            )
            for c in facts.columns
        ]
    )


def job_name(model: Model) -> str:
    """`<domain>.<model>[.v<version>]`: the OpenLineage job of the model's build."""
    return f"{model.domain}.{model.name}" + (f".v{model.version}" if model.version else "")


def _info(node: Model | Source | None) -> NodeInfo | None:
    return NodeInfo.of(node) if node is not None else None


def posted_run_ids(api: DataZoneApi, events: Sequence[DesiredEvent]) -> set[str]:
    """Run ids already in DataZone among events at or after the oldest desired event."""
    if not events:
        return set()
    oldest = min(_parse(e.event_time) for e in events) - timedelta(seconds=1)
    found = set()
    for item in api.pages(
        "ListLineageEvents", domainIdentifier=api.domain_id, timestampAfter=oldest
    ):
        summary = (item.get("eventSummary") or {}).get("openLineageRunEventSummary") or {}
        if summary.get("runId"):
            found.add(summary["runId"])
    return found


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
