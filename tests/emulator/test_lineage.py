"""Lineage events posted out of time order: a node's history is ordered by event time and its
latest version keeps every edge, whatever the order the events arrived in."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

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
