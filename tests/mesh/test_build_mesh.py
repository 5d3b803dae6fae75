"""A full mesh build from scratch on DuckDB, checked against values computed from the raw data."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from mesh.runner import DomainRun
from tests.mesh import expected
from tests.meshcopy import assert_upstream_first

pytestmark = pytest.mark.integration


def query(root: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(root / "warehouse" / "mesh.duckdb")) as con:
        return con.execute(sql).fetchall()


def test_every_domain_builds_in_dependency_order(built_mesh: tuple[Path, list[DomainRun]]) -> None:
    root, runs = built_mesh
    assert_upstream_first([run.domain for run in runs], root)
    assert all(run.success for run in runs), [run.failures for run in runs]
    for run in runs:
        # every domain in the house style has models, data tests and a unit test
        assert run.count("model") >= 2
        assert run.count("test") >= 6
        assert run.count("unit_test") >= 1
        assert not run.failures
    assert sum(run.count("model") for run in runs) >= 21  # the three retail domains at least


def test_dim_customers_matches_raw_crm(built_mesh: tuple[Path, list[DomainRun]]) -> None:
    root, _ = built_mesh
    raw = root / "data" / "raw"
    tiers = expected.loyalty_tiers(raw)
    got = dict(
        query(root, "select customer_id, loyalty_tier from customers_marts.dim_customers_v2")
    )
    assert got == tiers
    v1 = dict(query(root, "select customer_id, full_name from customers_marts.dim_customers_v1"))
    for index in (16, 18, 22):  # ids 17, 19, 23: padded with spaces, tabs and newlines, CR LF
        customer = expected.rows(raw, "crm/customers")[index]
        first, last = (expected.trimmed(customer[k]) for k in ("first_name", "last_name"))
        assert v1[customer["id"]] == f"{first} {last}"


def test_dim_customers_cleans_whitespace_and_addresses_without_at(
    built_mesh: tuple[Path, list[DomainRun]],
) -> None:
    root, _ = built_mesh
    raw = expected.rows(root / "data" / "raw", "crm/customers")
    # The raw data carries the edge cases: tabs, newlines, carriage returns, no '@'.
    assert any("\t" in c["first_name"] and "\n" in c["first_name"] for c in raw)
    assert any(c["last_name"].endswith("\r\n") for c in raw)
    assert any("@" not in c["email"] for c in raw)
    got = {
        row[0]: row[1:]
        for row in query(
            root,
            "select customer_id, first_name, last_name, email, email_domain "
            "from customers_marts.dim_customers_v2",
        )
    }
    want = {
        c["id"]: (
            expected.trimmed(c["first_name"]),
            expected.trimmed(c["last_name"]),
            expected.trimmed(c["email"]).lower(),
            expected.email_domain(c["email"]),
        )
        for c in raw
    }
    assert got == want


def test_fct_orders_totals_match_raw_order_lines(built_mesh: tuple[Path, list[DomainRun]]) -> None:
    root, _ = built_mesh
    totals = expected.order_totals(root / "data" / "raw")
    got = {
        order_id: (net, units, is_revenue)
        for order_id, net, units, is_revenue in query(
            root, "select order_id, net_amount, units, is_revenue from sales_marts.fct_orders"
        )
    }
    want = {k: (v["net_amount"], v["units"], v["is_revenue"]) for k, v in totals.items()}
    assert got == want
    # Half cents in raw prices and discounts round up (1.005 -> 1.01), as money() does.
    items = expected.rows(root / "data" / "raw", "pos/order_items")
    assert any(round(i["discount_amount"] * 1000) % 10 == 5 for i in items)


def test_fct_orders_updated_at_is_the_latest_change_of_the_order_or_a_line(
    built_mesh: tuple[Path, list[DomainRun]],
) -> None:
    root, _ = built_mesh
    raw = root / "data" / "raw"
    totals = expected.order_totals(raw)
    got = dict(query(root, "select order_id, updated_at from sales_marts.fct_orders"))
    assert got == {k: v["updated_at"] for k, v in totals.items()}
    orders = {o["id"]: o["updated_at"] for o in expected.rows(raw, "pos/orders")}
    later = [
        i for i in expected.rows(raw, "pos/order_items") if i["updated_at"] > orders[i["order_id"]]
    ]
    assert len(later) > 50  # lines changed after their order: the watermark must see them


def test_campaign_performance_matches_last_touch_attribution(
    built_mesh: tuple[Path, list[DomainRun]],
) -> None:
    root, _ = built_mesh
    want = expected.campaign_performance(root / "data" / "raw")
    got = query(
        root,
        "select campaign_id, spend_amount, attributed_orders, attributed_revenue, "
        "return_on_ad_spend from marketing_marts.fct_campaign_performance",
    )
    assert len(got) == len(want)
    assert sum(row[2] for row in got) > 0, "attribution credited no order at all"
    for campaign_id, spend, orders, revenue, roas in got:
        assert (spend, orders, revenue) == (
            want[campaign_id]["spend"],
            want[campaign_id]["orders"],
            want[campaign_id]["revenue"],
        )
        if spend:
            assert roas == pytest.approx(float(revenue / spend))


def test_incremental_rebuild_is_idempotent(built_mesh: tuple[Path, list[DomainRun]]) -> None:
    """A second run of the incremental fct_orders merges, never duplicates."""
    from mesh.build import MeshInvocation, run_mesh
    from mesh.project import discover_domains

    root, _ = built_mesh
    before = query(root, "select count(*), sum(net_amount) from sales_marts.fct_orders")
    # The session's build is shared: keep its artifacts for the tests that read them (a
    # one-model build rewrites the manifest with the compiled SQL of that model alone).
    target = discover_domains(root)["sales"].target_dir
    kept = {p: p.read_bytes() for p in target.glob("*.json")}
    try:
        runs = run_mesh(
            root, MeshInvocation(("build",), selectors=("sales",), dbt_args=("-s", "fct_orders"))
        )
    finally:
        for path, data in kept.items():
            path.write_bytes(data)
    assert runs[0].success
    assert query(root, "select count(*), sum(net_amount) from sales_marts.fct_orders") == before
    assert before[0][1] > Decimal("0")
