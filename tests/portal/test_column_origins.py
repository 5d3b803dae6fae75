"""The portal shows where each column of a public model comes from: its input columns and the
source columns at the far end, across domains (column lineage from the compiled SQL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mesh.build import MeshInvocation, run_mesh
from mesh.portal.collect import Portal, collect
from mesh.portal.columns import ColumnOrigin
from mesh.portal.render import render_site
from tests.portal.conftest import DOMAINS

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def portal(docs_mesh: Path) -> Portal:
    """The portal over freshly compiled manifests: `dbt source freshness`, which other tests run
    in the built mesh, rewrites manifest.json without compiled SQL; `docs generate` compiles (and
    would replace the build's run results, which are put back)."""
    targets = [docs_mesh / "domains" / d / "target" for d in DOMAINS]
    builds = {t: (t / "run_results.json").read_bytes() for t in targets}
    docs = run_mesh(docs_mesh, MeshInvocation(("docs", "generate"), dbt_args=("--quiet",)))
    for target, saved in builds.items():
        (target / "run_results.json").write_bytes(saved)
    assert all(run.success for run in docs), [run.failures for run in docs]
    return collect(docs_mesh)


def _origin(portal: Portal, key: str, column: str) -> ColumnOrigin:
    found = next(c for c in portal.model(key).columns if c.name == column)
    assert found.origin is not None, f"{key}.{column} has no lineage"
    return found.origin


def test_columns_trace_to_their_sources_across_domains(portal: Portal) -> None:
    # hand-traced through the SQL: stg_crm__customers renames crm.customers.id
    customer = _origin(portal, "customers.dim_customers.v2", "customer_id")
    assert customer.inputs == ("customers.int_customers_joined.customer_id",)
    assert customer.sources == ("crm.customers.id",)
    # marketing's revenue comes from sales' order items, through sales.fct_orders (dbt-loom)
    revenue = _origin(portal, "marketing.fct_campaign_performance", "attributed_revenue")
    assert revenue.inputs == ("marketing.int_orders_attributed_to_campaigns.net_amount",)
    assert revenue.sources == (
        "pos.order_items.discount_amount",
        "pos.order_items.quantity",
        "pos.order_items.unit_price",
    )
    roas = _origin(portal, "marketing.fct_campaign_performance", "return_on_ad_spend")
    assert "ads.ad_spend.spend" in roas.sources and "pos.order_items.quantity" in roas.sources
    # an audit column computed from nothing has no input column, and says so
    loaded = _origin(portal, "marketing.fct_campaign_performance", "_loaded_at")
    assert (loaded.inputs, loaded.sources, loaded.unresolved) == ((), (), None)
    # every column of every public model resolves
    unresolved = [
        (m.key, c.name)
        for m in portal.models
        for c in m.columns
        if c.origin and c.origin.unresolved
    ]
    assert unresolved == []


def test_the_page_shows_each_columns_origin(portal: Portal, tmp_path: Path) -> None:
    render_site(portal, tmp_path / "site")
    html = (tmp_path / "site" / "index.html").read_text()
    assert "<th>Comes from</th>" in html
    assert '<span class="mono upstream-column">marketing.int_orders_attributed_to_campaigns' in html
    assert '<span class="mono source-column">pos.order_items.unit_price</span>' in html
