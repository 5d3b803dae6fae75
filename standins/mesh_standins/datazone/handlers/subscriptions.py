"""Subscription requests on listings (create, accept, reject) and the subscriptions they grant
(revoked by the owner, cancelled by the subscriber): FIDELITY.md, SU-*."""

from __future__ import annotations

from typing import Any

from mesh_standins.datazone.errors import conflict, invalid
from mesh_standins.datazone.handlers import Context, Params, operation
from mesh_standins.datazone.handlers.common import domain, in_domain, page, project
from mesh_standins.datazone.handlers.listings import listing_view
from mesh_standins.datazone.state import new_id, now


def _principal(ctx: Context, domain_id: str, principal: dict[str, Any]) -> dict[str, Any]:
    """`SubscribedPrincipal` for a `SubscribedPrincipalInput` (projects must exist)."""
    kind, value = next(iter(principal.items()))
    ident = value.get("identifier")
    if not ident:
        raise invalid(f"subscribedPrincipals.{kind}.identifier is required")
    if kind == "project":
        proj = project(ctx, domain_id, ident)
        return {"project": {"id": proj["id"], "name": proj["name"]}}
    if kind == "iam":
        return {"iam": {"principalArn": ident}}
    return {kind: {"id": ident}}


def _subscribed_listing(ctx: Context, domain_id: str, listing_id: str) -> dict[str, Any]:
    """A snapshot of the listing as subscribed (`SubscribedListing`)."""
    listing = in_domain(ctx, "listings", "Listing", domain_id, listing_id)
    if listing["status"] != "ACTIVE":
        raise invalid(f"Listing {listing_id} is not ACTIVE and cannot be subscribed to")
    view = listing_view(ctx, listing)
    owner = ctx.store.table("projects").get(listing["owningProjectId"], {})
    if listing["entityType"] == "ASSET":
        a = view["item"]["assetListing"]
        item = {
            "assetListing": {
                "entityId": a["assetId"],
                "entityRevision": a["assetRevision"],
                "entityType": a["assetType"],
                "forms": a["forms"],
                "glossaryTerms": a["glossaryTerms"],
            }
        }
    else:
        d = view["item"]["dataProductListing"]
        assets = ctx.store.table("assets")
        item = {
            "productListing": {
                "entityId": d["dataProductId"],
                "entityRevision": d["dataProductRevision"],
                "glossaryTerms": d["glossaryTerms"],
                "name": view["name"],
                "description": view.get("description"),
                "assetListings": [
                    {
                        "entityId": i["identifier"],
                        "entityRevision": i.get("revision"),
                        "entityType": assets.get(i["identifier"], {}).get("typeIdentifier"),
                    }
                    for i in view["_rev"].get("items") or ()
                ],
            }
        }
    return {
        "id": listing["id"],
        "revision": view["listingRevision"],
        "name": view["name"],
        "description": view.get("description") or "",
        "item": item,
        "ownerProjectId": listing["owningProjectId"],
        "ownerProjectName": owner.get("name"),
    }


@operation("CreateSubscriptionRequest")
def create_subscription_request(ctx: Context, p: Params) -> dict[str, Any]:
    domain_id = domain(ctx, p["domainIdentifier"])["id"]
    principals = [_principal(ctx, domain_id, x) for x in p["subscribedPrincipals"]]
    listings = [
        _subscribed_listing(ctx, domain_id, x["identifier"]) for x in p["subscribedListings"]
    ]
    for req in ctx.store.table("subscription_requests").values():
        if (
            req["domainId"] == domain_id
            and req["status"] == "PENDING"
            and req["subscribedPrincipals"] == principals
            and {x["id"] for x in req["subscribedListings"]} == {x["id"] for x in listings}
        ):
            raise conflict(
                f"A pending subscription request {req['id']} already exists for these listings"
            )
    t = now()
    record = {
        "id": new_id(),
        "domainId": domain_id,
        "status": "PENDING",
        "createdBy": ctx.caller,
        "createdAt": t,
        "updatedAt": t,
        "requestReason": p["requestReason"],
        "subscribedPrincipals": principals,
        "subscribedListings": listings,
    }
    ctx.store.table("subscription_requests")[record["id"]] = record
    return record


def _request(ctx: Context, p: Params) -> dict[str, Any]:
    return in_domain(
        ctx, "subscription_requests", "Subscription request", p["domainIdentifier"], p["identifier"]
    )


def _decide(ctx: Context, p: Params, status: str) -> dict[str, Any]:
    req = _request(ctx, p)
    if req["status"] != "PENDING":
        raise conflict(f"Subscription request {req['id']} is already {req['status']}")
    t = now()
    req.update(
        status=status,
        reviewerId=ctx.caller,
        updatedBy=ctx.caller,
        updatedAt=t,
        decisionComment=p.get("decisionComment"),
    )
    return req


@operation("AcceptSubscriptionRequest")
def accept_subscription_request(ctx: Context, p: Params) -> dict[str, Any]:
    req = _decide(ctx, p, "ACCEPTED")
    subs = ctx.store.table("subscriptions")
    for principal in req["subscribedPrincipals"]:
        for listing in req["subscribedListings"]:
            sub_id = new_id()
            subs[sub_id] = {
                "id": sub_id,
                "domainId": req["domainId"],
                "status": "APPROVED",
                "createdBy": ctx.caller,
                "createdAt": req["updatedAt"],
                "updatedAt": req["updatedAt"],
                "subscribedPrincipal": principal,
                "subscribedListing": listing,
                "subscriptionRequestId": req["id"],
                "retainPermissions": False,
            }
    return req


@operation("RejectSubscriptionRequest")
def reject_subscription_request(ctx: Context, p: Params) -> dict[str, Any]:
    return _decide(ctx, p, "REJECTED")


@operation("GetSubscriptionRequestDetails")
def get_subscription_request(ctx: Context, p: Params) -> dict[str, Any]:
    return _request(ctx, p)


def _owned_by(principal: dict[str, Any], p: Params) -> bool:
    project_id = p.get("owningProjectId")
    return project_id is None or principal.get("project", {}).get("id") == project_id


@operation("ListSubscriptionRequests")
def list_subscription_requests(ctx: Context, p: Params) -> dict[str, Any]:
    domain_id = domain(ctx, p["domainIdentifier"])["id"]
    status = p.get("status", "PENDING")  # "by default, Amazon DataZone returns only PENDING"
    items = [
        r
        for r in ctx.store.table("subscription_requests").values()
        if r["domainId"] == domain_id
        and r["status"] == status
        and (
            p.get("subscribedListingId") is None
            or any(x["id"] == p["subscribedListingId"] for x in r["subscribedListings"])
        )
        and (
            p.get("approverProjectId") is None
            or any(x["ownerProjectId"] == p["approverProjectId"] for x in r["subscribedListings"])
        )
        and any(_owned_by(x, p) for x in r["subscribedPrincipals"])
    ]
    return page(ctx, items, p)


@operation("ListSubscriptions")
def list_subscriptions(ctx: Context, p: Params) -> dict[str, Any]:
    domain_id = domain(ctx, p["domainIdentifier"])["id"]
    status = p.get("status", "APPROVED")  # "by default, Amazon DataZone returns only APPROVED"
    items = [
        s
        for s in ctx.store.table("subscriptions").values()
        if s["domainId"] == domain_id
        and s["status"] == status
        and p.get("subscriptionRequestIdentifier") in (None, s["subscriptionRequestId"])
        and p.get("subscribedListingId") in (None, s["subscribedListing"]["id"])
        and p.get("approverProjectId") in (None, s["subscribedListing"]["ownerProjectId"])
        and _owned_by(s["subscribedPrincipal"], p)
    ]
    return page(ctx, items, p)


@operation("GetSubscription")
def get_subscription(ctx: Context, p: Params) -> dict[str, Any]:
    return in_domain(ctx, "subscriptions", "Subscription", p["domainIdentifier"], p["identifier"])


def _end(ctx: Context, p: Params, status: str) -> dict[str, Any]:
    """APPROVED -> REVOKED / CANCELLED, once (FIDELITY.md, SU-5)."""
    sub = get_subscription(ctx, p)
    if sub["status"] != "APPROVED":
        raise conflict(f"Subscription {sub['id']} is already {sub['status']}")
    sub.update(status=status, updatedAt=now(), updatedBy=ctx.caller)
    return sub


@operation("CancelSubscription")
def cancel_subscription(ctx: Context, p: Params) -> dict[str, Any]:
    return _end(ctx, p, "CANCELLED")


@operation("RevokeSubscription")
def revoke_subscription(ctx: Context, p: Params) -> dict[str, Any]:
    sub = _end(ctx, p, "REVOKED")
    sub["retainPermissions"] = bool(p.get("retainPermissions", False))
    return sub
