"""Assets: create, revisions (only via CreateAssetRevision), lookup by id or external id, delete."""

from __future__ import annotations

from typing import Any

from mesh_standins.datazone import managed
from mesh_standins.datazone.errors import not_found
from mesh_standins.datazone.handlers import Context, Params, indexing, operation
from mesh_standins.datazone.handlers.common import (
    check_terms,
    domain,
    page,
    project,
    revision_of,
)
from mesh_standins.datazone.handlers.types import (
    build_forms,
    check_required_forms,
    find_asset_type,
)
from mesh_standins.datazone.state import new_id, now
from mesh_standins.datazone.validation import PATTERN_EXEMPTIONS

# GetAsset documents "externalIdentifer%2F<id>" (sic); botocore sends '%2F' of a '/' in the value.
EXTERNAL_PREFIXES = ("externalIdentifer/", "externalIdentifer%2F", "externalIdentifier/")
PATTERN_EXEMPTIONS[("GetAsset", "identifier")] = lambda v: v.startswith(EXTERNAL_PREFIXES)


def _name_key(domain_id: str, project_id: str, name: str) -> str:
    return f"asset-name|{domain_id}|{project_id}|{name}"


def _external_key(domain_id: str, external_id: str) -> str:
    return f"asset-ext|{domain_id}|{external_id}"


def find_asset(ctx: Context, domain_id: str, identifier: str) -> dict[str, Any]:
    domain(ctx, domain_id)
    for prefix in EXTERNAL_PREFIXES:
        if identifier.startswith(prefix):
            asset_id = ctx.store.keys.get(_external_key(domain_id, identifier[len(prefix) :]))
            break
    else:
        asset_id = identifier
    asset = ctx.store.table("assets").get(asset_id or "")
    if asset is None or asset["domainId"] != domain_id:
        raise not_found("Asset", identifier)
    return asset


def find_by_external(ctx: Context, domain_id: str, external_id: str) -> dict[str, Any] | None:
    asset_id = ctx.store.keys.get(_external_key(domain_id, external_id))
    return ctx.store.table("assets").get(asset_id) if asset_id else None


def asset_view(ctx: Context, asset: dict[str, Any], rev: dict[str, Any]) -> dict[str, Any]:
    """GetAsset-shaped dict of one revision."""
    forms = rev["forms"]
    return {
        **asset,
        "name": rev["name"],
        "description": rev.get("description"),
        "glossaryTerms": rev.get("glossaryTerms") or None,
        "revision": rev["revision"],
        "typeRevision": rev["typeRevision"],
        "createdAt": rev["createdAt"],
        "createdBy": rev["createdBy"],
        "formsOutput": [f for n, f in forms.items() if n not in managed.READ_ONLY_FORMS],
        "readOnlyFormsOutput": [f for n, f in forms.items() if n in managed.READ_ONLY_FORMS]
        or None,
        "listing": asset.get("listing"),
    }


def create_asset_record(
    ctx: Context,
    domain_id: str,
    project_id: str,
    p: Params,
    system_forms: dict[str, dict[str, Any]] | None = None,
    unique_name: bool = True,
) -> dict[str, Any]:
    """Create an asset from CreateAsset-shaped params (also used by data source runs)."""
    asset_type = find_asset_type(ctx, domain_id, p["typeIdentifier"])
    type_rev = revision_of(
        {**asset_type, "id": asset_type["name"]}, p.get("typeRevision"), "Asset type"
    )
    forms = build_forms(ctx, domain_id, asset_type, p.get("formsInput") or [])
    forms.update(system_forms or {})
    check_required_forms(asset_type, forms)
    terms = check_terms(ctx, domain_id, p.get("glossaryTerms"))
    asset_id = new_id()
    claims = []
    if unique_name:
        message = f"An asset with name {p['name']} already exists in project {project_id}"
        claims.append((_name_key(domain_id, project_id, p["name"]), asset_id, message))
    if p.get("externalIdentifier"):
        message = f"An asset with externalIdentifier {p['externalIdentifier']} already exists"
        claims.append((_external_key(domain_id, p["externalIdentifier"]), asset_id, message))
    ctx.store.claim_all(claims)
    t = now()
    asset = {
        "id": asset_id,
        "domainId": domain_id,
        "owningProjectId": project_id,
        "typeIdentifier": asset_type["name"],
        "externalIdentifier": p.get("externalIdentifier"),
        "firstRevisionCreatedAt": t,
        "firstRevisionCreatedBy": ctx.caller,
        "revisions": [
            {
                "revision": "1",
                "name": p["name"],
                "description": p.get("description"),
                "glossaryTerms": terms,
                "forms": forms,
                "typeRevision": type_rev["revision"],
                "createdAt": t,
                "createdBy": ctx.caller,
            }
        ],
    }
    ctx.store.table("assets")[asset_id] = asset
    indexing.index_asset(ctx.store, asset)
    return asset


def add_revision(
    ctx: Context,
    asset: dict[str, Any],
    p: Params,
    system_forms: dict[str, dict[str, Any]] | None = None,
    unique_name: bool = True,
) -> dict[str, Any]:
    """Append a revision: given forms replace same-named ones, omitted fields carry over."""
    domain_id, latest = asset["domainId"], asset["revisions"][-1]
    asset_type = find_asset_type(ctx, domain_id, asset["typeIdentifier"])
    forms = dict(latest["forms"])
    forms.update(build_forms(ctx, domain_id, asset_type, p.get("formsInput") or []))
    forms.update(system_forms or {})
    terms = (
        check_terms(ctx, domain_id, p["glossaryTerms"])
        if "glossaryTerms" in p
        else latest.get("glossaryTerms")
    )
    name = p.get("name", latest["name"])
    if name != latest["name"] and unique_name:
        ctx.store.claim(
            _name_key(domain_id, asset["owningProjectId"], name),
            asset["id"],
            f"An asset with name {name} already exists in project {asset['owningProjectId']}",
        )
        ctx.store.release(_name_key(domain_id, asset["owningProjectId"], latest["name"]))
    rev = {
        "revision": str(int(latest["revision"]) + 1),
        "name": name,
        "description": p["description"] if "description" in p else latest.get("description"),
        "glossaryTerms": terms,
        "forms": forms,
        "typeRevision": p.get("typeRevision", latest["typeRevision"]),
        "createdAt": now(),
        "createdBy": ctx.caller,
    }
    asset["revisions"].append(rev)
    indexing.index_asset(ctx.store, asset)
    return rev


@operation("CreateAsset")
def create_asset(ctx: Context, p: Params) -> dict[str, Any]:
    proj = project(ctx, p["domainIdentifier"], p["owningProjectIdentifier"])
    asset = create_asset_record(ctx, proj["domainId"], proj["id"], p)
    return asset_view(ctx, asset, asset["revisions"][-1])


@operation("GetAsset")
def get_asset(ctx: Context, p: Params) -> dict[str, Any]:
    asset = find_asset(ctx, p["domainIdentifier"], p["identifier"])
    return asset_view(ctx, asset, revision_of(asset, p.get("revision"), "Asset"))


@operation("CreateAssetRevision")
def create_asset_revision(ctx: Context, p: Params) -> dict[str, Any]:
    asset = find_asset(ctx, p["domainIdentifier"], p["identifier"])
    return asset_view(ctx, asset, add_revision(ctx, asset, p))


@operation("ListAssetRevisions")
def list_asset_revisions(ctx: Context, p: Params) -> dict[str, Any]:
    asset = find_asset(ctx, p["domainIdentifier"], p["identifier"])
    items = [{**r, "domainId": asset["domainId"], "id": asset["id"]} for r in asset["revisions"]]
    return page(ctx, items, p)


@operation("DeleteAsset")
def delete_asset(ctx: Context, p: Params) -> dict[str, Any]:
    asset = find_asset(ctx, p["domainIdentifier"], p["identifier"])
    store = ctx.store
    del store.table("assets")[asset["id"]]
    store.release(
        _name_key(asset["domainId"], asset["owningProjectId"], asset["revisions"][-1]["name"])
    )
    if asset.get("externalIdentifier"):
        store.release(_external_key(asset["domainId"], asset["externalIdentifier"]))
    store.indexes["ASSET"].remove(asset["id"])
    listing = store.table("listings").get((asset.get("listing") or {}).get("listingId", ""))
    if listing is not None:
        # The catalog entry goes with the asset; existing subscriptions keep their snapshot.
        listing["status"] = "INACTIVE"
        store.indexes["LISTING"].remove(listing["id"])
    return {}
