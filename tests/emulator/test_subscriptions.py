"""Subscription requests and subscriptions: statuses, refused transitions, list defaults
(FIDELITY.md, SU-*), over HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator.helpers import error, glue_asset, publish, subscribe

pytestmark = pytest.mark.integration


@pytest.fixture
def listings(dz: Any, domain_id: str, project_id: str) -> list[str]:
    return [
        publish(dz, domain_id, glue_asset(dz, domain_id, project_id, name)["id"])["listingId"]
        for name in ("orders", "customers", "refunds")
    ]


@pytest.mark.fidelity("SU-1", "SU-2", "SU-3")
def test_requests_and_their_list_defaults(
    dz: Any, domain_id: str, project_id: str, listings: list[str]
) -> None:
    consumer = dz.create_project(domainIdentifier=domain_id, name="marketing")["id"]
    pending, accepted, rejected = (
        subscribe(dz, domain_id, listing, consumer) for listing in listings
    )
    assert {pending["status"], accepted["status"], rejected["status"]} == {"PENDING"}
    code, _, message = error(subscribe, dz, domain_id, listings[0], consumer)
    assert code == "ConflictException" and pending["id"] in message
    dz.accept_subscription_request(domainIdentifier=domain_id, identifier=accepted["id"])
    dz.reject_subscription_request(domainIdentifier=domain_id, identifier=rejected["id"])

    def listed(**kwargs: Any) -> list[str]:
        return [
            r["id"]
            for r in dz.list_subscription_requests(domainIdentifier=domain_id, **kwargs)["items"]
        ]

    assert listed() == [pending["id"]]  # only PENDING without a status
    assert listed(status="ACCEPTED") == [accepted["id"]]
    assert listed(status="REJECTED") == [rejected["id"]]
    assert listed(status="PENDING", approverProjectId=project_id) == [pending["id"]]
    # a decided request cannot be decided again
    for call, request in (
        (dz.accept_subscription_request, accepted),
        (dz.reject_subscription_request, accepted),
        (dz.accept_subscription_request, rejected),
    ):
        code, status, _ = error(call, domainIdentifier=domain_id, identifier=request["id"])
        assert (code, status) == ("ConflictException", 409)
    subs = dz.list_subscriptions(domainIdentifier=domain_id)["items"]
    assert [
        (s["status"], s["subscribedListing"]["id"], s["subscriptionRequestId"]) for s in subs
    ] == [("APPROVED", listings[1], accepted["id"])]
    assert subs[0]["subscribedPrincipal"]["project"]["id"] == consumer


@pytest.mark.fidelity("SU-4", "SU-5")
def test_revoke_cancel_and_the_subscription_list_default(
    dz: Any, domain_id: str, listings: list[str]
) -> None:
    consumer = dz.create_project(domainIdentifier=domain_id, name="marketing")["id"]
    subs = []
    for listing in listings:
        request = subscribe(dz, domain_id, listing, consumer)
        dz.accept_subscription_request(domainIdentifier=domain_id, identifier=request["id"])
        (sub,) = dz.list_subscriptions(domainIdentifier=domain_id, subscribedListingId=listing)[
            "items"
        ]
        subs.append(sub["id"])
    kept, revoked, cancelled = subs
    out = dz.revoke_subscription(
        domainIdentifier=domain_id, identifier=revoked, retainPermissions=True
    )
    assert (out["status"], out["retainPermissions"]) == ("REVOKED", True)
    assert dz.cancel_subscription(domainIdentifier=domain_id, identifier=cancelled)["status"] == (
        "CANCELLED"
    )

    def listed(**kwargs: Any) -> list[str]:
        return [
            s["id"] for s in dz.list_subscriptions(domainIdentifier=domain_id, **kwargs)["items"]
        ]

    assert listed() == [kept]  # only APPROVED without a status
    assert listed(status="REVOKED") == [revoked]
    assert listed(status="CANCELLED") == [cancelled]
    for call, sub in (
        (dz.revoke_subscription, revoked),
        (dz.cancel_subscription, revoked),
        (dz.revoke_subscription, cancelled),
    ):
        code, _, message = error(call, domainIdentifier=domain_id, identifier=sub)
        assert code == "ConflictException" and "already" in message
