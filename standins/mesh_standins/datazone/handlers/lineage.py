"""OpenLineage run events -> lineage nodes (datasets, jobs) and edges (inputs -> job -> outputs)."""

from __future__ import annotations

import bisect
import json
from typing import Any

from mesh_standins.datazone.errors import ServiceError, invalid, not_found
from mesh_standins.datazone.handlers import Context, Params, operation
from mesh_standins.datazone.handlers.common import domain, in_domain, page
from mesh_standins.datazone.protocol import parse_timestamp
from mesh_standins.datazone.state import new_id, now

DATASET_TYPE = "amazon.datazone.DatasetLineageNodeType"
JOB_TYPE = "amazon.datazone.JobLineageNodeType"
_EVENT_TYPES = {"START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER"}


def _parse_event(raw: bytes) -> dict[str, Any]:
    """A run event must carry what the OpenLineage spec requires of one."""
    try:
        event = json.loads(raw)
    except (ValueError, RecursionError):
        raise invalid("The lineage event is not valid JSON (or nests too deeply)") from None
    if not isinstance(event, dict):
        raise invalid("The lineage event must be a JSON object (an OpenLineage RunEvent)")
    missing = [
        path
        for path, ok in (
            ("eventTime", event.get("eventTime")),
            ("producer", event.get("producer")),
            ("schemaURL", event.get("schemaURL")),
            ("run.runId", (event.get("run") or {}).get("runId")),
            ("job.namespace", (event.get("job") or {}).get("namespace")),
            ("job.name", (event.get("job") or {}).get("name")),
        )
        if not ok
    ]
    if missing:
        raise invalid(f"The OpenLineage run event is missing required fields: {', '.join(missing)}")
    if event.get("eventType", "OTHER") not in _EVENT_TYPES:
        raise invalid(f"Unknown OpenLineage eventType {event['eventType']!r}")
    for side in ("inputs", "outputs"):
        for ds in event.get(side) or ():
            if not (isinstance(ds, dict) and ds.get("namespace") and ds.get("name")):
                raise invalid(f"Every entry of {side} needs a namespace and a name")
    try:
        event["_eventTime"] = parse_timestamp(event["eventTime"])
    except ServiceError:
        raise invalid(f"eventTime {event['eventTime']!r} is not an ISO 8601 timestamp") from None
    return event


def _node(ctx: Context, domain_id: str, type_name: str, ref: dict[str, str]) -> dict[str, Any]:
    source = f"{ref['namespace']}/{ref['name']}"
    key = f"lineage|{domain_id}|{type_name}|{source}"
    nodes = ctx.store.table("lineage_nodes")
    node_id = ctx.store.keys.get(key)
    if node_id is None:
        node_id = new_id()
        ctx.store.keys[key] = node_id
        nodes[node_id] = {
            "id": node_id,
            "domainId": domain_id,
            "typeName": type_name,
            "name": ref["name"],
            "sourceIdentifier": source,
            "createdAt": now(),
            "createdBy": ctx.caller,
            "versions": [],
        }
    return nodes[node_id]


def _merge(edges: list[str], more: list[str]) -> list[str]:
    return list(dict.fromkeys(edges + more))


def _add_version(
    ctx: Context, node: dict[str, Any], at: float, up: list[str], down: list[str]
) -> None:
    """Each event makes a new version of a node, placed by event time (not arrival); a version
    holds the edges of every event at or before it, so a late, older event reaches later ones."""
    versions = node["versions"]
    pos = bisect.bisect_right(versions, at, key=lambda v: v["eventTimestamp"])
    prev = versions[pos - 1] if pos else {"upstream": [], "downstream": []}
    versions.insert(
        pos,
        {
            "eventTimestamp": at,
            "upstream": _merge(prev["upstream"], up),
            "downstream": _merge(prev["downstream"], down),
            "updatedAt": now(),
            "updatedBy": ctx.caller,
        },
    )
    for later in versions[pos + 1 :]:
        later["upstream"] = _merge(later["upstream"], up)
        later["downstream"] = _merge(later["downstream"], down)


@operation("PostLineageEvent")
def post_lineage_event(ctx: Context, p: Params) -> dict[str, Any]:
    domain_id = domain(ctx, p["domainIdentifier"])["id"]
    event = _parse_event(p["event"])
    at = event.pop("_eventTime")
    inputs = [_node(ctx, domain_id, DATASET_TYPE, d) for d in event.get("inputs") or ()]
    outputs = [_node(ctx, domain_id, DATASET_TYPE, d) for d in event.get("outputs") or ()]
    job = _node(ctx, domain_id, JOB_TYPE, event["job"])
    _add_version(ctx, job, at, [n["id"] for n in inputs], [n["id"] for n in outputs])
    for node in inputs:
        _add_version(ctx, node, at, [], [job["id"]])
    for node in outputs:
        _add_version(ctx, node, at, [job["id"]], [])
    event_id = new_id()
    ref = lambda d: {"namespace": d["namespace"], "name": d["name"]}  # noqa: E731
    ctx.store.table("lineage_events")[event_id] = {
        "id": event_id,
        "domainId": domain_id,
        "event": p["event"].decode(),
        "processingStatus": "SUCCESS",
        "eventTime": at,
        "createdAt": now(),
        "createdBy": ctx.caller,
        "eventSummary": {
            "openLineageRunEventSummary": {
                "eventType": event.get("eventType", "OTHER"),
                "runId": event["run"]["runId"],
                "job": ref(event["job"]),
                "inputs": [ref(d) for d in event.get("inputs") or ()],
                "outputs": [ref(d) for d in event.get("outputs") or ()],
            }
        },
    }
    return {"id": event_id, "domainId": domain_id}


def _find_node(ctx: Context, domain_id: str, identifier: str) -> dict[str, Any]:
    """By node id, or by source identifier (`namespace/name`) of a dataset or job."""
    domain(ctx, domain_id)
    nodes = ctx.store.table("lineage_nodes")
    node_id = identifier if identifier in nodes else None
    for type_name in (DATASET_TYPE, JOB_TYPE):
        node_id = node_id or ctx.store.keys.get(f"lineage|{domain_id}|{type_name}|{identifier}")
    node = nodes.get(node_id or "")
    if node is None or node["domainId"] != domain_id:
        raise not_found("Lineage node", identifier)
    return node


def _version_view(node: dict[str, Any], version: dict[str, Any]) -> dict[str, Any]:
    return {**node, **version}


@operation("GetLineageNode")
def get_lineage_node(ctx: Context, p: Params) -> dict[str, Any]:
    node = _find_node(ctx, p["domainIdentifier"], p["identifier"])
    at = p.get("eventTimestamp")
    versions = [v for v in node["versions"] if at is None or v["eventTimestamp"] <= at]
    if not versions:
        raise not_found("Lineage node version", f"{node['id']}@{at}")
    version = versions[-1]
    nodes = ctx.store.table("lineage_nodes")

    def refs(ids: list[str]) -> list[dict[str, Any]]:
        return [
            {"id": i, "eventTimestamp": nodes[i]["versions"][-1]["eventTimestamp"]}
            for i in ids
            if i in nodes
        ]

    return {
        **_version_view(node, version),
        "upstreamNodes": refs(version["upstream"]),
        "downstreamNodes": refs(version["downstream"]),
    }


@operation("ListLineageNodeHistory")
def list_lineage_node_history(ctx: Context, p: Params) -> dict[str, Any]:
    node = _find_node(ctx, p["domainIdentifier"], p["identifier"])
    lo, hi = p.get("eventTimestampGTE"), p.get("eventTimestampLTE")
    # direction: only versions with neighbours that way (API Reference, ListLineageNodeHistory)
    side = {"UPSTREAM": "upstream", "DOWNSTREAM": "downstream"}.get(p.get("direction") or "")
    versions = [
        _version_view(node, v)
        for v in node["versions"]
        if (lo is None or v["eventTimestamp"] >= lo)
        and (hi is None or v["eventTimestamp"] <= hi)
        and (side is None or v[side])
    ]
    if p.get("sortOrder", "DESCENDING") == "DESCENDING":
        versions.reverse()
    return page(ctx, versions, p, key="nodes")


@operation("ListLineageEvents")
def list_lineage_events(ctx: Context, p: Params) -> dict[str, Any]:
    domain_id = domain(ctx, p["domainIdentifier"])["id"]
    after, before = p.get("timestampAfter"), p.get("timestampBefore")
    items = [
        e
        for e in ctx.store.table("lineage_events").values()
        if e["domainId"] == domain_id
        and (after is None or e["eventTime"] >= after)
        and (before is None or e["eventTime"] <= before)
        and p.get("processingStatus") in (None, e["processingStatus"])
    ]
    items.sort(key=lambda e: e["eventTime"], reverse=p.get("sortOrder") == "DESCENDING")
    return page(ctx, items, p)


@operation("GetLineageEvent")
def get_lineage_event(ctx: Context, p: Params) -> dict[str, Any]:
    return in_domain(ctx, "lineage_events", "Lineage event", p["domainIdentifier"], p["identifier"])
