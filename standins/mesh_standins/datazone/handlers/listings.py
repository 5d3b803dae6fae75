"""Listings: publishing assets and data products to the catalog, reading and searching them."""

from __future__ import annotations

import json
from typing import Any

from mesh_standins.datazone import timeseries
from mesh_standins.datazone.errors import conflict, invalid, not_found
from mesh_standins.datazone.handlers import Context, Params, indexing, operation, usage
from mesh_standins.datazone.handlers.common import (
    detailed_terms,
    domain,
    in_domain,
    page,
    revision_of,
)
from mesh_standins.datazone.search import check_clause, matches_clause
from mesh_standins.datazone.state import new_id, now


def forms_json(rev: dict[str, Any]) -> str:
    """A listing's `forms` string: form name -> parsed content."""
    return json.dumps({n: json.loads(f.get("content") or "{}") for n, f in rev["forms"].items()})


def publish_entity(
    ctx: Context, entity_type: str, entity: dict[str, Any], revision: str | None
) -> dict[str, Any]:
    """Publish the latest revision of an asset or data product (FIDELITY.md, LI-1); the revision
    already listed again is a no-op (LI-2)."""
    kind = entity_type.title().replace("_", " ")
    rev = revision_of(entity, revision, kind)
    latest = entity["revisions"][-1]["revision"]
    if rev["revision"] != latest:
        raise invalid(
            f"Only the latest revision of {kind.lower()} {entity['id']} can be published: "
            f"revision {rev['revision']} is not the latest, {latest}"
        )
    if entity_type == "DATA_PRODUCT":
        assets = ctx.store.table("assets")
        for item in rev.get("items") or ():
            asset = assets.get(item["identifier"])
            if asset is not None and (asset.get("listing") or {}).get("listingStatus") != "ACTIVE":
                publish_entity(
                    ctx, "ASSET", asset, None
                )  # a product's assets are published with it
    listings = ctx.store.table("listings")
    listing = listings.get((entity.get("listing") or {}).get("listingId", ""))
    t = now()
    if listing is None:
        listing = {
            "id": new_id(),
            "domainId": entity["domainId"],
            "entityType": entity_type,
            "entityId": entity["id"],
            "owningProjectId": entity["owningProjectId"],
            "status": "ACTIVE",
            "createdAt": t,
            "createdBy": ctx.caller,
            "revisions": [],
        }
        listings[listing["id"]] = listing
    last = listing["revisions"][-1] if listing["revisions"] else None
    if last is None or last["entityRevision"] != rev["revision"] or listing["status"] != "ACTIVE":
        listing["revisions"].append(
            {
                "listingRevision": str(len(listing["revisions"]) + 1),
                "entityRevision": rev["revision"],
                "createdAt": t,
            }
        )
        listing.update(status="ACTIVE", updatedAt=t, updatedBy=ctx.caller)
    entity["listing"] = {"listingId": listing["id"], "listingStatus": "ACTIVE"}
    indexing.index_listing(ctx.store, listing)
    return listing


@operation("CreateListingChangeSet")
def create_listing_change_set(ctx: Context, p: Params) -> dict[str, Any]:
    domain(ctx, p["domainIdentifier"])
    table, kind = (
        ("assets", "Asset") if p["entityType"] == "ASSET" else ("data_products", "Data product")
    )
    entity = in_domain(ctx, table, kind, p["domainIdentifier"], p["entityIdentifier"])
    if p["action"] == "PUBLISH":
        listing = publish_entity(ctx, p["entityType"], entity, p.get("entityRevision"))
    else:
        found = ctx.store.table("listings").get((entity.get("listing") or {}).get("listingId", ""))
        if found is None or found["status"] != "ACTIVE":
            raise conflict(f"{kind} {entity['id']} is not published; there is nothing to unpublish")
        listing = found
        listing.update(status="INACTIVE", updatedAt=now(), updatedBy=ctx.caller)
        entity["listing"] = {"listingId": listing["id"], "listingStatus": "INACTIVE"}
        indexing.index_listing(ctx.store, listing)
    return {
        "listingId": listing["id"],
        "listingRevision": listing["revisions"][-1]["listingRevision"],
        "status": listing["status"],
    }


def _listing(ctx: Context, domain_id: str, listing_id: str) -> dict[str, Any]:
    listing = in_domain(ctx, "listings", "Listing", domain_id, listing_id)
    table = "assets" if listing["entityType"] == "ASSET" else "data_products"
    if listing["entityId"] not in ctx.store.table(table):
        raise not_found("Listing", listing_id)
    return listing


def _product_items(ctx: Context, rev: dict[str, Any]) -> list[dict[str, Any]]:
    assets, listings = ctx.store.table("assets"), ctx.store.table("listings")
    out = []
    for item in rev.get("items") or ():
        asset = assets.get(item["identifier"])
        listing = listings.get(((asset or {}).get("listing") or {}).get("listingId", ""))
        if listing is not None:
            out.append(
                {
                    "listingId": listing["id"],
                    "listingRevision": listing["revisions"][-1]["listingRevision"],
                    "glossaryTerms": detailed_terms(ctx, item.get("glossaryTerms")),
                }
            )
    return out


def listing_view(
    ctx: Context, listing: dict[str, Any], listing_revision: str | None = None
) -> dict[str, Any]:
    """GetListing-shaped dict."""
    lrev = listing["revisions"][-1]
    if listing_revision is not None:
        lrev = next(
            (r for r in listing["revisions"] if r["listingRevision"] == listing_revision), None
        )
        if lrev is None:
            raise not_found("Listing revision", f"{listing['id']}@{listing_revision}")
    table = "assets" if listing["entityType"] == "ASSET" else "data_products"
    entity = ctx.store.table(table)[listing["entityId"]]
    rev = revision_of(entity, lrev["entityRevision"], "Entity")
    if listing["entityType"] == "ASSET":
        item = {
            "assetListing": {
                "assetId": entity["id"],
                "assetRevision": rev["revision"],
                "assetType": entity["typeIdentifier"],
                "createdAt": lrev["createdAt"],
                "forms": forms_json(rev),
                "glossaryTerms": detailed_terms(ctx, rev.get("glossaryTerms")),
                "owningProjectId": entity["owningProjectId"],
            }
        }
    else:
        item = {
            "dataProductListing": {
                "dataProductId": entity["id"],
                "dataProductRevision": rev["revision"],
                "createdAt": lrev["createdAt"],
                "forms": forms_json(rev),
                "glossaryTerms": detailed_terms(ctx, rev.get("glossaryTerms")),
                "owningProjectId": entity["owningProjectId"],
                "items": _product_items(ctx, rev),
            }
        }
    return {
        **listing,
        "listingRevision": lrev["listingRevision"],
        "item": item,
        "name": rev["name"][:64],
        "description": rev.get("description"),
        "_entity": entity,
        "_rev": rev,
    }


@operation("GetListing")
def get_listing(ctx: Context, p: Params) -> dict[str, Any]:
    listing = _listing(ctx, p["domainIdentifier"], p["identifier"])
    return listing_view(ctx, listing, p.get("listingRevision"))


@operation("DeleteListing")
def delete_listing(ctx: Context, p: Params) -> dict[str, Any]:
    listing = _listing(ctx, p["domainIdentifier"], p["identifier"])
    subscribed = usage.approved_subscriptions(ctx.store, listing["id"])
    if subscribed:
        raise conflict(
            f"Listing {listing['id']} has subscribers (subscriptions {', '.join(subscribed)}); "
            "revoke them first"
        )
    del ctx.store.table("listings")[listing["id"]]
    ctx.store.indexes["LISTING"].remove(listing["id"])
    table = "assets" if listing["entityType"] == "ASSET" else "data_products"
    ctx.store.table(table)[listing["entityId"]].pop("listing", None)
    return {}


#: what search results can be sorted by (FIDELITY.md, SE-5)
SORT_ATTRIBUTES = ("name", "createdAt", "updatedAt")


def search_fields(search_in: list[dict[str, str]] | None) -> tuple[str, ...]:
    """Index fields for `searchIn` attributes; form attributes (`Form.field`) search form text."""
    if not search_in:
        return indexing.TEXT_FIELDS
    return tuple(
        dict.fromkeys(
            a["attribute"] if a["attribute"] in indexing.TEXT_FIELDS else "forms" for a in search_in
        )
    )


def sort_records(
    records: list[dict[str, Any]], sort: dict[str, str] | None
) -> list[dict[str, Any]]:
    if not sort:
        return records
    attr = sort["attribute"]
    if attr not in SORT_ATTRIBUTES:
        raise invalid(f"Sorting by {attr} is not supported; use name, createdAt or updatedAt")
    blank: Any = "" if attr == "name" else 0.0
    return sorted(
        records,
        key=lambda r: r["_attrs"].get(attr) or blank,
        reverse=sort.get("order") == "DESCENDING",
    )


def _search_item(ctx: Context, view: dict[str, Any], extra: list[str]) -> dict[str, Any]:
    entity, rev = view["_entity"], view["_rev"]
    common = {
        "listingId": view["id"],
        "listingRevision": view["listingRevision"],
        "name": view["name"],
        "entityId": entity["id"],
        "entityRevision": rev["revision"],
        "description": rev.get("description"),
        "createdAt": view["createdAt"],
        "listingCreatedBy": view["createdBy"],
        "listingUpdatedBy": view.get("updatedBy"),
        "glossaryTerms": detailed_terms(ctx, rev.get("glossaryTerms")),
        "owningProjectId": entity["owningProjectId"],
    }
    additional: dict[str, Any] = {"forms": forms_json(rev)} if "FORMS" in extra else {}
    if view["entityType"] == "ASSET":
        if "TIME_SERIES_DATA_POINT_FORMS" in extra:
            # the listing shows the asset's latest points without a republish (TS-3)
            additional["latestTimeSeriesDataPointForms"] = timeseries.latest(
                ctx.store, entity["id"]
            )
        item = {**common, "entityType": entity["typeIdentifier"]}
        return {"assetListing": {**item, "additionalAttributes": additional or None}}
    item = {**common, "items": _product_items(ctx, rev)}
    return {"dataProductListing": {**item, "additionalAttributes": additional or None}}


@operation("SearchListings")
def search_listings(ctx: Context, p: Params) -> dict[str, Any]:
    domain_id = domain(ctx, p["domainIdentifier"])["id"]
    store = ctx.store
    listings = store.table("listings")
    clause = p.get("filters")
    check_clause(clause, indexing.ENTITY_ATTRIBUTES)

    def keep(listing_id: str) -> bool:
        listing = listings[listing_id]
        if listing["domainId"] != domain_id:
            return False
        if not clause:
            return True
        entity, rev = indexing.listed_revision(store, listing)
        attrs = {
            **indexing.entity_attributes(store, entity, rev),
            "entityType": listing["entityType"],
        }
        return matches_clause(attrs, clause)

    ids = store.indexes["LISTING"].query(
        p.get("searchText"), search_fields(p.get("searchIn")), keep
    )
    if p.get("sort"):
        records = []
        for i in ids:
            entity, rev = indexing.listed_revision(store, listings[i])
            records.append({"id": i, "_attrs": indexing.entity_attributes(store, entity, rev)})
        ids = [r["id"] for r in sort_records(records, p["sort"])]
    result = page(ctx, ids, p)
    extra = p.get("additionalAttributes") or []
    result["items"] = [
        _search_item(ctx, listing_view(ctx, listings[i]), extra) for i in result["items"]
    ]
    result["totalMatchCount"] = len(ids)
    return result
