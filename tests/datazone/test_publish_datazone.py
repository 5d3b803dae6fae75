"""`mesh publish datazone` end to end over HTTP: the real mesh build, Glue in moto, the DataZone
emulator; consumers search, subscribe and read lineage; re-runs write nothing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from publish.datazone.publisher import apply
from tests.datazone.conftest import Stage, arn, data_products, edit_manifest, published_models

pytestmark = pytest.mark.integration

PUBLIC = {
    "model.customers.dim_customers.v1": ("customers_marts", "dim_customers_v1"),
    "model.customers.dim_customers.v2": ("customers_marts", "dim_customers_v2"),
    "model.customers.fct_customer_signups": ("customers_marts", "fct_customer_signups"),
    "model.sales.fct_orders": ("sales_marts", "fct_orders"),
    "model.sales.dim_products": ("sales_marts", "dim_products"),
    "model.marketing.dim_campaigns": ("marketing_marts", "dim_campaigns"),
    "model.marketing.fct_campaign_performance": ("marketing_marts", "fct_campaign_performance"),
}


def _manifest_node(stage: Stage, domain: str, unique_id: str) -> dict[str, Any]:
    manifest = json.loads((stage.artifacts / domain / "manifest.json").read_text())
    return manifest["nodes"][unique_id]


def _asset(stage: Stage, database: str, table: str) -> dict[str, Any]:
    return stage.dz().get_asset(
        domainIdentifier=stage.domain_id, identifier=f"externalIdentifer%2F{arn(database, table)}"
    )


def _listed_names(stage: Stage, **params: Any) -> set[str]:
    hits = stage.pages("search_listings", **params)
    return {next(iter(h.values()))["name"] for h in hits}


def test_publish_end_to_end(stage: Stage) -> None:
    _plan, result = stage.publish()
    assert result.failures == [] and result.skipped == []
    writes = stage.admin.writes()
    # every public, contracted model: the data source imported it, the publisher adopted it
    assert writes.get("CreateAsset", 0) == 0
    assert writes["CreateAssetRevision"] == published_models(stage.artifacts) >= len(PUBLIC)
    assert writes["CreateDataProduct"] == data_products(stage.root) >= 3
    for database, table in PUBLIC.values():
        assert _asset(stage, database, table)["revision"] == "2"  # the import, then ours
    assert writes["CreateGlossary"] == 1 and writes["CreateGlossaryTerm"] == 11

    # assets: descriptions, terms, column business metadata and the dbt form, as in dbt
    orders = _asset(stage, "sales_marts", "fct_orders")
    node = _manifest_node(stage, "sales", "model.sales.fct_orders")
    assert orders["description"] == node["description"].strip()
    forms = {f["formName"]: json.loads(f["content"]) for f in orders["formsOutput"]}
    assert {"GlueTableForm", "ColumnBusinessMetadataForm", "dbt_model"} <= set(forms)
    dbt = forms["dbt_model"]
    assert dbt["uniqueId"] == "model.sales.fct_orders"
    assert dbt["owner"] == node["config"]["meta"]["owner"]
    assert dbt["tier"] == "gold" and dbt["contractEnforced"] is True
    assert dbt["materialization"] == "incremental"
    assert dbt["testStatus"] == "pass" and dbt["lastSuccessfulBuild"]
    columns = {c["name"]: c for c in forms["ColumnBusinessMetadataForm"]["columnsBusinessMetadata"]}
    assert set(columns) == {name.lower() for name in node["columns"]}
    for name, column in node["columns"].items():
        assert columns[name.lower()].get("description", "") == column["description"].strip()
    terms = {t["name"]: t["id"] for t in _terms(stage)}
    assert sorted(orders["glossaryTerms"]) == sorted(terms[n] for n in ("Order", "Net Revenue"))
    # the protected mart the data source also imported is not touched
    daily = _asset(stage, "sales_marts", "fct_daily_sales")
    assert daily["revision"] == "1" and "listing" not in daily

    # a consumer finds the data products by business term, with owner and forms
    consumer = stage.dz("AKIDCONSUMER")
    hits = stage.pages("search_listings", searchText="Customer Acquisition")
    products = [h["dataProductListing"] for h in hits if "dataProductListing" in h]
    assert [p["name"] for p in products] == ["Customer 360"]
    listing = consumer.get_listing(
        domainIdentifier=stage.domain_id, identifier=products[0]["listingId"]
    )
    product_forms = json.loads(listing["item"]["dataProductListing"]["forms"])
    assert product_forms["dbt_data_product"]["owner"] == "customer-data@retail.example"
    assert len(listing["item"]["dataProductListing"]["items"]) == 2
    assert _listed_names(stage, searchText="Return on Ad Spend") >= {
        "Campaign Performance",
        "fct_campaign_performance",
    }
    assert "Orders and Products" in _listed_names(stage, searchText="Net Revenue")
    assert _listed_names(stage, searchText="fct_daily_sales") == set()

    # subscribe to the sales product and get it accepted by the producer
    consumer_project = consumer.create_project(domainIdentifier=stage.domain_id, name="analysts")
    sales_hits = stage.pages("search_listings", searchText="Orders and Products")
    sales_listing = next(h["dataProductListing"] for h in sales_hits if "dataProductListing" in h)
    request = consumer.create_subscription_request(
        domainIdentifier=stage.domain_id,
        requestReason="Revenue reporting",
        subscribedPrincipals=[{"project": {"identifier": consumer_project["id"]}}],
        subscribedListings=[{"identifier": sales_listing["listingId"]}],
    )
    accepted = stage.dz().accept_subscription_request(
        domainIdentifier=stage.domain_id, identifier=request["id"]
    )
    assert accepted["status"] == "ACCEPTED"

    # lineage: sales.fct_orders feeds marketing's int_sales_orders (a cross-domain edge)
    dz = stage.dz()
    orders_node = dz.get_lineage_node(
        domainIdentifier=stage.domain_id,
        identifier="arn:aws:glue:us-east-1:123456789012/table/sales_marts/fct_orders",
    )
    downstream_jobs = {
        dz.get_lineage_node(domainIdentifier=stage.domain_id, identifier=n["id"])["name"]
        for n in orders_node["downstreamNodes"]
    }
    assert "marketing.int_sales_orders" in downstream_jobs
    assert "sales.fct_daily_sales" in downstream_jobs

    # a second publish of the same artifacts writes nothing
    stage.admin.reset_calls()
    again, _ = stage.publish()
    assert again.actions == []
    assert stage.admin.writes() == {}


def _terms(stage: Stage) -> list[dict[str, Any]]:
    return [h["glossaryTermItem"] for h in stage.pages("search", searchScope="GLOSSARY_TERM")]


def test_changed_column_description_makes_one_revision_and_one_listing_update(
    stage: Stage,
) -> None:
    stage.publish()
    before = _asset(stage, "sales_marts", "fct_orders")

    def edit(manifest: dict[str, Any]) -> None:
        column = manifest["nodes"]["model.sales.fct_orders"]["columns"]["order_id"]
        column["description"] = "The order's id, as the till printed it."

    edit_manifest(stage.artifacts, "sales", edit)
    stage.admin.reset_calls()
    _plan, result = stage.publish()
    assert result.failures == []
    assert stage.admin.writes() == {"CreateAssetRevision": 1, "CreateListingChangeSet": 1}
    after = _asset(stage, "sales_marts", "fct_orders")
    assert int(after["revision"]) == int(before["revision"]) + 1
    columns = json.loads(
        next(f for f in after["formsOutput"] if f["formName"] == "ColumnBusinessMetadataForm")[
            "content"
        ]
    )["columnsBusinessMetadata"]
    assert columns[0] == {
        "name": "order_id",
        "description": "The order's id, as the till printed it.",
        "glossaryTerms": [t["id"] for t in _terms(stage) if t["name"] == "Order"],
    }
    listing = stage.dz().get_listing(
        domainIdentifier=stage.domain_id, identifier=after["listing"]["listingId"]
    )
    assert listing["item"]["assetListing"]["assetRevision"] == after["revision"]


def test_deprecated_version_past_its_date_is_unpublished(stage: Stage) -> None:
    stage.publish()
    assert "dim_customers_v1" in _listed_names(stage, searchText="dim_customers_v1")
    stage.admin.reset_calls()
    plan, result = stage.publish(today=date(2027, 7, 1))
    assert result.failures == []
    assert [(a.stage, a.name) for a in plan.actions] == [
        ("unpublish", "model.customers.dim_customers.v1")
    ]
    assert stage.admin.writes() == {"CreateListingChangeSet": 1}
    v1 = _asset(stage, "customers_marts", "dim_customers_v1")
    assert v1["listing"]["listingStatus"] == "INACTIVE"
    assert _listed_names(stage, searchText="dim_customers_v1") == set()
    assert "dim_customers_v2" in _listed_names(stage, searchText="dim_customers_v2")
    stage.admin.reset_calls()
    stage.publish(today=date(2027, 7, 1))
    assert stage.admin.writes() == {}


def test_model_no_longer_public_or_removed_is_unpublished_and_reported(
    stage: Stage, repo_copy: Path
) -> None:
    stage.publish()

    def edit(manifest: dict[str, Any]) -> None:
        manifest["nodes"]["model.marketing.dim_campaigns"]["access"] = "protected"
        manifest["nodes"]["model.marketing.dim_campaigns"]["config"]["access"] = "protected"
        del manifest["nodes"]["model.marketing.fct_campaign_performance"]

    edit_manifest(stage.artifacts, "marketing", edit)
    (repo_copy / "domains" / "marketing" / "data_products.yml").unlink()  # product dropped
    plan = stage.prepare(root=repo_copy)
    ops = sorted((a.stage, a.op, a.name) for a in plan.plan.actions)
    assert ("unpublish", "unpublish", "model.marketing.dim_campaigns") in ops
    assert ("unpublish", "unpublish", "model.marketing.fct_campaign_performance") in ops
    assert ("unpublish", "unpublish", "Campaign Performance") in ops
    assert plan.plan.removed == ["model.marketing.fct_campaign_performance"]
    result = apply(plan)
    assert result.failures == []
    # unpublished, never deleted
    removed = _asset(stage, "marketing_marts", "fct_campaign_performance")
    assert removed["listing"]["listingStatus"] == "INACTIVE"
