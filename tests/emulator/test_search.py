"""Search and SearchListings: scopes, glossary-term filters, filters, text, sort, additional
attributes (FIDELITY.md, SE-*), over HTTP."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.emulator.helpers import error, glue_asset, glue_form, publish

pytestmark = pytest.mark.integration


@pytest.fixture
def catalog(dz: Any, domain_id: str, project_id: str) -> dict[str, Any]:
    """Three published assets: orders (asset term Revenue), customers (column term Email),
    refunds (no terms, unpublished later)."""
    glossary = dz.create_glossary(
        domainIdentifier=domain_id, name="Terms", owningProjectIdentifier=project_id
    )["id"]
    term = {
        name: dz.create_glossary_term(
            domainIdentifier=domain_id, glossaryIdentifier=glossary, name=name
        )["id"]
        for name in ("Revenue", "Email")
    }
    columns = {"columnsBusinessMetadata": [{"name": "email", "glossaryTerms": [term["Email"]]}]}
    orders = glue_asset(
        dz,
        domain_id,
        project_id,
        "orders",
        description="One row per order",
        glossaryTerms=[term["Revenue"]],
    )
    customers = glue_asset(
        dz,
        domain_id,
        project_id,
        "customers",
        description="One row per customer",
        formsInput=[
            glue_form("customers"),
            {"formName": "ColumnBusinessMetadataForm", "content": json.dumps(columns)},
        ],
    )
    refunds = glue_asset(dz, domain_id, project_id, "refunds", description="Refunded orders")
    for asset in (orders, customers, refunds):
        publish(dz, domain_id, asset["id"])
    return {"term": term, "orders": orders, "customers": customers, "refunds": refunds}


def _listed(response: dict[str, Any]) -> list[str]:
    return [next(iter(i.values()))["entityId"] for i in response["items"]]


@pytest.mark.fidelity("SE-2")
def test_filter_on_glossary_terms(dz: Any, domain_id: str, catalog: dict[str, Any]) -> None:
    def by_term(term_id: str) -> dict[str, Any]:
        return {"filter": {"attribute": "__DataZoneGlossaryTerms", "value": term_id}}

    revenue, email = catalog["term"]["Revenue"], catalog["term"]["Email"]
    hits = dz.search_listings(domainIdentifier=domain_id, filters=by_term(revenue))
    assert _listed(hits) == [catalog["orders"]["id"]]
    hits = dz.search_listings(domainIdentifier=domain_id, filters=by_term(email))
    assert _listed(hits) == [catalog["customers"]["id"]]  # a column-level term
    inventory = dz.search(domainIdentifier=domain_id, searchScope="ASSET", filters=by_term(email))
    assert [i["assetItem"]["identifier"] for i in inventory["items"]] == [
        catalog["customers"]["id"]
    ]
    either = {"or": [by_term(revenue), by_term(email)]}
    assert sorted(
        _listed(dz.search_listings(domainIdentifier=domain_id, filters=either))
    ) == sorted([catalog["orders"]["id"], catalog["customers"]["id"]])
    # the filter takes term ids; a term's name matches nothing
    named = {"filter": {"attribute": "__DataZoneGlossaryTerms", "value": "Revenue"}}
    assert dz.search_listings(domainIdentifier=domain_id, filters=named)["items"] == []


@pytest.mark.fidelity("SE-1")
def test_scopes_and_projects(dz: Any, domain_id: str, project_id: str, catalog: Any) -> None:
    dz.create_listing_change_set(
        domainIdentifier=domain_id,
        entityIdentifier=catalog["refunds"]["id"],
        entityType="ASSET",
        action="UNPUBLISH",
    )
    other = dz.create_project(domainIdentifier=domain_id, name="other")["id"]
    glue_asset(dz, domain_id, other, "elsewhere")
    assets = dz.search(domainIdentifier=domain_id, searchScope="ASSET")
    assert assets["totalMatchCount"] == 4  # the inventory: published or not, every project
    mine = dz.search(
        domainIdentifier=domain_id, searchScope="ASSET", owningProjectIdentifier=project_id
    )
    assert mine["totalMatchCount"] == 3
    listings = dz.search_listings(domainIdentifier=domain_id)
    assert sorted(_listed(listings)) == sorted(
        [catalog["orders"]["id"], catalog["customers"]["id"]]
    )
    terms = dz.search(domainIdentifier=domain_id, searchScope="GLOSSARY_TERM")
    assert sorted(t["glossaryTermItem"]["name"] for t in terms["items"]) == ["Email", "Revenue"]
    glossaries = dz.search(domainIdentifier=domain_id, searchScope="GLOSSARY")
    assert [g["glossaryItem"]["name"] for g in glossaries["items"]] == ["Terms"]
    assert dz.search(domainIdentifier=domain_id, searchScope="DATA_PRODUCT")["items"] == []


@pytest.mark.fidelity("SE-3")
def test_filters(dz: Any, domain_id: str, project_id: str, catalog: Any) -> None:
    def listed(clause: dict[str, Any]) -> list[str]:
        return sorted(_listed(dz.search_listings(domainIdentifier=domain_id, filters=clause)))

    orders = catalog["orders"]["id"]
    assert listed({"filter": {"attribute": "GlueTableForm.tableName", "value": "orders"}}) == [
        orders
    ]
    both = {
        "and": [
            {"filter": {"attribute": "owningProjectId", "value": project_id}},
            {
                "filter": {
                    "attribute": "description",
                    "value": "order",
                    "operator": "TEXT_SEARCH",
                }
            },
        ]
    }
    assert listed(both) == sorted([orders, catalog["refunds"]["id"]])
    code, _, message = error(
        dz.search_listings,
        domainIdentifier=domain_id,
        filters={"filter": {"attribute": "glossaryTerms", "value": "x"}},
    )
    assert code == "ValidationException" and "not searchable" in message
    code, _, message = error(
        dz.search,
        domainIdentifier=domain_id,
        searchScope="ASSET",
        filters={"filter": {"attribute": "Form.size", "value": "3", "operator": "GT"}},
    )
    assert code == "ValidationException" and "needs an intValue" in message
    code, status, _ = error(
        dz.search_listings,
        domainIdentifier=domain_id,
        filters={"filter": {"attribute": "creationTime", "intValue": 1, "operator": "GT"}},
    )
    assert (code, status) == ("NotImplementedException", 501)


@pytest.mark.fidelity("SE-4")
def test_search_text(dz: Any, domain_id: str, catalog: Any) -> None:
    def text(value: str, **kwargs: Any) -> list[str]:
        return sorted(
            _listed(dz.search_listings(domainIdentifier=domain_id, searchText=value, **kwargs))
        )

    orders, customers = catalog["orders"]["id"], catalog["customers"]["id"]
    assert text("row order") == [orders]  # every word, as a prefix ("order" finds "orders")
    assert text("revenue") == [orders]  # a glossary term's name
    assert text("email") == [customers]  # a column term's name
    assert text("customer", searchIn=[{"attribute": "name"}]) == [customers]
    assert text("row", searchIn=[{"attribute": "name"}]) == []


@pytest.mark.fidelity("SE-5", "RQ-5")
def test_sort_and_paging(dz: Any, domain_id: str, catalog: Any) -> None:
    def names(**kwargs: Any) -> list[str]:
        pages = dz.get_paginator("search").paginate(
            domainIdentifier=domain_id, searchScope="ASSET", **kwargs
        )
        return [i["assetItem"]["name"] for p in pages for i in p["items"]]

    assert names(sort={"attribute": "name"}) == ["customers", "orders", "refunds"]
    assert names(sort={"attribute": "name", "order": "DESCENDING"}) == [
        "refunds",
        "orders",
        "customers",
    ]
    assert names(sort={"attribute": "createdAt"}) == ["orders", "customers", "refunds"]
    assert names(PaginationConfig={"PageSize": 1}) == ["orders", "customers", "refunds"]
    code, _, _ = error(
        dz.search, domainIdentifier=domain_id, searchScope="ASSET", sort={"attribute": "owner"}
    )
    assert code == "ValidationException"
    code, _, message = error(
        dz.search, domainIdentifier=domain_id, searchScope="ASSET", maxResults=51
    )
    assert code == "ValidationException" and "less than or equal to 50" in message


@pytest.mark.fidelity("SE-6")
def test_additional_attributes(dz: Any, domain_id: str, catalog: Any) -> None:
    orders = catalog["orders"]["id"]
    dz.post_time_series_data_points(
        domainIdentifier=domain_id,
        entityIdentifier=orders,
        entityType="ASSET",
        forms=[
            {
                "formName": "dbt_tests",
                "typeIdentifier": "amazon.datazone.DataQualityResultFormType",
                "timestamp": 1_700_000_000,
                "content": json.dumps({"passingPercentage": 50.0, "evaluationsCount": 2}),
            }
        ],
    )
    bare = dz.search(domainIdentifier=domain_id, searchScope="ASSET", searchText="orders")
    assert "additionalAttributes" not in bare["items"][0]["assetItem"]
    rich = dz.search(
        domainIdentifier=domain_id,
        searchScope="ASSET",
        searchText="orders",
        additionalAttributes=["FORMS", "TIME_SERIES_DATA_POINT_FORMS"],
    )
    extra = rich["items"][0]["assetItem"]["additionalAttributes"]
    assert [f["formName"] for f in extra["formsOutput"]] == ["GlueTableForm"]
    (point,) = extra["latestTimeSeriesDataPointFormsOutput"]
    assert json.loads(point["contentSummary"]) == {"evaluationsCount": 2, "passingPercentage": 50.0}
    listed = dz.search_listings(
        domainIdentifier=domain_id,
        searchText="orders",
        additionalAttributes=["FORMS", "TIME_SERIES_DATA_POINT_FORMS"],
    )
    extra = listed["items"][0]["assetListing"]["additionalAttributes"]
    assert "GlueTableForm" in json.loads(extra["forms"])
    assert [p["formName"] for p in extra["latestTimeSeriesDataPointForms"]] == ["dbt_tests"]
