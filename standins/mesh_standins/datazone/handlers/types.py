"""Form types (Smithy models, revisions) and asset types, plus form validation against them."""

from __future__ import annotations

import functools
import json
from typing import Any

from mesh_standins.datazone import managed
from mesh_standins.datazone.errors import conflict, invalid, not_found
from mesh_standins.datazone.handlers import Context, Params, operation
from mesh_standins.datazone.handlers.common import check_terms, domain, project, revision_of
from mesh_standins.datazone.state import now
from publish.datazone.smithy import FormModel, SmithyError, parse_model, validate_content


@functools.lru_cache(maxsize=1024)
def _parsed(smithy: str) -> FormModel:
    return parse_model(smithy)


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
    if name.startswith("amazon.datazone."):
        raise invalid(f"Form type name {name} uses the reserved amazon.datazone namespace")
    smithy = p["model"]["smithy"]
    try:
        _parsed(smithy)
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


@operation("DeleteFormType")
def delete_form_type(ctx: Context, p: Params) -> dict[str, Any]:
    domain_id = domain(ctx, p["domainIdentifier"])["id"]
    key = f"{domain_id}|{p['formTypeIdentifier']}"
    if ctx.store.table("form_types").pop(key, None) is None:
        raise not_found("Form type", p["formTypeIdentifier"])
    return {}


@operation("CreateAssetType")
def create_asset_type(ctx: Context, p: Params) -> dict[str, Any]:
    proj = project(ctx, p["domainIdentifier"], p["owningProjectIdentifier"])
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
    if any(a["typeIdentifier"] == name for a in ctx.store.table("assets").values()):
        raise conflict(f"Asset type {name} is used by assets")
    if ctx.store.table("asset_types").pop(f"{domain_id}|{name}", None) is None:
        raise not_found("Asset type", name)
    return {}


def build_forms(
    ctx: Context,
    domain_id: str,
    asset_type: dict[str, Any] | None,
    forms_input: list[dict[str, Any]],
) -> dict[str, dict[str, Any]]:
    """Validated `FormOutput`s by form name for `FormInput`s.

    A form's type comes from its `typeIdentifier`, else from the asset type's entry of that name;
    its content must be JSON satisfying the form type's Smithy structure.
    """
    entries = asset_type["revisions"][-1]["formsOutput"] if asset_type else {}
    out: dict[str, dict[str, Any]] = {}
    for form in forms_input:
        name = form["formName"]
        type_name = form.get("typeIdentifier") or entries.get(name, {}).get("typeName")
        if type_name is None:
            raise invalid(f"Form {name} needs a typeIdentifier: the asset type has no such form")
        ftype = find_form_type(ctx, domain_id, type_name)
        rev = revision_of({**ftype, "id": ftype["name"]}, form.get("typeRevision"), "Form type")
        if rev.get("status") == "DISABLED":
            raise invalid(f"Form type {type_name} is DISABLED")
        content = form.get("content") or "{}"
        try:
            doc = json.loads(content)
        except ValueError:
            raise invalid(f"Content of form {name} is not valid JSON") from None
        problems = validate_content(_parsed(rev["model"]["smithy"]), doc)
        if problems:
            raise invalid(
                f"Content of form {name} does not match form type {type_name}: "
                + "; ".join(problems)
            )
        if type_name == managed.COLUMN_METADATA_FORM_TYPE:
            for column in doc.get("columnsBusinessMetadata") or ():
                check_terms(ctx, domain_id, column.get("glossaryTerms"))
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
