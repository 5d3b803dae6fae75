"""Lineage events posted out of time order: a node's history is ordered by event time and its
latest version keeps every edge, whatever the order the events arrived in."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.emulator.helpers import error

pytestmark = pytest.mark.integration

T1, T2 = "2025-01-01T10:00:00Z", "2025-01-02T10:00:00Z"


def _post(dz: Any, domain_id: str, job: str, at: str) -> None:
    event = {
        "eventType": "COMPLETE",
        "eventTime": at,
        "producer": "https://github.com/dbt",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": str(uuid.uuid4())},
        "job": {"namespace": "dbt", "name": job},
        "inputs": [{"namespace": "sales_marts", "name": "fct_orders"}],
    }
    dz.post_lineage_event(domainIdentifier=domain_id, event=json.dumps(event).encode())


@pytest.mark.fidelity("LN-3", "LN-4")
def test_an_older_event_posted_late_keeps_its_edges(dz: Any, domain_id: str) -> None:
    _post(dz, domain_id, "marketing.int_sales_orders", T2)
    _post(dz, domain_id, "sales.fct_daily_sales", T1)  # older, posted after the newer one

    def node(identifier: str, **kwargs: Any) -> Any:
        return dz.get_lineage_node(domainIdentifier=domain_id, identifier=identifier, **kwargs)

    int_sales, daily = node("dbt/marketing.int_sales_orders"), node("dbt/sales.fct_daily_sales")
    latest = node("sales_marts/fct_orders")
    assert {n["id"] for n in latest["downstreamNodes"]} == {int_sales["id"], daily["id"]}
    assert latest["eventTimestamp"] == datetime(2025, 1, 2, 10, tzinfo=UTC)
    at_t1 = node("sales_marts/fct_orders", eventTimestamp=datetime(2025, 1, 1, 10, tzinfo=UTC))
    assert [n["id"] for n in at_t1["downstreamNodes"]] == [daily["id"]]

    def history(**kwargs: Any) -> list[int]:
        nodes = dz.list_lineage_node_history(
            domainIdentifier=domain_id, identifier=latest["id"], **kwargs
        )["nodes"]
        return [n["eventTimestamp"].day for n in nodes]

    assert history() == [2, 1]  # DESCENDING by default
    assert history(sortOrder="ASCENDING") == [1, 2]
    assert history(eventTimestampGTE=datetime(2025, 1, 1, 12, tzinfo=UTC)) == [2]
    assert history(eventTimestampLTE=datetime(2025, 1, 1, 12, tzinfo=UTC)) == [1]


def _event(**changes: Any) -> dict[str, Any]:
    event = {
        "eventType": "COMPLETE",
        "eventTime": T1,
        "producer": "https://github.com/dbt",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": str(uuid.uuid4())},
        "job": {"namespace": "dbt", "name": "sales.fct_orders"},
        "inputs": [
            {"namespace": "arn:aws:glue:us-east-1:123456789012", "name": "table/raw/orders"}
        ],
        "outputs": [
            {"namespace": "arn:aws:glue:us-east-1:123456789012", "name": "table/marts/fct_orders"}
        ],
    }
    event.update(changes)
    return event


@pytest.mark.fidelity("LN-1")
def test_events_missing_what_openlineage_requires_are_refused(dz: Any, domain_id: str) -> None:
    for broken, missing in (
        ({"producer": None}, "producer"),
        ({"run": {}}, "run.runId"),
        ({"job": {"namespace": "dbt"}}, "job.name"),
        ({"eventTime": "yesterday"}, "eventTime"),
        ({"eventType": "DONE"}, "eventType"),
        ({"inputs": [{"namespace": "n"}]}, "inputs"),
    ):
        code, _, message = error(
            dz.post_lineage_event,
            domainIdentifier=domain_id,
            event=json.dumps(_event(**broken)).encode(),
        )
        assert code == "ValidationException" and missing in message, message
    code, _, _ = error(dz.post_lineage_event, domainIdentifier=domain_id, event=b"[1, 2]")
    assert code == "ValidationException"
    assert dz.list_lineage_events(domainIdentifier=domain_id)["items"] == []


@pytest.mark.fidelity("LN-2", "LN-3", "LN-4")
def test_nodes_by_source_identifier_and_their_neighbours(dz: Any, domain_id: str) -> None:
    dz.post_lineage_event(domainIdentifier=domain_id, event=json.dumps(_event()).encode())
    source = "arn:aws:glue:us-east-1:123456789012/table/marts/fct_orders"
    output = dz.get_lineage_node(domainIdentifier=domain_id, identifier=source)
    assert (output["sourceIdentifier"], output["typeName"]) == (
        source,
        "amazon.datazone.DatasetLineageNodeType",
    )
    assert (
        dz.get_lineage_node(domainIdentifier=domain_id, identifier=output["id"])["id"]
        == (output["id"])
    )
    job = dz.get_lineage_node(domainIdentifier=domain_id, identifier="dbt/sales.fct_orders")
    raw = dz.get_lineage_node(
        domainIdentifier=domain_id,
        identifier="arn:aws:glue:us-east-1:123456789012/table/raw/orders",
    )
    assert [n["id"] for n in raw["downstreamNodes"]] == [job["id"]]
    assert ([n["id"] for n in job["upstreamNodes"]], [n["id"] for n in job["downstreamNodes"]]) == (
        [raw["id"]],
        [output["id"]],
    )
    assert [n["id"] for n in output["upstreamNodes"]] == [job["id"]]
    assert output.get("downstreamNodes", []) == []
    code, _, _ = error(dz.get_lineage_node, domainIdentifier=domain_id, identifier="nope/none")
    assert code == "ResourceNotFoundException"

    def history(node: str, direction: str) -> int:
        return len(
            dz.list_lineage_node_history(
                domainIdentifier=domain_id, identifier=node, direction=direction
            )["nodes"]
        )

    assert (history(raw["id"], "DOWNSTREAM"), history(raw["id"], "UPSTREAM")) == (1, 0)
    assert (history(output["id"], "UPSTREAM"), history(output["id"], "DOWNSTREAM")) == (1, 0)
