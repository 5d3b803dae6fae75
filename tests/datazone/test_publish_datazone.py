"""`mesh publish datazone` end to end over HTTP: the real mesh build, Glue in moto, the DataZone
emulator; consumers search, subscribe and read lineage; re-runs write nothing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

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
    # build facts are data-quality points and lineage runs, never asset content
    assert not {"testStatus", "testsPassed", "lastSuccessfulBuild"} & set(dbt)
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
    assert [(a.kind, a.op, a.name) for a in plan.actions] == [
        ("asset_listing", "unpublish", "model.customers.dim_customers.v1")
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
    ops = sorted((a.kind, a.op, a.name) for a in plan.plan.actions)
    assert ("asset_listing", "unpublish", "model.marketing.dim_campaigns") in ops
    assert ("asset_listing", "unpublish", "model.marketing.fct_campaign_performance") in ops
    assert ("product_listing", "unpublish", "Campaign Performance") in ops
    assert [w for w in plan.plan.warnings if w.startswith("removed from dbt")] == [
        "removed from dbt: model.marketing.fct_campaign_performance (its asset is unpublished, "
        "never deleted)"
    ]
    # the plan says why the model is no longer an asset
    (skip,) = [s for s in plan.plan.skipped if s.name == "model.marketing.dim_campaigns"]
    assert (skip.code, skip.reason) == ("not_public", "not public (protected)")
    result = plan.apply()
    assert result.failures == []
    # unpublished, never deleted
    removed = _asset(stage, "marketing_marts", "fct_campaign_performance")
    assert removed["listing"]["listingStatus"] == "INACTIVE"


def _upstream_sources(manifests: dict[str, dict[str, Any]], unique_id: str) -> set[str]:
    """The sources upstream of a model, walked in the manifests themselves (each domain's own
    nodes; dbt-loom's copies of other domains' models carry no upstream)."""
    nodes = {
        uid: node
        for domain, manifest in manifests.items()
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["package_name"] == domain
    }
    found, stack, seen = set(), [unique_id], set()
    while stack:
        uid = stack.pop()
        if uid in seen:
            continue
        seen.add(uid)
        for dep in nodes[uid]["depends_on"]["nodes"] if uid in nodes else ():
            if dep.startswith("source."):
                found.add(dep)
            else:
                stack.append(dep)
    return found


def test_source_freshness_of_an_asset_is_the_portals(stage: Stage) -> None:
    """One definition of "freshness of the sources upstream of a model": the dbt form says what
    the portal says (before, the form read only a model's direct sources: empty on every mart)."""
    from mesh.portal.collect import collect

    manifests = {
        d: json.loads((stage.artifacts / d / "manifest.json").read_text())
        for d in ("customers", "sales", "marketing")
    }
    stale = "source.sales.pos.orders"  # upstream of sales.fct_orders and marketing's marts
    for domain, manifest in manifests.items():
        results = [
            {
                "unique_id": uid,
                "status": "warn" if uid == stale else "pass",
                "max_loaded_at": "2026-11-01T00:00:00+00:00",
                "snapshotted_at": "2026-11-02T06:00:00+00:00",
            }
            for uid in manifest["sources"]
            if uid.split(".")[1] == domain
        ]
        metadata = {"dbt_schema_version": "https://schemas.getdbt.com/dbt/sources/v3.json"}
        document = {"metadata": metadata, "results": results, "elapsed_time": 0.1}
        (stage.artifacts / domain / "sources.json").write_text(json.dumps(document))

    _plan, result = stage.publish()
    assert result.failures == []
    portal = collect(stage.root, artifacts=stage.artifacts)
    for unique_id, (database, table) in PUBLIC.items():
        upstream = _upstream_sources(manifests, unique_id)
        assert upstream, unique_id  # every public mart reads sources, through staging
        expected = "warn" if stale in upstream else "pass"
        forms = {f["formName"]: f for f in _asset(stage, database, table)["formsOutput"]}
        dbt = json.loads(forms["dbt_model"]["content"])
        assert dbt["sourceFreshness"] == expected, unique_id
        assert portal.model(unique_id.removeprefix("model.")).freshness.status == expected
    assert "warn" in {
        json.loads(
            next(
                f["content"]
                for f in _asset(stage, *PUBLIC["model.marketing.fct_campaign_performance"])[
                    "formsOutput"
                ]
                if f["formName"] == "dbt_model"
            )
        )["sourceFreshness"]
    }  # across domains: marketing reads sales' orders
