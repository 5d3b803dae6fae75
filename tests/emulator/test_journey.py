"""The DataZone hands-on journey, end to end over HTTP: Glue tables in moto become assets,
get business metadata, are published (asset and data product), found by a consumer by glossary
term, subscribed to, and linked by lineage."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

pytestmark = pytest.mark.integration

DBT_FORM = """
$version: "2"
namespace mesh.dbt

@documentation("dbt model metadata")
structure dbt_model {
    @required
    owner: String
    tier: Integer
    contract_enforced: Boolean
    tags: Tags
}

list Tags {
    member: String
}
"""


def _columns(*names: str) -> list[dict[str, str]]:
    return [
        {"Name": n, "Type": "bigint" if n.endswith("id") else "string", "Comment": f"the {n}"}
        for n in names
    ]


def _make_glue_tables(glue: Any) -> None:
    glue.create_database(DatabaseInput={"Name": "sales_marts", "Description": "sales marts"})
    tables = {
        "fct_orders": (
            "One row per order",
            _columns("order_id", "customer_id", "amount", "margin"),
        ),
        "dim_customers": ("One row per customer", _columns("customer_id", "name")),
        "stg_payments": ("staging", _columns("payment_id")),
    }
    for name, (description, columns) in tables.items():
        glue.create_table(
            DatabaseName="sales_marts",
            TableInput={
                "Name": name,
                "Description": description,
                "StorageDescriptor": {"Columns": columns},
            },
        )


def _ensure_domain(dz: Any, name: str) -> str:
    """'Create domain if needed': look it up by name through every page first."""
    for page in dz.get_paginator("list_domains").paginate():
        for item in page["items"]:
            if item["name"] == name:
                return item["id"]
    return dz.create_domain(name=name, domainExecutionRole="arn:aws:iam::123456789012:role/dz")[
        "id"
    ]


def test_hands_on_journey(make_datazone: Any, glue: Any, admin: Any) -> None:
    dz = make_datazone("AKIDPRODUCER")
    consumer_dz = make_datazone("AKIDCONSUMER")
    _make_glue_tables(glue)

    domain_id = _ensure_domain(dz, "analytics-mesh")
    assert _ensure_domain(dz, "analytics-mesh") == domain_id
    producer = dz.create_project(
        domainIdentifier=domain_id, name="sales", description="Sales domain"
    )["id"]
    consumer = consumer_dz.create_project(domainIdentifier=domain_id, name="marketing")["id"]
    members = dz.list_project_memberships(domainIdentifier=domain_id, projectIdentifier=producer)[
        "members"
    ]
    assert members == [
        {"memberDetails": {"user": {"userId": "AKIDPRODUCER"}}, "designation": "PROJECT_OWNER"}
    ]

    # Business glossary with related terms.
    glossary = dz.create_glossary(
        domainIdentifier=domain_id, name="Sales terms", owningProjectIdentifier=producer
    )
    assert glossary["status"] == "ENABLED"
    revenue = dz.create_glossary_term(
        domainIdentifier=domain_id,
        glossaryIdentifier=glossary["id"],
        name="Revenue",
        shortDescription="Money in",
    )["id"]
    margin = dz.create_glossary_term(
        domainIdentifier=domain_id,
        glossaryIdentifier=glossary["id"],
        name="Gross Margin",
        termRelations={"isA": [revenue]},
    )["id"]
    assert dz.get_glossary_term(domainIdentifier=domain_id, identifier=margin)["termRelations"] == {
        "isA": [revenue]
    }

    # Custom metadata form type.
    form_type = dz.create_form_type(
        domainIdentifier=domain_id,
        name="dbt_model",
        model={"smithy": DBT_FORM},
        owningProjectIdentifier=producer,
        status="ENABLED",
    )
    assert form_type["revision"] == "1"
    assert (
        dz.get_form_type(domainIdentifier=domain_id, formTypeIdentifier="dbt_model")["model"][
            "smithy"
        ]
        == DBT_FORM
    )

    # Import the Glue tables through a data source (the "import a data source" step).
    source = dz.create_data_source(
        domainIdentifier=domain_id,
        projectIdentifier=producer,
        name="sales-glue",
        type="GLUE",
        configuration={
            "glueRunConfiguration": {
                "relationalFilterConfigurations": [
                    {
                        "databaseName": "sales_marts",
                        "filterExpressions": [
                            {"type": "INCLUDE", "expression": "*"},
                            {"type": "EXCLUDE", "expression": "stg_*"},
                        ],
                    }
                ]
            }
        },
    )
    run = dz.start_data_source_run(domainIdentifier=domain_id, dataSourceIdentifier=source["id"])
    assert run["status"] == "SUCCESS"
    assert run["runStatisticsForAssets"]["added"] == 2
    activities = dz.list_data_source_run_activities(
        domainIdentifier=domain_id, identifier=run["id"]
    )["items"]
    assert sorted(a["technicalName"] for a in activities) == ["dim_customers", "fct_orders"]
    assert {a["dataAssetStatus"] for a in activities} == {"SUCCEEDED_CREATED"}

    arn = "arn:aws:glue:us-east-1:123456789012:table/sales_marts/fct_orders"
    orders = dz.get_asset(domainIdentifier=domain_id, identifier=f"externalIdentifer%2F{arn}")
    assert orders["externalIdentifier"] == arn
    assert orders["typeIdentifier"] == "amazon.datazone.GlueTableAssetType"
    assert orders["owningProjectId"] == producer
    assert orders["description"] == "One row per order"
    glue_form = next(f for f in orders["formsOutput"] if f["formName"] == "GlueTableForm")
    content = json.loads(glue_form["content"])
    assert [c["columnName"] for c in content["columns"]] == [
        "order_id",
        "customer_id",
        "amount",
        "margin",
    ]
    assert content["tableArn"] == arn
    found = dz.search(
        domainIdentifier=domain_id,
        searchScope="ASSET",
        filters={"filter": {"attribute": "externalIdentifier", "value": arn}},
    )["items"]
    assert [i["assetItem"]["identifier"] for i in found] == [orders["id"]]

    # Re-running changes nothing; a changed table makes exactly one new revision.
    rerun = dz.start_data_source_run(domainIdentifier=domain_id, dataSourceIdentifier=source["id"])
    assert rerun["runStatisticsForAssets"]["unchanged"] == 2
    table = glue.get_table(DatabaseName="sales_marts", Name="dim_customers")["Table"]
    glue.update_table(
        DatabaseName="sales_marts",
        TableInput={
            "Name": "dim_customers",
            "Description": table["Description"],
            "StorageDescriptor": {"Columns": _columns("customer_id", "name", "segment")},
        },
    )
    rerun = dz.start_data_source_run(domainIdentifier=domain_id, dataSourceIdentifier=source["id"])
    assert (
        rerun["runStatisticsForAssets"]["updated"],
        rerun["runStatisticsForAssets"]["unchanged"],
    ) == (1, 1)
    customers_arn = arn.replace("fct_orders", "dim_customers")
    customers = dz.get_asset(
        domainIdentifier=domain_id, identifier=f"externalIdentifer%2F{customers_arn}"
    )
    assert customers["revision"] == "2"
    assert dz.get_asset(domainIdentifier=domain_id, identifier=orders["id"])["revision"] == "1"
    runs = dz.list_data_source_runs(domainIdentifier=domain_id, dataSourceIdentifier=source["id"])[
        "items"
    ]
    assert len(runs) == 3

    # Business metadata: asset terms, column terms and the custom form, as one new revision.
    column_form = {
        "columnsBusinessMetadata": [
            {"name": "amount", "description": "Order value in EUR", "glossaryTerms": [revenue]},
            {"name": "margin", "description": "Gross margin", "glossaryTerms": [margin]},
        ]
    }
    dbt_content = {
        "owner": "sales-team@example.com",
        "tier": 1,
        "contract_enforced": True,
        "tags": ["finance"],
    }
    revised = dz.create_asset_revision(
        domainIdentifier=domain_id,
        identifier=orders["id"],
        name="fct_orders",
        description="Orders, one row per order",
        glossaryTerms=[revenue],
        formsInput=[
            # a revision is a full snapshot: the forms it should keep are sent back as read
            {"formName": "GlueTableForm", "content": glue_form["content"]},
            {"formName": "ColumnBusinessMetadataForm", "content": json.dumps(column_form)},
            {
                "formName": "dbt_model",
                "typeIdentifier": "dbt_model",
                "typeRevision": "1",
                "content": json.dumps(dbt_content),
            },
        ],
    )
    assert revised["revision"] == "2"
    assert {f["formName"] for f in revised["formsOutput"]} == {
        "GlueTableForm",
        "ColumnBusinessMetadataForm",
        "dbt_model",
    }
    assert [f["formName"] for f in revised["readOnlyFormsOutput"]] == ["DataSourceReferenceForm"]
    revisions = dz.list_asset_revisions(domainIdentifier=domain_id, identifier=orders["id"])[
        "items"
    ]
    assert [r["revision"] for r in revisions] == ["1", "2"]
    first = dz.get_asset(domainIdentifier=domain_id, identifier=orders["id"], revision="1")
    assert "glossaryTerms" not in first
    assert {f["formName"] for f in first["formsOutput"]} == {"GlueTableForm"}

    # Publish the asset, then a data product of both assets.
    change = dz.create_listing_change_set(
        domainIdentifier=domain_id,
        entityIdentifier=orders["id"],
        entityType="ASSET",
        action="PUBLISH",
    )
    assert change["status"] == "ACTIVE"
    asset_listing = dz.get_listing(domainIdentifier=domain_id, identifier=change["listingId"])
    assert asset_listing["item"]["assetListing"]["assetRevision"] == "2"
    assert asset_listing["item"]["assetListing"]["glossaryTerms"] == [
        {"name": "Revenue", "shortDescription": "Money in"}
    ]
    assert (
        json.loads(asset_listing["item"]["assetListing"]["forms"])["dbt_model"]["owner"]
        == "sales-team@example.com"
    )
    assert dz.get_asset(domainIdentifier=domain_id, identifier=orders["id"])["listing"] == {
        "listingId": change["listingId"],
        "listingStatus": "ACTIVE",
    }

    product = dz.create_data_product(
        domainIdentifier=domain_id,
        owningProjectIdentifier=producer,
        name="Sales analytics",
        description="Orders and customers",
        glossaryTerms=[revenue],
        items=[
            {"itemType": "ASSET", "identifier": orders["id"]},
            {"itemType": "ASSET", "identifier": customers["id"]},
        ],
    )
    assert (product["revision"], product["status"]) == ("1", "CREATED")
    product_rev = dz.create_data_product_revision(
        domainIdentifier=domain_id,
        identifier=product["id"],
        name="Sales analytics",
        description="Orders and customers, curated",
        glossaryTerms=[revenue],
        items=[
            {"itemType": "ASSET", "identifier": orders["id"]},
            {"itemType": "ASSET", "identifier": customers["id"]},
        ],
    )
    assert product_rev["revision"] == "2"
    product_change = dz.create_listing_change_set(
        domainIdentifier=domain_id,
        entityIdentifier=product["id"],
        entityType="DATA_PRODUCT",
        action="PUBLISH",
    )
    product_listing = dz.get_listing(
        domainIdentifier=domain_id, identifier=product_change["listingId"]
    )
    assert product_listing["item"]["dataProductListing"]["dataProductRevision"] == "2"
    assert (
        len(product_listing["item"]["dataProductListing"]["items"]) == 2
    )  # customers got published too

    # The consumer searches the catalog by a column-level glossary term and by a form field.
    hits = consumer_dz.search_listings(domainIdentifier=domain_id, searchText="gross margin")[
        "items"
    ]
    assert [h["assetListing"]["entityId"] for h in hits] == [orders["id"]]
    hits = consumer_dz.search_listings(domainIdentifier=domain_id, searchText="Revenue")["items"]
    assert {next(iter(h)) for h in hits} == {"assetListing", "dataProductListing"}
    hits = consumer_dz.search_listings(
        domainIdentifier=domain_id,
        additionalAttributes=["FORMS"],
        filters={
            "and": [
                {"filter": {"attribute": "dbt_model.tier", "intValue": 1, "operator": "LE"}},
                {"filter": {"attribute": "owningProjectId", "value": producer}},
            ]
        },
    )["items"]
    assert [h["assetListing"]["entityId"] for h in hits] == [orders["id"]]
    assert "GlueTableForm" in json.loads(hits[0]["assetListing"]["additionalAttributes"]["forms"])
    terms = consumer_dz.search(
        domainIdentifier=domain_id, searchScope="GLOSSARY_TERM", searchText="margin"
    )["items"]
    assert [t["glossaryTermItem"]["id"] for t in terms] == [margin]
    products = consumer_dz.search(
        domainIdentifier=domain_id, searchScope="DATA_PRODUCT", searchText="curated"
    )
    assert [p["dataProductItem"]["id"] for p in products["items"]] == [product["id"]]

    # Subscribe and accept.
    request = consumer_dz.create_subscription_request(
        domainIdentifier=domain_id,
        requestReason="Campaign attribution",
        subscribedPrincipals=[{"project": {"identifier": consumer}}],
        subscribedListings=[{"identifier": change["listingId"]}],
    )
    assert request["status"] == "PENDING"
    assert request["subscribedListings"][0]["item"]["assetListing"]["entityId"] == orders["id"]
    pending = dz.list_subscription_requests(
        domainIdentifier=domain_id, status="PENDING", approverProjectId=producer
    )["items"]
    assert [r["id"] for r in pending] == [request["id"]]
    accepted = dz.accept_subscription_request(
        domainIdentifier=domain_id, identifier=request["id"], decisionComment="ok"
    )
    assert (accepted["status"], accepted["reviewerId"]) == ("ACCEPTED", "AKIDPRODUCER")
    subs = consumer_dz.list_subscriptions(domainIdentifier=domain_id, owningProjectId=consumer)[
        "items"
    ]
    assert [(s["status"], s["subscribedListing"]["id"]) for s in subs] == [
        ("APPROVED", change["listingId"])
    ]
    sub = consumer_dz.get_subscription(domainIdentifier=domain_id, identifier=subs[0]["id"])
    assert sub["subscribedPrincipal"] == {"project": {"id": consumer, "name": "marketing"}}
    details = dz.get_subscription_request_details(
        domainIdentifier=domain_id, identifier=request["id"]
    )
    assert details["status"] == "ACCEPTED"
    second = consumer_dz.create_subscription_request(
        domainIdentifier=domain_id,
        requestReason="Second thoughts",
        subscribedPrincipals=[{"project": {"identifier": consumer}}],
        subscribedListings=[{"identifier": product_change["listingId"]}],
    )
    rejected = dz.reject_subscription_request(domainIdentifier=domain_id, identifier=second["id"])
    assert rejected["status"] == "REJECTED"

    # Lineage of the dbt run that built the mart.
    run_id = str(uuid.uuid4())
    event = {
        "eventType": "COMPLETE",
        "eventTime": "2025-01-01T10:00:00Z",
        "producer": "https://github.com/dbt",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": run_id},
        "job": {"namespace": "dbt", "name": "sales.fct_orders"},
        "inputs": [
            {"namespace": "awsathena://athena.us-east-1.amazonaws.com", "name": "sales_raw.orders"}
        ],
        "outputs": [
            {
                "namespace": "awsathena://athena.us-east-1.amazonaws.com",
                "name": "sales_marts.fct_orders",
            }
        ],
    }
    posted = dz.post_lineage_event(domainIdentifier=domain_id, event=json.dumps(event).encode())
    job = dz.get_lineage_node(domainIdentifier=domain_id, identifier="dbt/sales.fct_orders")
    output = dz.get_lineage_node(
        domainIdentifier=domain_id,
        identifier="awsathena://athena.us-east-1.amazonaws.com/sales_marts.fct_orders",
    )
    assert [n["id"] for n in job["downstreamNodes"]] == [output["id"]]
    assert [n["id"] for n in output["upstreamNodes"]] == [job["id"]]
    history = dz.list_lineage_node_history(domainIdentifier=domain_id, identifier=job["id"])[
        "nodes"
    ]
    assert len(history) == 1
    stored = dz.get_lineage_event(domainIdentifier=domain_id, identifier=posted["id"])
    assert json.loads(stored["event"].read())["run"]["runId"] == run_id
    assert stored["processingStatus"] == "SUCCESS"
    assert stored["eventTime"].year == 2025

    # Unpublish removes the asset from search.
    dz.create_listing_change_set(
        domainIdentifier=domain_id,
        entityIdentifier=orders["id"],
        entityType="ASSET",
        action="UNPUBLISH",
    )
    hits = consumer_dz.search_listings(domainIdentifier=domain_id, searchText="gross margin")[
        "items"
    ]
    assert hits == []

    calls = admin.calls()
    assert calls["StartDataSourceRun"] == 3
    assert calls["CreateAssetRevision"] == 1
