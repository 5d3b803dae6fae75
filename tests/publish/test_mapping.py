"""The mapping stage: one place maps a dbt fact to what each catalog stores (fast unit tests on a
hand-made two-domain mesh; the integration tests check the same on real builds)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from dbt.adapters.athena.utils import clean_sql_comment, ellipsis_comment

from publish.datazone.forms import MANAGED_BY
from publish.mapping import (
    COMMENT_LIMIT,
    MeshFacts,
    Text,
    datazone_columns,
    datazone_form,
    glue_parameters,
    map_mesh,
    map_products,
    readme,
)
from publish.model import (
    BuildResult,
    Column,
    Domain,
    Model,
    Relation,
    SourceFreshness,
)
from publish.model import (
    TestResult as DbtTest,
)
from publish.products import ProductSpec

DESCRIPTION = "  One row per order.\n\n  Amounts are in euros  \n"
COLUMN_TEXT = "The   order's\n  total | in euros. "


def _model(domain: str, name: str, depends_on: tuple[str, ...], **kwargs: object) -> Model:
    fields: dict[str, object] = {
        "unique_id": f"model.{domain}.{name}",
        "domain": domain,
        "name": name,
        "description": "",
        "materialized": "table",
        "relation": Relation(None, f"{domain}_marts", name),
        "depends_on": depends_on,
        **kwargs,
    }
    return Model(**fields)  # type: ignore[arg-type]


def _domain(name: str, models: tuple[Model, ...], sources: dict[str, str]) -> Domain:
    return Domain(
        name=name,
        artifacts_dir=Path("/nowhere") / name,
        description="",
        owners=(),
        models=models,
        sources=tuple(
            SourceFreshness(uid, status, "2026-11-01T00:00:00+00:00", None)
            for uid, status in sources.items()
        ),
    )


@pytest.fixture
def mesh() -> MeshFacts:
    crm = _domain(
        "crm",
        (
            _model("crm", "stg_customers", ("source.crm.raw.customers",), access="private"),
            _model(
                "crm",
                "dim_customers",
                ("model.crm.stg_customers",),
                access="public",
                contract_enforced=True,
            ),
        ),
        {"source.crm.raw.customers": "error"},
    )
    tests = (
        DbtTest("test.shop.a", "unique", "order_id", "pass"),
        DbtTest("test.shop.b", "not_null", "order_id", "pass"),
        DbtTest("test.shop.c", "accepted_values", "status", "warn"),
    )
    shop = _domain(
        "shop",
        (
            _model("shop", "stg_orders", ("source.shop.raw.orders",), access="private"),
            _model(
                "shop",
                "int_orders",
                ("model.shop.stg_orders",),
                materialized="ephemeral",
                relation=None,
                access="private",
            ),
            _model(
                "shop",
                "fct_orders",
                ("model.shop.int_orders", "model.crm.dim_customers"),
                description=DESCRIPTION,
                columns=(
                    Column("ORDER_ID", COLUMN_TEXT, "bigint", {"glossary_terms": "Order"}),
                    Column("status", "", "varchar", documented=False),
                ),
                meta={"owner": "orders@example.com", "tier": "gold", "glossary_terms": ["Order"]},
                access="public",
                contract_enforced=True,
                version="2",
                latest_version="2",
                tests=tests,
                build=BuildResult("success", "2026-11-02T05:00:00Z", "inv-1"),
                source_file="models/marts/_marts.yml",
                tags=("finance",),
            ),
            _model("shop", "fct_daily", ("model.shop.fct_orders",), access="protected"),
            _model("shop", "fct_open", ("model.shop.stg_orders",), access="public"),
            _model("shop", "fct_orders_v1", (), access="public", contract_enforced=True),
            _model(
                "shop",
                "hubspot__deals",
                (),
                access="public",
                contract_enforced=True,
                package_name="hubspot",
            ),
        ),
        {"source.shop.raw.orders": "pass"},
    )
    return map_mesh([crm, shop])


def test_freshness_is_of_every_source_upstream_across_domains(mesh: MeshFacts) -> None:
    facts = {f.unique_id: f for f in mesh.models}
    orders = facts["model.shop.fct_orders"]
    # through staging, an ephemeral model and another domain's public model: the worst status
    assert orders.sources == {"source.shop.raw.orders", "source.crm.raw.customers"}
    assert orders.freshness.status == "error"
    assert orders.freshness.sources == ("raw.customers", "raw.orders")
    assert facts["model.shop.stg_orders"].freshness.status == "pass"
    assert facts["model.shop.fct_orders_v1"].freshness.status == "no_sources"
    # what DataZone stores is that same status
    form = datazone_form(orders, docs_url=None, managed_by=MANAGED_BY)
    assert form["sourceFreshness"] == "error"
    assert "sourceFreshness" not in datazone_form(
        facts["model.shop.fct_orders_v1"], docs_url=None, managed_by=MANAGED_BY
    )


def test_one_text_and_each_targets_cut(mesh: MeshFacts) -> None:
    orders = next(f for f in mesh.models if f.unique_id == "model.shop.fct_orders")
    text = orders.description
    assert text.full == DESCRIPTION.strip()  # DataZone, lineage, the portal
    assert text.glue.value == ellipsis_comment(clean_sql_comment(DESCRIPTION), 2048)  # Glue
    (column,) = orders.documented_columns
    assert column.description.full == COLUMN_TEXT.strip()
    assert column.description.glue.value == clean_sql_comment(COLUMN_TEXT)
    assert column.description.one_line == "The order's total | in euros."  # the readme's cell
    assert datazone_columns(orders) == [
        {
            "name": "order_id",
            "description": COLUMN_TEXT.strip(),
            "terms": ("Order",),
            "data_type": "bigint",
        }
    ]
    long = Text.of("é" * 300, COMMENT_LIMIT).glue
    assert long.truncated and len(long.value.encode()) <= COMMENT_LIMIT


def test_tests_owner_and_terms_once_for_glue_datazone_and_readme(mesh: MeshFacts) -> None:
    orders = next(f for f in mesh.models if f.unique_id == "model.shop.fct_orders")
    assert (orders.tests.status, orders.tests.passed_of_total) == ("warn", "2/3")
    params = glue_parameters(orders, "https://docs.example/")
    # build facts (test status, build time) are data-quality points, never catalog content
    assert not {"mesh:test_status", "mesh:tests_passed", "mesh:last_build_at"} & set(params)
    assert params["mesh:owner"] == "orders@example.com" and params["mesh:tier"] == "gold"
    assert params["mesh:glossary_terms"] == '["Order"]'
    assert params["mesh:docs_url"] == "https://docs.example/#!/model/model.shop.fct_orders"
    form = datazone_form(orders, docs_url=None, managed_by=MANAGED_BY)
    assert not {"testStatus", "testsPassed", "lastSuccessfulBuild"} & set(form)
    assert form["owner"] == "orders@example.com" and form["tags"] == ["finance"]
    assert form["upstreamModels"] == ["model.crm.dim_customers", "model.shop.int_orders"]
    text = readme(orders, None)
    assert "Tests" not in text
    assert "| ORDER_ID | bigint | The order's total | in euros. |" in text
    assert orders.column_terms == ()  # `Order` is the model's own term too
    assert orders.file == "domains/shop/models/marts/_marts.yml"


def test_a_wide_wordy_tables_readme_leaves_its_column_table_to_the_schema() -> None:
    """The readme lives in a DataZone form (300,000 characters at most): a column table that
    would take most of it is replaced by a line pointing at the asset's schema."""
    columns = tuple(Column(f"c{i}", "A long explanation. " * 40, "varchar") for i in range(80))
    wide = _model("shop", "dim_wide", (), columns=columns, access="public")
    (facts,) = map_mesh([_domain("shop", (wide,), {})]).models
    text = readme(facts, None)
    assert "_80 documented columns: see the asset's schema._" in text
    assert "| c0 |" not in text and len(text) < 1_000
    narrow = _model("shop", "dim_narrow", (), columns=columns[:3], access="public")
    (facts,) = map_mesh([_domain("shop", (narrow,), {})]).models
    assert "| c0 | varchar | A long explanation." in readme(facts, None)


def test_why_a_model_is_not_an_asset(mesh: MeshFacts) -> None:
    reasons = {f.unique_id: (f.not_an_asset.code if f.not_an_asset else None) for f in mesh.models}
    assert reasons == {
        "model.crm.stg_customers": "not_public",
        "model.crm.dim_customers": None,
        "model.shop.stg_orders": "not_public",
        "model.shop.int_orders": "ephemeral",
        "model.shop.fct_orders": None,
        "model.shop.fct_daily": "not_public",
        "model.shop.fct_open": "no_contract",
        "model.shop.fct_orders_v1": None,
        "model.shop.hubspot__deals": "from_package",
    }


def test_product_items_resolve_to_the_latest_version_or_the_one_named(mesh: MeshFacts) -> None:
    spec = ProductSpec(name="Orders", items=["fct_orders", "fct_orders.v2", "fct_daily", "nope"])
    (product,) = map_products("shop", [spec], mesh.of_domain("shop"))
    assert [(i.ref, i.key) for i in product.items] == [
        ("fct_orders", "shop.fct_orders"),
        ("fct_orders.v2", "shop.fct_orders"),
        ("fct_daily", "shop.fct_daily"),
        ("nope", None),
    ]


def test_deprecation_date_is_compared_with_the_day_given() -> None:
    model = _model("shop", "old", (), deprecation_date="2027-06-30T00:00:00Z")
    (facts,) = map_mesh([_domain("shop", (model,), {})]).models
    assert not facts.past_deprecation(date(2027, 6, 30))
    assert facts.past_deprecation(date(2027, 7, 1))
