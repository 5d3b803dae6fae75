"""Slim CI's cross-domain selection and deferral state, on small hand-made manifests.

The end-to-end checks against real builds are in test_ci_flow.py; these pin the two pieces
that decide what a downstream domain builds and which tables its refs read.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mesh.ci.slim import children_of, defer_state


def node(uid: str, *parents: str, fqn: list[str] | None = None) -> dict[str, Any]:
    resource_type, package, name = uid.split(".")[:3]
    return {
        "unique_id": uid,
        "resource_type": resource_type,
        "package_name": package,
        "fqn": fqn or [package, name],
        "depends_on": {"nodes": list(parents), "macros": []},
    }


MANIFEST = {
    "nodes": {
        n["unique_id"]: n
        for n in (
            # what dbt-loom injected from upstream domains
            node("model.sales.fct_orders"),
            node("model.customers.dim_customers.v2", fqn=["customers", "dim_customers", "v2"]),
            # the domain's own nodes
            node("model.marketing.int_sales_orders", "model.sales.fct_orders"),
            node(
                "model.marketing.fct_acquisition",
                "model.customers.dim_customers.v2",
                fqn=["marketing", "marts", "fct_acquisition"],
            ),
            node("model.marketing.dim_campaigns"),
            node(
                "test.marketing.relationships_x",
                "model.marketing.dim_campaigns",
                "model.sales.fct_orders",
            ),
        )
    }
}


def test_children_of_selects_the_domains_readers_of_rebuilt_models_only() -> None:
    assert children_of(MANIFEST, "marketing", {"model.sales.fct_orders"}) == [
        "marketing.int_sales_orders+",
        "marketing.relationships_x+",
    ]
    assert children_of(MANIFEST, "marketing", {"model.customers.dim_customers.v2"}) == [
        "marketing.marts.fct_acquisition+"
    ]
    # an upstream model that no model of the domain reads selects nothing
    assert children_of(MANIFEST, "marketing", {"model.sales.fct_daily_sales"}) == []
    # injected nodes are never selected as the domain's own
    assert children_of(MANIFEST, "sales", {"model.sales.fct_orders"}) == []


def test_defer_state_drops_only_the_rebuilt_upstream_models(tmp_path: Path) -> None:
    state = tmp_path / "prod" / "marketing"
    state.mkdir(parents=True)
    (state / "manifest.json").write_text(json.dumps(MANIFEST))
    # nothing rebuilt that this domain knows: defer to production's own folder
    assert defer_state(state, {"model.sales.fct_daily_sales"}, tmp_path / "work") == state
    folder = defer_state(
        state, {"model.sales.fct_orders", "model.sales.fct_daily_sales"}, tmp_path / "work"
    )
    assert folder == tmp_path / "work"
    kept = json.loads((folder / "manifest.json").read_text())["nodes"]
    assert set(kept) == set(MANIFEST["nodes"]) - {"model.sales.fct_orders"}
    # production's own copy is untouched
    assert "model.sales.fct_orders" in json.loads((state / "manifest.json").read_text())["nodes"]
