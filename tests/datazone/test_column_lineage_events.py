"""Column lineage posted with the run events: what DataZone holds after a publish is the lineage
derived from the compiled SQL (the hand-written edges of the marts), across domains."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.datazone.conftest import Stage, edit_manifest
from tests.publish.test_column_lineage import EXPECTED_MARTS

pytestmark = pytest.mark.integration

GLUE = "arn:aws:glue:us-east-1:123456789012"
#: the Glue table of each node the expected edges name
TABLES = {
    "int_customers_joined": "customers_intermediate/int_customers_joined",
    "dim_customers.v2": "customers_marts/dim_customers_v2",
    "int_sales_orders": "marketing_intermediate/int_sales_orders",
    "fct_orders": "sales_marts/fct_orders",
    "stg_pos__orders": "sales_staging/stg_pos__orders",
    "int_order_items_priced": "sales_intermediate/int_order_items_priced",
    "stg_ads__ad_spend": "marketing_staging/stg_ads__ad_spend",
    "stg_ads__campaigns": "marketing_staging/stg_ads__campaigns",
    "int_orders_attributed_to_campaigns": (
        "marketing_intermediate/int_orders_attributed_to_campaigns"
    ),
    "stg_pos__products": "sales_staging/stg_pos__products",
}


def _posted_events(stage: Stage) -> dict[str, dict[str, Any]]:
    """The run events in DataZone by job name."""
    dz = stage.dz()
    out = {}
    for item in stage.pages("list_lineage_events"):
        raw = dz.get_lineage_event(domainIdentifier=stage.domain_id, identifier=item["id"])
        event = json.loads(raw["event"].read())
        out[event["job"]["name"]] = event
    return out


def test_run_events_carry_the_column_lineage_of_the_compiled_sql(stage: Stage) -> None:
    _plan, result = stage.publish()
    assert result.failures == []
    events = _posted_events(stage)
    for unique_id, expected in EXPECTED_MARTS.items():
        job = unique_id.split(".", 1)[1]
        (output,) = events[job]["outputs"]
        fields = output["facets"]["columnLineage"]["fields"]
        inputs = {(i["namespace"], i["name"]) for i in events[job]["inputs"]}
        for column, want in expected.items():
            got = {
                (f["name"], f["field"], f["transformations"][0]["subtype"][0])
                for f in (fields.get(column) or {}).get("inputFields", [])
            }
            assert got == {(f"table/{TABLES[n]}", c, k) for n, c, k in want}, f"{job}.{column}"
            for f in (fields.get(column) or {}).get("inputFields", []):
                assert f["namespace"] == GLUE
                assert (f["namespace"], f["name"]) in inputs  # every input field's dataset is
    # across domains: marketing's acquisition reads customers' public dimension
    acquisition = events["marketing.fct_customer_acquisition"]["outputs"][0]["facets"]
    (customer_id,) = acquisition["columnLineage"]["fields"]["customer_id"]["inputFields"]
    assert customer_id["name"] == "table/customers_marts/dim_customers_v2"


def test_unresolved_columns_are_named_in_the_plan_and_left_out(stage: Stage) -> None:
    def edit(manifest: dict[str, Any]) -> None:
        node = manifest["nodes"]["model.sales.fct_daily_sales"]
        # a relation fct_daily_sales does not depend on in dbt: its columns cannot be traced
        node["compiled_code"] = (
            'select o.channel, x.secret as net_revenue from "sales_marts"."fct_orders" as o '
            'join "elsewhere"."secrets" as x on o.order_id = x.order_id'
        )

    edit_manifest(stage.artifacts, "sales", edit)
    plan = stage.prepare().plan
    (action,) = [
        a
        for a in plan.actions
        if a.kind == "lineage" and a.unique_id == "model.sales.fct_daily_sales"
    ]
    prefix = "column lineage not resolved for "
    reasons: dict[str, str] = {}
    lines = [d.removeprefix(prefix).split(": ", 1) for d in action.details]
    for columns, reason in lines:
        for column in columns.split(" (+")[0].split(", "):
            reasons[column] = reason
    assert len({reason for _, reason in lines}) == len(lines)  # one line per reason
    assert (
        reasons["net_revenue"] == "reads elsewhere.secrets, which is not a dbt node it depends on"
    )
    # the columns this SQL no longer selects are named too, never guessed
    assert reasons["orders"] == "not among the columns sqlglot finds in the final select"
    _plan, result = stage.publish()
    assert result.failures == []
    event = _posted_events(stage)["sales.fct_daily_sales"]
    fields = event["outputs"][0]["facets"]["columnLineage"]["fields"]
    assert "net_revenue" not in fields  # never guessed
    assert fields["channel"]["inputFields"][0]["name"] == "table/sales_marts/fct_orders"


def test_an_event_over_postlineageevents_limit_posts_without_column_descriptions(
    stage: Stage,
) -> None:
    """PostLineageEvent takes 300,000 bytes: a wide, wordy table's event leaves out the schema
    facet's column descriptions (and says so in the plan) instead of failing the post."""
    uid = "model.sales.stg_pos__orders"

    def edit(manifest: dict[str, Any]) -> None:
        columns = manifest["nodes"][uid]["columns"]
        for column in columns.values():
            column["description"] = "A long, careful explanation. " * (12_000 // len(columns))

    edit_manifest(stage.artifacts, "sales", edit)
    plan = stage.prepare().plan
    (action,) = [a for a in plan.actions if a.kind == "lineage" and a.unique_id == uid]
    (note,) = [d for d in action.details if d.startswith("left out")]
    assert note.startswith("left out the schema facet's column descriptions: the event had ")
    assert note.endswith("bytes, PostLineageEvent takes 300,000")
    _plan, result = stage.publish()
    assert result.failures == []
    event = _posted_events(stage)["sales.stg_pos__orders"]
    facets = event["outputs"][0]["facets"]
    assert facets["schema"]["fields"] and not any(
        f.get("description") for f in facets["schema"]["fields"]
    )
    assert facets["columnLineage"]["fields"]  # the lineage itself is kept
