"""Deletions DataZone refuses while something uses the resource (FIDELITY.md, DE-*): each is
refused, changes nothing, and succeeds once the use is gone."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.emulator.helpers import error, glue_asset, glue_form, publish, subscribe

pytestmark = pytest.mark.integration


def _refused(call: Any, **kwargs: Any) -> str:
    code, status, message = error(call, **kwargs)
    assert (code, status) == ("ConflictException", 409), message
    return message


@pytest.mark.fidelity("DE-1", "DE-2")
def test_terms_and_glossaries_in_use(dz: Any, domain_id: str, project_id: str) -> None:
    glossary = dz.create_glossary(
        domainIdentifier=domain_id, name="Terms", owningProjectIdentifier=project_id
    )["id"]

    def term(name: str, **kwargs: Any) -> str:
        return dz.create_glossary_term(
            domainIdentifier=domain_id, glossaryIdentifier=glossary, name=name, **kwargs
        )["id"]

    on_asset, on_column, parent = term("Revenue"), term("Email"), term("Money")
    child = term("Net revenue", termRelations={"isA": [parent]})
    columns = {"columnsBusinessMetadata": [{"name": "email", "glossaryTerms": [on_column]}]}
    asset = glue_asset(
        dz,
        domain_id,
        project_id,
        "orders",
        glossaryTerms=[on_asset],
        formsInput=[
            glue_form("orders"),
            {"formName": "ColumnBusinessMetadataForm", "content": json.dumps(columns)},
        ],
    )
    delete = dz.delete_glossary_term
    assert asset["id"] in _refused(delete, domainIdentifier=domain_id, identifier=on_asset)
    assert asset["id"] in _refused(delete, domainIdentifier=domain_id, identifier=on_column)
    assert child in _refused(delete, domainIdentifier=domain_id, identifier=parent)
    assert "termRelations" in _refused(delete, domainIdentifier=domain_id, identifier=child)
    # a later revision without the terms does not free them: the first revision still has them
    dz.create_asset_revision(
        domainIdentifier=domain_id,
        identifier=asset["id"],
        name="orders",
        formsInput=[glue_form("orders")],
    )
    _refused(delete, domainIdentifier=domain_id, identifier=on_asset)
    # the glossary: refused while it has terms, and while it is ENABLED
    assert "still has terms" in _refused(
        dz.delete_glossary, domainIdentifier=domain_id, identifier=glossary
    )
    dz.delete_asset(domainIdentifier=domain_id, identifier=asset["id"])
    for term_id in (on_asset, on_column):
        delete(domainIdentifier=domain_id, identifier=term_id)
    dz.update_glossary_term(domainIdentifier=domain_id, identifier=child, termRelations={})
    delete(domainIdentifier=domain_id, identifier=parent)
    delete(domainIdentifier=domain_id, identifier=child)
    assert "ENABLED" in _refused(
        dz.delete_glossary, domainIdentifier=domain_id, identifier=glossary
    )
    dz.update_glossary(domainIdentifier=domain_id, identifier=glossary, status="DISABLED")
    dz.delete_glossary(domainIdentifier=domain_id, identifier=glossary)
    code, _, _ = error(dz.get_glossary, domainIdentifier=domain_id, identifier=glossary)
    assert code == "ResourceNotFoundException"


@pytest.mark.fidelity("DE-3", "DE-4")
def test_form_types_and_asset_types_in_use(dz: Any, domain_id: str, project_id: str) -> None:
    for name in ("meta", "extra"):
        dz.create_form_type(
            domainIdentifier=domain_id,
            owningProjectIdentifier=project_id,
            name=name,
            model={"smithy": f"structure {name} {{ owner: String }}"},
        )
    dz.create_asset_type(
        domainIdentifier=domain_id,
        owningProjectIdentifier=project_id,
        name="report",
        formsInput={"meta": {"typeIdentifier": "meta", "typeRevision": "1", "required": True}},
    )
    report = dz.create_asset(
        domainIdentifier=domain_id,
        owningProjectIdentifier=project_id,
        name="r",
        typeIdentifier="report",
        formsInput=[
            {"formName": "meta", "content": "{}"},
            {"formName": "extra", "typeIdentifier": "extra", "content": "{}"},
        ],
    )
    assert "asset type report" in _refused(
        dz.delete_form_type, domainIdentifier=domain_id, formTypeIdentifier="meta"
    )
    assert report["id"] in _refused(
        dz.delete_form_type, domainIdentifier=domain_id, formTypeIdentifier="extra"
    )
    assert report["id"] in _refused(
        dz.delete_asset_type, domainIdentifier=domain_id, identifier="report"
    )
    # an asset of another domain does not count
    other = dz.create_domain(name="other", domainExecutionRole="arn:aws:iam::123456789012:role/r")
    code, _, _ = error(dz.delete_asset_type, domainIdentifier=other["id"], identifier="report")
    assert code == "ResourceNotFoundException"
    dz.delete_asset(domainIdentifier=domain_id, identifier=report["id"])
    dz.delete_form_type(domainIdentifier=domain_id, formTypeIdentifier="extra")
    dz.delete_asset_type(domainIdentifier=domain_id, identifier="report")
    dz.delete_form_type(domainIdentifier=domain_id, formTypeIdentifier="meta")
    code, _, _ = error(dz.get_form_type, domainIdentifier=domain_id, formTypeIdentifier="meta")
    assert code == "ResourceNotFoundException"


@pytest.mark.fidelity("DE-5")
def test_assets_in_data_products(dz: Any, domain_id: str, project_id: str) -> None:
    kept, moved = (glue_asset(dz, domain_id, project_id, n) for n in ("kept", "moved"))
    product = dz.create_data_product(
        domainIdentifier=domain_id,
        owningProjectIdentifier=project_id,
        name="Sales",
        items=[{"itemType": "ASSET", "identifier": a["id"]} for a in (kept, moved)],
    )
    publish(dz, domain_id, product["id"], "DATA_PRODUCT")
    assert product["id"] in _refused(
        dz.delete_asset, domainIdentifier=domain_id, identifier=moved["id"]
    )
    # a draft revision without the asset: the published revision still has it
    dz.create_data_product_revision(
        domainIdentifier=domain_id,
        identifier=product["id"],
        name="Sales",
        items=[{"itemType": "ASSET", "identifier": kept["id"]}],
    )
    _refused(dz.delete_asset, domainIdentifier=domain_id, identifier=moved["id"])
    publish(dz, domain_id, product["id"], "DATA_PRODUCT")
    dz.create_listing_change_set(
        domainIdentifier=domain_id,
        entityIdentifier=moved["id"],
        entityType="ASSET",
        action="UNPUBLISH",
    )
    dz.delete_asset(domainIdentifier=domain_id, identifier=moved["id"])
    _refused(dz.delete_asset, domainIdentifier=domain_id, identifier=kept["id"])


@pytest.mark.fidelity("DE-6")
def test_assets_and_listings_with_subscribers(dz: Any, domain_id: str, project_id: str) -> None:
    consumer = dz.create_project(domainIdentifier=domain_id, name="marketing")["id"]
    asset = glue_asset(dz, domain_id, project_id, "orders", description="subscribed")
    listing = publish(dz, domain_id, asset["id"])["listingId"]
    request = subscribe(dz, domain_id, listing, consumer)
    dz.accept_subscription_request(domainIdentifier=domain_id, identifier=request["id"])
    (sub,) = dz.list_subscriptions(domainIdentifier=domain_id)["items"]
    assert sub["id"] in _refused(
        dz.delete_asset, domainIdentifier=domain_id, identifier=asset["id"]
    )
    assert sub["id"] in _refused(dz.delete_listing, domainIdentifier=domain_id, identifier=listing)
    assert dz.get_asset(domainIdentifier=domain_id, identifier=asset["id"])["revision"] == "1"
    dz.revoke_subscription(domainIdentifier=domain_id, identifier=sub["id"])
    dz.delete_asset(domainIdentifier=domain_id, identifier=asset["id"])
    hits = dz.search_listings(domainIdentifier=domain_id, searchText="subscribed")["items"]
    assert hits == []
