"""OpenLineage run events of the dbt build, posted to DataZone (PostLineageEvent).

One COMPLETE event per model built successfully: its inputs (models and sources it depends on,
other domains' models included) and its output, named as OpenLineage names AWS Glue tables
(namespace `arn:aws:glue:<region>:<account>`, name `table/<database>/<table>`), with an identity
column-lineage facet for output columns that an input has under the same name. The run id is
derived from the dbt invocation id and the model, so an event already in DataZone (found through
ListLineageEvents) is never posted twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import column_lineage_dataset, schema_dataset
from openlineage.client.naming.dataset import AWSGlue
from openlineage.client.serde import Serde

from publish.datazone.api import DataZoneApi
from publish.datazone.manifest import ManifestExtras, NodeInfo
from publish.mapping import MeshFacts, ModelFacts

PRODUCER = "https://github.com/analytics-mesh/publish"
JOB_NAMESPACE = "dbt"
_RUN_NAMESPACE = uuid.UUID("6f1c4a52-9b0e-4c38-9d55-3a1f1f6b2c11")


@dataclass(frozen=True)
class DesiredEvent:
    unique_id: str
    domain: str
    run_id: str
    event_time: str
    payload: str  # the serialized RunEvent
    inputs: tuple[str, ...]  # `<db>.<table>` of the inputs, for the plan
    output: str


def _dataset(region: str, account: str, node: NodeInfo) -> tuple[str, str]:
    naming = AWSGlue(region, account, node.database, node.table)
    return naming.get_namespace(), naming.get_name()


def desired_events(
    mesh: MeshFacts, extras: ManifestExtras, *, region: str, account: str
) -> list[DesiredEvent]:
    out = []
    for facts in mesh.models:
        event = _event(facts, extras, region, account)
        if event is not None:
            out.append(event)
    return out


def _event(
    facts: ModelFacts, extras: ManifestExtras, region: str, account: str
) -> DesiredEvent | None:
    model = facts.model
    build = model.build
    if model.relation is None or build is None or build.status != "success":
        return None
    if not build.invocation_id or not build.completed_at:
        return None
    run_id = str(uuid.uuid5(_RUN_NAMESPACE, f"{build.invocation_id}/{model.unique_id}"))
    out_node = NodeInfo(
        model.unique_id,
        model.relation.glue_database,
        model.relation.glue_table,
        tuple(c.name.lower() for c in model.columns),
    )
    inputs: list[InputDataset] = []
    input_nodes = []
    for dep in model.depends_on:
        node = extras.nodes.get(dep)
        if node is None:
            continue
        namespace, name = _dataset(region, account, node)
        inputs.append(InputDataset(namespace=namespace, name=name))
        input_nodes.append((namespace, name, node))
    fields = {}
    for column in out_node.columns:
        sources = [
            column_lineage_dataset.InputField(
                namespace=ns,
                name=name,
                field=column,
                transformations=[column_lineage_dataset.Transformation(type="DIRECT")],
            )
            for ns, name, node in input_nodes
            if column in node.columns
        ]
        if sources:
            fields[column] = column_lineage_dataset.Fields(
                inputFields=sources, transformationType="IDENTITY"
            )
    out_ns, out_name = _dataset(region, account, out_node)
    facets: dict = {
        "schema": schema_dataset.SchemaDatasetFacet(
            fields=[
                schema_dataset.SchemaDatasetFacetFields(
                    name=c.name.lower(), type=c.data_type, description=c.description.full or None
                )
                for c in facts.columns
            ]
        )
    }
    if fields:
        facets["columnLineage"] = column_lineage_dataset.ColumnLineageDatasetFacet(fields=fields)
    event = RunEvent(
        eventType=RunState.COMPLETE,
        eventTime=build.completed_at,
        run=Run(runId=run_id),
        job=Job(
            namespace=JOB_NAMESPACE,
            name=f"{model.domain}.{model.name}" + (f".v{model.version}" if model.version else ""),
        ),
        producer=PRODUCER,
        inputs=inputs,
        outputs=[OutputDataset(namespace=out_ns, name=out_name, facets=facets)],
    )
    return DesiredEvent(
        model.unique_id,
        model.domain,
        run_id,
        build.completed_at,
        Serde.to_json(event),
        tuple(f"{n.database}.{n.table}" for _, _, n in input_nodes),
        f"{out_node.database}.{out_node.table}",
    )


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
