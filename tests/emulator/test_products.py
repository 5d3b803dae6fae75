"""Data products: names, clientToken replay, revisions, items (FIDELITY.md, DP-*), over HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator.helpers import error, glue_asset, revise

pytestmark = pytest.mark.integration


def _product(dz: Any, domain_id: str, project_id: str, name: str, *assets: str, **kw: Any) -> Any:
    return dz.create_data_product(
        domainIdentifier=domain_id,
        owningProjectIdentifier=project_id,
        name=name,
        items=[{"itemType": "ASSET", "identifier": a} for a in assets],
        **kw,
    )


@pytest.mark.fidelity("DP-1")
def test_names_are_unique_in_the_domain(dz: Any, domain_id: str, project_id: str) -> None:
    other = dz.create_project(domainIdentifier=domain_id, name="marketing")["id"]
    mine = glue_asset(dz, domain_id, project_id, "orders")["id"]
    theirs = glue_asset(dz, domain_id, other, "campaigns")["id"]
    first = _product(dz, domain_id, project_id, "Sales", mine)
    code, status, message = error(_product, dz, domain_id, other, "Sales", theirs)
    assert (code, status) == ("ConflictException", 409)
    assert "already exists in domain" in message
    second = _product(dz, domain_id, other, "Campaigns", theirs)
    code, _, _ = error(
        dz.create_data_product_revision,
        domainIdentifier=domain_id,
        identifier=second["id"],
        name="Sales",
        items=[{"itemType": "ASSET", "identifier": theirs}],
    )
    assert code == "ConflictException"
    # renaming frees the old name
    dz.create_data_product_revision(
        domainIdentifier=domain_id,
        identifier=first["id"],
        name="Sales and orders",
        items=[{"itemType": "ASSET", "identifier": mine}],
    )
    assert _product(dz, domain_id, other, "Sales", theirs)["revision"] == "1"


@pytest.mark.fidelity("DP-2", "RQ-4")
def test_client_token_replay(dz: Any, admin: Any, domain_id: str, project_id: str) -> None:
    asset = glue_asset(dz, domain_id, project_id, "orders")["id"]
    first = _product(dz, domain_id, project_id, "Sales", asset, clientToken="create-sales-1")
    again = _product(dz, domain_id, project_id, "Sales", asset, clientToken="create-sales-1")
    assert again["id"] == first["id"]
    assert dz.search(domainIdentifier=domain_id, searchScope="DATA_PRODUCT")["totalMatchCount"] == 1
    assert admin.calls()["CreateDataProduct"] == 2
    code, _, message = error(
        _product,
        dz,
        domain_id,
        project_id,
        "Sales",
        asset,
        description="changed",
        clientToken="create-sales-1",
    )
    assert code == "ConflictException" and "create-sales-1" in message


@pytest.mark.fidelity("DP-3", "DP-4")
def test_revisions_and_items(dz: Any, domain_id: str, project_id: str) -> None:
    orders = glue_asset(dz, domain_id, project_id, "orders")
    customers = glue_asset(dz, domain_id, project_id, "customers")
    revise(dz, domain_id, orders, description="orders, revised")
    first = _product(dz, domain_id, project_id, "Sales", orders["id"], description="v1")
    assert first["items"] == [{"itemType": "ASSET", "identifier": orders["id"], "revision": "2"}]
    pinned = dz.create_data_product_revision(
        domainIdentifier=domain_id,
        identifier=first["id"],
        name="Sales",
        description="v2",
        items=[
            {"itemType": "ASSET", "identifier": orders["id"], "revision": "1"},
            {"itemType": "ASSET", "identifier": customers["id"]},
        ],
    )
    assert pinned["revision"] == "2"
    assert [(i["identifier"], i["revision"]) for i in pinned["items"]] == [
        (orders["id"], "1"),
        (customers["id"], "1"),
    ]
    old = dz.get_data_product(domainIdentifier=domain_id, identifier=first["id"], revision="1")
    assert (old["description"], len(old["items"])) == ("v1", 1)
    revisions = dz.list_data_product_revisions(domainIdentifier=domain_id, identifier=first["id"])
    assert [r["revision"] for r in revisions["items"]] == ["1", "2"]
    # items: unknown assets, unknown revisions and other projects' assets are refused
    elsewhere = dz.create_project(domainIdentifier=domain_id, name="elsewhere")["id"]
    foreign = glue_asset(dz, domain_id, elsewhere, "foreign")["id"]
    for item, expected in (
        ({"itemType": "ASSET", "identifier": "nope"}, "ResourceNotFoundException"),
        (
            {"itemType": "ASSET", "identifier": orders["id"], "revision": "9"},
            "ResourceNotFoundException",
        ),
        ({"itemType": "ASSET", "identifier": foreign}, "ValidationException"),
    ):
        code, _, _ = error(
            dz.create_data_product_revision,
            domainIdentifier=domain_id,
            identifier=first["id"],
            name="Sales",
            items=[item],
        )
        assert code == expected
    current = dz.get_data_product(domainIdentifier=domain_id, identifier=first["id"])
    assert current["revision"] == "2"
