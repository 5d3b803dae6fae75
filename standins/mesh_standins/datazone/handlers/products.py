"""Data products: revisions of a named set of assets, published as one listing."""

from __future__ import annotations

from typing import Any

from mesh_standins.datazone.errors import invalid
from mesh_standins.datazone.handlers import Context, Params, indexing, operation
from mesh_standins.datazone.handlers.common import (
    check_terms,
    in_domain,
    page,
    project,
    revision_of,
)
from mesh_standins.datazone.handlers.types import build_forms
from mesh_standins.datazone.state import new_id, now


def _name_key(domain_id: str, name: str) -> str:
    # "The name must be unique within the domain" (API Reference, CreateDataProduct): DP-1
    return f"product-name|{domain_id}|{name}"


def _items(
    ctx: Context, domain_id: str, project_id: str, items: list[dict[str, Any]] | None
) -> list[dict[str, Any]]:
    """Items are assets of the product's own project (at a revision, latest by default)."""
    out = []
    for item in items or ():
        asset = in_domain(ctx, "assets", "Asset", domain_id, item["identifier"])
        if asset["owningProjectId"] != project_id:
            raise invalid(f"Asset {asset['id']} is not owned by project {project_id}")
        revision_of(asset, item.get("revision"), "Asset")
        check_terms(ctx, domain_id, item.get("glossaryTerms"))
        out.append({**item, "revision": item.get("revision") or asset["revisions"][-1]["revision"]})
    return out


def _view(product: dict[str, Any], rev: dict[str, Any]) -> dict[str, Any]:
    return {
        **product,
        **{k: rev.get(k) for k in ("name", "description", "revision", "createdAt", "createdBy")},
        "glossaryTerms": rev.get("glossaryTerms") or None,
        "items": rev.get("items") or None,
        "formsOutput": list(rev["forms"].values()) or None,
        "status": "CREATED",
    }


def _revision(
    ctx: Context, domain_id: str, project_id: str, p: Params, number: int
) -> dict[str, Any]:
    return {
        "revision": str(number),
        "name": p["name"],
        "description": p.get("description"),
        "glossaryTerms": check_terms(ctx, domain_id, p.get("glossaryTerms")),
        "items": _items(ctx, domain_id, project_id, p.get("items")),
        "forms": build_forms(ctx, domain_id, None, p.get("formsInput") or []),
        "createdAt": now(),
        "createdBy": ctx.caller,
    }


@operation("CreateDataProduct")
def create_data_product(ctx: Context, p: Params) -> dict[str, Any]:
    proj = project(ctx, p["domainIdentifier"], p["owningProjectIdentifier"])
    product_id = new_id()
    rev = _revision(ctx, proj["domainId"], proj["id"], p, 1)
    ctx.store.claim(
        _name_key(proj["domainId"], p["name"]),
        product_id,
        f"A data product with name {p['name']} already exists in domain {proj['domainId']}",
    )
    product = {
        "id": product_id,
        "domainId": proj["domainId"],
        "owningProjectId": proj["id"],
        "firstRevisionCreatedAt": rev["createdAt"],
        "firstRevisionCreatedBy": ctx.caller,
        "revisions": [rev],
    }
    ctx.store.table("data_products")[product_id] = product
    indexing.index_product(ctx.store, product)
    return _view(product, rev)


@operation("GetDataProduct")
def get_data_product(ctx: Context, p: Params) -> dict[str, Any]:
    product = in_domain(
        ctx, "data_products", "Data product", p["domainIdentifier"], p["identifier"]
    )
    return _view(product, revision_of(product, p.get("revision"), "Data product"))


@operation("CreateDataProductRevision")
def create_data_product_revision(ctx: Context, p: Params) -> dict[str, Any]:
    product = in_domain(
        ctx, "data_products", "Data product", p["domainIdentifier"], p["identifier"]
    )
    domain_id, project_id = product["domainId"], product["owningProjectId"]
    latest = product["revisions"][-1]
    rev = _revision(ctx, domain_id, project_id, p, int(latest["revision"]) + 1)
    if p["name"] != latest["name"]:
        ctx.store.claim(
            _name_key(domain_id, p["name"]),
            product["id"],
            f"A data product with name {p['name']} already exists in domain {domain_id}",
        )
        ctx.store.release(_name_key(domain_id, latest["name"]))
    product["revisions"].append(rev)
    indexing.index_product(ctx.store, product)
    return _view(product, rev)


@operation("ListDataProductRevisions")
def list_data_product_revisions(ctx: Context, p: Params) -> dict[str, Any]:
    product = in_domain(
        ctx, "data_products", "Data product", p["domainIdentifier"], p["identifier"]
    )
    items = [
        {**r, "domainId": product["domainId"], "id": product["id"]} for r in product["revisions"]
    ]
    return page(ctx, items, p)


@operation("DeleteDataProduct")
def delete_data_product(ctx: Context, p: Params) -> dict[str, Any]:
    product = in_domain(
        ctx, "data_products", "Data product", p["domainIdentifier"], p["identifier"]
    )
    del ctx.store.table("data_products")[product["id"]]
    ctx.store.release(_name_key(product["domainId"], product["revisions"][-1]["name"]))
    ctx.store.indexes["DATA_PRODUCT"].remove(product["id"])
    listing = ctx.store.table("listings").get((product.get("listing") or {}).get("listingId", ""))
    if listing is not None:
        listing["status"] = "INACTIVE"
        ctx.store.indexes["LISTING"].remove(listing["id"])
    return {}
