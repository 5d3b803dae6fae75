"""Assets: create, revisions (full snapshots, FIDELITY.md AS-*), lookup by id or external id,
delete (refused while in a data product or subscribed to, DE-5/DE-6)."""

from __future__ import annotations

from typing import Any

from mesh_standins.datazone import managed, timeseries
from mesh_standins.datazone.errors import conflict, not_found
from mesh_standins.datazone.handlers import Context, Params, indexing, operation, usage
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
        "latestTimeSeriesDataPointFormsOutput": timeseries.latest(ctx.store, asset["id"]),
        "listing": asset.get("listing"),
    }


def _type_revision(asset_type: dict[str, Any], revision: str | None) -> str:
    return str(
        revision_of({**asset_type, "id": asset_type["name"]}, revision, "Asset type")["revision"]
    )


def create_asset_record(
    ctx: Context,
    domain_id: str,
    project_id: str,
    p: Params,
    system_forms: dict[str, dict[str, Any]] | None = None,
    unique_name: bool = True,
) -> dict[str, Any]:
    """Create an asset from CreateAsset-shaped params (also used by data source runs, whose
    service-written forms come in `system_forms`)."""
    asset_type = find_asset_type(ctx, domain_id, p["typeIdentifier"])
    type_revision = _type_revision(asset_type, p.get("typeRevision"))
    forms = build_forms(ctx, domain_id, asset_type, p.get("formsInput") or [], latest_only=True)
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
                "typeRevision": type_revision,
                "createdAt": t,
                "createdBy": ctx.caller,
            }
        ],
    }
    ctx.store.table("assets")[asset_id] = asset
    indexing.index_asset(ctx.store, asset)
    return asset


def _append(
    ctx: Context, asset: dict[str, Any], rev: dict[str, Any], unique_name: bool
) -> dict[str, Any]:
    """Add `rev` as the asset's next revision (renaming claims the new name first)."""
    domain_id, latest = asset["domainId"], asset["revisions"][-1]
    project_id = asset["owningProjectId"]
    if rev["name"] != latest["name"] and unique_name:
        ctx.store.claim(
            _name_key(domain_id, project_id, rev["name"]),
            asset["id"],
            f"An asset with name {rev['name']} already exists in project {project_id}",
        )
        ctx.store.release(_name_key(domain_id, project_id, latest["name"]))
    rev.update(revision=str(int(latest["revision"]) + 1), createdAt=now(), createdBy=ctx.caller)
    asset["revisions"].append(rev)
    indexing.index_asset(ctx.store, asset)
    return rev


def snapshot_revision(ctx: Context, asset: dict[str, Any], p: Params) -> dict[str, Any]:
    """CreateAssetRevision: the new revision is exactly the request (FIDELITY.md, AS-2), plus
    the read-only forms the service writes; what the request leaves out is not carried over."""
    domain_id, latest = asset["domainId"], asset["revisions"][-1]
    asset_type = find_asset_type(ctx, domain_id, asset["typeIdentifier"])
    forms = build_forms(ctx, domain_id, asset_type, p.get("formsInput") or [], latest_only=True)
    for name in managed.READ_ONLY_FORMS & set(latest["forms"]):
        forms.setdefault(name, latest["forms"][name])
    check_required_forms(asset_type, forms)
    rev = {
        "name": p["name"],
        "description": p.get("description"),
        "glossaryTerms": check_terms(ctx, domain_id, p.get("glossaryTerms")),
        "forms": forms,
        "typeRevision": _type_revision(asset_type, p.get("typeRevision")),
    }
    return _append(ctx, asset, rev, unique_name=True)


def source_revision(
    ctx: Context, asset: dict[str, Any], changes: Params, system_forms: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """A revision written by a data source run: the technical forms it owns change, the
    business metadata people added (terms, other forms) is kept."""
    latest = asset["revisions"][-1]
    rev = {
        "name": latest["name"],
        "description": changes.get("description", latest.get("description")),
        "glossaryTerms": latest.get("glossaryTerms"),
        "forms": {**latest["forms"], **system_forms},
        "typeRevision": latest["typeRevision"],
    }
    return _append(ctx, asset, rev, unique_name=False)


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
    return asset_view(ctx, asset, snapshot_revision(ctx, asset, p))


@operation("ListAssetRevisions")
def list_asset_revisions(ctx: Context, p: Params) -> dict[str, Any]:
    asset = find_asset(ctx, p["domainIdentifier"], p["identifier"])
    items = [{**r, "domainId": asset["domainId"], "id": asset["id"]} for r in asset["revisions"]]
    return page(ctx, items, p)


@operation("DeleteAsset")
def delete_asset(ctx: Context, p: Params) -> dict[str, Any]:
    asset = find_asset(ctx, p["domainIdentifier"], p["identifier"])
    store = ctx.store
    products = usage.products_with_asset(store, asset)
    if products:
        raise conflict(
            f"Asset {asset['id']} is an item of data product(s) {', '.join(products)}; "
            "remove it from them first"
        )
    listing = store.table("listings").get((asset.get("listing") or {}).get("listingId", ""))
    if listing is not None:
        subscribed = usage.approved_subscriptions(store, listing["id"])
        if subscribed:
            raise conflict(
                f"Asset {asset['id']} has subscribers (subscriptions {', '.join(subscribed)}); "
                "revoke them first"
            )
    del store.table("assets")[asset["id"]]
    store.release(
        _name_key(asset["domainId"], asset["owningProjectId"], asset["revisions"][-1]["name"])
    )
    if asset.get("externalIdentifier"):
        store.release(_external_key(asset["domainId"], asset["externalIdentifier"]))
    store.indexes["ASSET"].remove(asset["id"])
    timeseries.drop(store, asset["id"])
    if listing is not None:
        # The catalog entry goes with the asset (User Guide, "Delete an Amazon DataZone asset").
        listing["status"] = "INACTIVE"
        store.indexes["LISTING"].remove(listing["id"])
    return {}
