"""Who uses a resource: the checks behind the deletions DataZone refuses (FIDELITY.md, DE-*).

Linear scans over the store: deletions are rare, and a scan cannot go stale like an index.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mesh_standins.datazone.handlers import indexing
from mesh_standins.datazone.state import Store


def _revisions(store: Store, table: str, domain_id: str) -> Iterator[dict[str, Any]]:
    for record in store.table(table).values():
        if record["domainId"] == domain_id:
            yield from record["revisions"]


def term_users(store: Store, domain_id: str, term_id: str) -> list[str]:
    """What still refers to a glossary term: assets, data products, other terms."""
    users = []
    for asset in store.table("assets").values():
        if asset["domainId"] == domain_id and any(
            term_id in indexing.term_ids(store, domain_id, rev) for rev in asset["revisions"]
        ):
            users.append(f"asset {asset['id']}")
    for product in store.table("data_products").values():
        if product["domainId"] != domain_id:
            continue
        for rev in product["revisions"]:
            item_terms = [t for i in rev.get("items") or () for t in i.get("glossaryTerms") or ()]
            if term_id in indexing.term_ids(store, domain_id, rev) or term_id in item_terms:
                users.append(f"data product {product['id']}")
                break
    for term in store.table("terms").values():
        related = [i for ids in (term.get("termRelations") or {}).values() for i in ids]
        if term["id"] != term_id and term["domainId"] == domain_id and term_id in related:
            users.append(f"glossary term {term['id']}")
    return users


def form_type_users(store: Store, domain_id: str, name: str) -> list[str]:
    """Asset types and assets (any revision) with a form of this type."""
    users = []
    for record in store.table("asset_types").values():
        if record["domainId"] == domain_id and any(
            f["typeName"] == name
            for rev in record["revisions"]
            for f in rev["formsOutput"].values()
        ):
            users.append(f"asset type {record['name']}")
    for asset in store.table("assets").values():
        if asset["domainId"] == domain_id and any(
            f["typeName"] == name for rev in asset["revisions"] for f in rev["forms"].values()
        ):
            users.append(f"asset {asset['id']}")
    for rev in _revisions(store, "data_products", domain_id):
        if any(f["typeName"] == name for f in rev["forms"].values()):
            users.append("a data product")
            break
    return users


def asset_type_users(store: Store, domain_id: str, name: str) -> list[str]:
    return [
        f"asset {a['id']}"
        for a in store.table("assets").values()
        if a["domainId"] == domain_id and a["typeIdentifier"] == name
    ]


def products_with_asset(store: Store, asset: dict[str, Any]) -> list[str]:
    """Data products whose latest or listed revision has the asset as an item."""
    found = []
    listings = store.table("listings")
    for product in store.table("data_products").values():
        if product["domainId"] != asset["domainId"]:
            continue
        revisions = [product["revisions"][-1]]
        listing = listings.get((product.get("listing") or {}).get("listingId", ""))
        if listing is not None and listing["status"] == "ACTIVE":
            listed = listing["revisions"][-1]["entityRevision"]
            revisions += [r for r in product["revisions"] if r["revision"] == listed]
        if any(i["identifier"] == asset["id"] for r in revisions for i in r.get("items") or ()):
            found.append(product["id"])
    return found


def approved_subscriptions(store: Store, listing_id: str) -> list[str]:
    return [
        s["id"]
        for s in store.table("subscriptions").values()
        if s["subscribedListing"]["id"] == listing_id and s["status"] == "APPROVED"
    ]
