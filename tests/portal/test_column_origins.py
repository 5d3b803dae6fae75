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


def test_columns_trace_to_public_columns_across_domains(portal: Portal) -> None:
    # hand-traced through the SQL: marketing's revenue is sales' public fct_orders.net_amount,
    # through two private marketing models (dbt-loom's cross-domain ref in between)
    revenue = _origin(portal, "marketing.fct_campaign_performance", "attributed_revenue")
    assert (revenue.public, revenue.from_sources) == (("sales.fct_orders.net_amount",), False)
    roas = _origin(portal, "marketing.fct_campaign_performance", "return_on_ad_spend")
    assert (roas.public, roas.from_sources) == (("sales.fct_orders.net_amount",), True)
    # customers' dimension comes from its own sources through private models: said, not named
    customer = _origin(portal, "customers.dim_customers.v2", "customer_id")
    assert (customer.public, customer.from_sources) == ((), True)
    # an audit column computed from nothing has no input column
    loaded = _origin(portal, "marketing.fct_campaign_performance", "_loaded_at")
    assert (loaded.public, loaded.from_sources, loaded.unresolved) == ((), False, False)
    # every column of every public model resolves
    origins = [(m.key, c.name, c.origin) for m in portal.models for c in m.columns]
    assert [(key, name) for key, name, origin in origins if origin and origin.unresolved] == []
    # only public models are named (the site shows consumers nothing else)
    public = {m.key for m in portal.models}
    named = {p.rsplit(".", 1)[0] for _, _, o in origins if o for p in o.public}
    assert named and named <= public


def test_the_page_shows_each_columns_origin(portal: Portal, tmp_path: Path) -> None:
    render_site(portal, tmp_path / "site")
    html = (tmp_path / "site" / "index.html").read_text()
    assert "<th>Comes from</th>" in html
    assert '<span class="mono upstream-column">sales.fct_orders.net_amount</span>' in html
    assert "the domain's sources" in html
    assert "int_orders_attributed_to_campaigns" not in html.split("<script", 1)[0]
