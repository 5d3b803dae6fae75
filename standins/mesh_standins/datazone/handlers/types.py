"""Form types (Smithy models, revisions) and asset types, plus form validation against them."""

from __future__ import annotations

import json
from typing import Any

from mesh_standins.datazone import managed
from mesh_standins.datazone.errors import conflict, invalid, not_found
from mesh_standins.datazone.handlers import Context, Params, operation, usage
from mesh_standins.datazone.handlers.common import check_terms, domain, project, revision_of
from mesh_standins.datazone.handlers.indexing import annotated_terms, parsed_model
from mesh_standins.datazone.state import now
from publish.datazone.smithy import SmithyError, validate_content


def find_form_type(ctx: Context, domain_id: str, name: str) -> dict[str, Any]:
    record = ctx.store.table("form_types").get(f"{domain_id}|{name}") or managed.form_type_record(
        domain_id, name
    )
    if record is None:
        raise not_found("Form type", name)
    return record


def find_asset_type(ctx: Context, domain_id: str, name: str) -> dict[str, Any]:
    record = ctx.store.table("asset_types").get(f"{domain_id}|{name}") or managed.asset_type_record(
        domain_id, name
    )
    if record is None:
        raise not_found("Asset type", name)
    return record


def _view(record: dict[str, Any], rev: dict[str, Any]) -> dict[str, Any]:
    return {**rev, "domainId": record["domainId"], "name": record["name"]}


@operation("CreateFormType")
def create_form_type(ctx: Context, p: Params) -> dict[str, Any]:
    proj = project(ctx, p["domainIdentifier"], p["owningProjectIdentifier"])
    name = p["name"]
    _not_managed("Form type", name, "created or revised")
    smithy = p["model"]["smithy"]
    try:
        parsed_model(smithy)
    except SmithyError as err:
        raise invalid(f"Form type model is not valid Smithy: {err}") from None
    key = f"{proj['domainId']}|{name}"
    record = ctx.store.table("form_types").get(key)
    rev = {
        "model": {"smithy": smithy},
        "status": p.get("status", "ENABLED"),
        "description": p.get("description"),
        "owningProjectId": proj["id"],
        "createdAt": now(),
        "createdBy": ctx.caller,
    }
    if record is None:
        record = {"domainId": proj["domainId"], "name": name, "revisions": []}
        ctx.store.table("form_types")[key] = record
    else:
        latest = record["revisions"][-1]
        if all(latest.get(k) == rev[k] for k in ("model", "status", "description")):
            raise conflict(f"Form type {name} already exists with this model")
        if latest["owningProjectId"] != proj["id"]:
            raise conflict(f"Form type {name} is owned by project {latest['owningProjectId']}")
    # Creating an existing name with a changed model adds a revision (no UpdateFormType exists).
    rev["revision"] = str(len(record["revisions"]) + 1)
    record["revisions"].append(rev)
    return _view(record, rev)


@operation("GetFormType")
def get_form_type(ctx: Context, p: Params) -> dict[str, Any]:
    domain_id = domain(ctx, p["domainIdentifier"])["id"]
    record = find_form_type(ctx, domain_id, p["formTypeIdentifier"])
    return _view(
        record, revision_of({**record, "id": record["name"]}, p.get("revision"), "Form type")
    )


def _not_managed(kind: str, name: str, verb: str) -> None:
    """System types belong to the service (FIDELITY.md, TY-3)."""
    if managed.is_managed(name):
        raise invalid(f"{kind} {name} is a system type of Amazon DataZone and cannot be {verb}")


def _in_use(kind: str, name: str, users: list[str]) -> None:
    if users:
        shown = ", ".join(users[:5]) + (f" and {len(users) - 5} more" if len(users) > 5 else "")
        raise conflict(f"{kind} {name} is in use by {shown}; remove those uses first")


@operation("DeleteFormType")
def delete_form_type(ctx: Context, p: Params) -> dict[str, Any]:
    domain_id = domain(ctx, p["domainIdentifier"])["id"]
    name = p["formTypeIdentifier"]
    _not_managed("Form type", name, "deleted")
    key = f"{domain_id}|{name}"
    if key not in ctx.store.table("form_types"):
        raise not_found("Form type", name)
    _in_use("Form type", name, usage.form_type_users(ctx.store, domain_id, name))
    del ctx.store.table("form_types")[key]
    return {}


@operation("CreateAssetType")
def create_asset_type(ctx: Context, p: Params) -> dict[str, Any]:
    proj = project(ctx, p["domainIdentifier"], p["owningProjectIdentifier"])
    _not_managed("Asset type", p["name"], "created or revised")
    forms = {}
    for form_name, entry in p["formsInput"].items():
        ftype = find_form_type(ctx, proj["domainId"], entry["typeIdentifier"])
        revision_of({**ftype, "id": ftype["name"]}, entry["typeRevision"], "Form type")
        forms[form_name] = {
            "typeName": ftype["name"],
            "typeRevision": entry["typeRevision"],
            "required": bool(entry.get("required", False)),
        }
    key = f"{proj['domainId']}|{p['name']}"
    record = ctx.store.table("asset_types").get(key)
    t = now()
    rev = {
        "description": p.get("description"),
        "formsOutput": forms,
        "owningProjectId": proj["id"],
        "createdAt": t,
        "createdBy": ctx.caller,
        "updatedAt": t,
        "updatedBy": ctx.caller,
    }
    if record is None:
        record = {"domainId": proj["domainId"], "name": p["name"], "revisions": []}
        ctx.store.table("asset_types")[key] = record
    elif all(record["revisions"][-1].get(k) == rev[k] for k in ("description", "formsOutput")):
        raise conflict(f"Asset type {p['name']} already exists with these forms")
    rev["revision"] = str(len(record["revisions"]) + 1)
    record["revisions"].append(rev)
    return _view(record, rev)


@operation("GetAssetType")
def get_asset_type(ctx: Context, p: Params) -> dict[str, Any]:
    domain_id = domain(ctx, p["domainIdentifier"])["id"]
    record = find_asset_type(ctx, domain_id, p["identifier"])
    return _view(
        record, revision_of({**record, "id": record["name"]}, p.get("revision"), "Asset type")
    )


@operation("DeleteAssetType")
def delete_asset_type(ctx: Context, p: Params) -> dict[str, Any]:
    domain_id = domain(ctx, p["domainIdentifier"])["id"]
    name = p["identifier"]
    _not_managed("Asset type", name, "deleted")
    key = f"{domain_id}|{name}"
    if key not in ctx.store.table("asset_types"):
        raise not_found("Asset type", name)
    _in_use("Asset type", name, usage.asset_type_users(ctx.store, domain_id, name))
    del ctx.store.table("asset_types")[key]
    return {}


def form_content(name: str, type_name: str, rev: dict[str, Any], content: str) -> Any:
    """The parsed JSON content of a form, validated against its form type revision (TY-4)."""
    try:
        doc = json.loads(content)
    except (ValueError, RecursionError):
        raise invalid(f"Content of form {name} is not valid JSON") from None
    problems = validate_content(parsed_model(rev["model"]["smithy"]), doc)
    if problems:
        raise invalid(
            f"Content of form {name} does not match form type {type_name}: " + "; ".join(problems)
        )
    return doc


def build_forms(
    ctx: Context,
    domain_id: str,
    asset_type: dict[str, Any] | None,
    forms_input: list[dict[str, Any]],
    *,
    latest_only: bool = False,
) -> dict[str, dict[str, Any]]:
    """Validated `FormOutput`s by form name for `FormInput`s.

    A form's type comes from its `typeIdentifier`, else from the asset type's entry of that name;
    its content must be JSON satisfying the form type's Smithy structure. `latest_only`: the
    form type revision must be the latest (FIDELITY.md, AS-4). Time-series form types are
    posted as data points, never attached as forms (TS-2).
    """
    entries = asset_type["revisions"][-1]["formsOutput"] if asset_type else {}
    out: dict[str, dict[str, Any]] = {}
    for form in forms_input:
        name = form["formName"]
        if name in out:
            raise invalid(f"Form {name} is given twice")
        type_name = form.get("typeIdentifier") or entries.get(name, {}).get("typeName")
        if type_name is None:
            raise invalid(f"Form {name} needs a typeIdentifier: the asset type has no such form")
        if type_name in managed.TIME_SERIES_FORM_TYPES:
            raise invalid(
                f"Form {name}: {type_name} is a time series form type; post its content with "
                "PostTimeSeriesDataPoints"
            )
        ftype = find_form_type(ctx, domain_id, type_name)
        record = {**ftype, "id": ftype["name"]}
        rev = revision_of(record, form.get("typeRevision"), "Form type")
        latest = ftype["revisions"][-1]["revision"]
        if latest_only and rev["revision"] != latest:
            raise invalid(
                f"Form {name} uses revision {rev['revision']} of form type {type_name}; "
                f"use the latest revision, {latest}"
            )
        if rev.get("status") == "DISABLED":
            raise invalid(f"Form type {type_name} is DISABLED")
        content = form.get("content") or "{}"
        doc = form_content(name, type_name, rev, content)
        check_terms(ctx, domain_id, annotated_terms(rev["model"]["smithy"], doc))
        out[name] = {
            "formName": name,
            "typeName": type_name,
            "typeRevision": rev["revision"],
            "content": content,
        }
    return out


def check_required_forms(asset_type: dict[str, Any], forms: dict[str, Any]) -> None:
    for name, entry in asset_type["revisions"][-1]["formsOutput"].items():
        if entry.get("required") and name not in forms:
            raise invalid(f"Form {name} is required by asset type {asset_type['name']}")
