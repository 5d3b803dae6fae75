"""Publishing, republishing and unpublishing listings (FIDELITY.md, LI-*), over HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator.helpers import error, glue_asset, publish, revise, subscribe

pytestmark = pytest.mark.integration


def _found(dz: Any, domain_id: str, text: str) -> list[tuple[str, str]]:
    hits = dz.search_listings(domainIdentifier=domain_id, searchText=text)["items"]
    return [(h["assetListing"]["entityId"], h["assetListing"]["entityRevision"]) for h in hits]


@pytest.mark.fidelity("LI-1")
def test_only_the_latest_revision_can_be_published(
    dz: Any, domain_id: str, project_id: str
) -> None:
    asset = glue_asset(dz, domain_id, project_id, "orders", description="first words")
    revise(dz, domain_id, asset, description="second words")
    code, _, message = error(
        dz.create_listing_change_set,
        domainIdentifier=domain_id,
        entityIdentifier=asset["id"],
        entityType="ASSET",
        entityRevision="1",
        action="PUBLISH",
    )
    assert code == "ValidationException"
    assert "revision 1 is not the latest, 2" in message
    assert dz.search_listings(domainIdentifier=domain_id)["items"] == []  # nothing was listed
    explicit = dz.create_listing_change_set(
        domainIdentifier=domain_id,
        entityIdentifier=asset["id"],
        entityType="ASSET",
        entityRevision="2",
        action="PUBLISH",
    )
    listing = dz.get_listing(domainIdentifier=domain_id, identifier=explicit["listingId"])
    assert listing["item"]["assetListing"]["assetRevision"] == "2"


@pytest.mark.fidelity("LI-2", "LI-3")
def test_republishing_and_what_search_shows(dz: Any, domain_id: str, project_id: str) -> None:
    asset = glue_asset(dz, domain_id, project_id, "orders", description="alpha")
    first = publish(dz, domain_id, asset["id"])
    assert (first["status"], first["listingRevision"]) == ("ACTIVE", "1")
    again = publish(dz, domain_id, asset["id"])  # the listed revision again: nothing changes
    assert (again["listingId"], again["listingRevision"]) == (first["listingId"], "1")

    revised = revise(dz, domain_id, asset, description="beta")
    # not republished yet: the catalog still shows revision 1 and its words
    assert _found(dz, domain_id, "alpha") == [(asset["id"], "1")]
    assert _found(dz, domain_id, "beta") == []
    listing = dz.get_listing(domainIdentifier=domain_id, identifier=first["listingId"])
    assert (listing["listingRevision"], listing["description"]) == ("1", "alpha")
    # the inventory (Search) already has revision 2
    inventory = dz.search(domainIdentifier=domain_id, searchScope="ASSET", searchText="beta")
    assert [i["assetItem"]["identifier"] for i in inventory["items"]] == [asset["id"]]

    republished = publish(dz, domain_id, revised["id"])
    assert (republished["listingId"], republished["listingRevision"]) == (first["listingId"], "2")
    assert _found(dz, domain_id, "beta") == [(asset["id"], "2")]
    assert _found(dz, domain_id, "alpha") == []
    old = dz.get_listing(
        domainIdentifier=domain_id, identifier=first["listingId"], listingRevision="1"
    )
    assert old["item"]["assetListing"]["assetRevision"] == "1"


@pytest.mark.fidelity("LI-4", "SU-6")
def test_unpublish(dz: Any, make_datazone: Any, domain_id: str, project_id: str) -> None:
    consumer = dz.create_project(domainIdentifier=domain_id, name="marketing")["id"]
    asset = glue_asset(dz, domain_id, project_id, "orders", description="gamma")
    listing = publish(dz, domain_id, asset["id"])["listingId"]
    request = subscribe(dz, domain_id, listing, consumer)
    dz.accept_subscription_request(domainIdentifier=domain_id, identifier=request["id"])

    change = dz.create_listing_change_set(
        domainIdentifier=domain_id,
        entityIdentifier=asset["id"],
        entityType="ASSET",
        action="UNPUBLISH",
    )
    assert (change["listingId"], change["status"]) == (listing, "INACTIVE")
    assert _found(dz, domain_id, "gamma") == []
    assert dz.get_asset(domainIdentifier=domain_id, identifier=asset["id"])["listing"] == {
        "listingId": listing,
        "listingStatus": "INACTIVE",
    }
    # existing subscriptions remain; new ones cannot be requested
    subs = dz.list_subscriptions(domainIdentifier=domain_id, subscribedListingId=listing)["items"]
    assert [s["status"] for s in subs] == ["APPROVED"]
    other = dz.create_project(domainIdentifier=domain_id, name="finance")["id"]
    code, _, message = error(subscribe, dz, domain_id, listing, other)
    assert code == "ValidationException" and "not ACTIVE" in message
    # unpublishing again, or what was never published, is refused
    code, _, _ = error(
        dz.create_listing_change_set,
        domainIdentifier=domain_id,
        entityIdentifier=asset["id"],
        entityType="ASSET",
        action="UNPUBLISH",
    )
    assert code == "ConflictException"
    never = glue_asset(dz, domain_id, project_id, "never")
    code, _, message = error(
        dz.create_listing_change_set,
        domainIdentifier=domain_id,
        entityIdentifier=never["id"],
        entityType="ASSET",
        action="UNPUBLISH",
    )
    assert code == "ConflictException" and "not published" in message
    # publishing again reactivates the same listing
    back = publish(dz, domain_id, asset["id"])
    assert (back["listingId"], back["status"]) == (listing, "ACTIVE")
    assert _found(dz, domain_id, "gamma") == [(asset["id"], "1")]


@pytest.mark.fidelity("LI-5")
def test_publishing_a_data_product_publishes_its_assets(
    dz: Any, domain_id: str, project_id: str
) -> None:
    listed = glue_asset(dz, domain_id, project_id, "listed")
    unlisted = glue_asset(dz, domain_id, project_id, "unlisted")
    publish(dz, domain_id, listed["id"])
    product = dz.create_data_product(
        domainIdentifier=domain_id,
        owningProjectIdentifier=project_id,
        name="Sales",
        items=[
            {"itemType": "ASSET", "identifier": listed["id"]},
            {"itemType": "ASSET", "identifier": unlisted["id"]},
        ],
    )
    assert (
        dz.get_asset(domainIdentifier=domain_id, identifier=unlisted["id"]).get("listing") is None
    )
    change = publish(dz, domain_id, product["id"], "DATA_PRODUCT")
    items = dz.get_listing(domainIdentifier=domain_id, identifier=change["listingId"])["item"][
        "dataProductListing"
    ]["items"]
    assert len(items) == 2
    assert dz.get_asset(domainIdentifier=domain_id, identifier=unlisted["id"])["listing"][
        "listingStatus"
    ] == ("ACTIVE")
