"""Domains, projects, project memberships and (bare) environments."""

from __future__ import annotations

from typing import Any

from mesh_standins.datazone.errors import conflict, not_found
from mesh_standins.datazone.handlers import Context, Params, operation
from mesh_standins.datazone.handlers.common import check_terms, domain, in_domain, page, project
from mesh_standins.datazone.state import new_id, now


@operation("CreateDomain")
def create_domain(ctx: Context, p: Params) -> dict[str, Any]:
    domain_id = f"dzd_{new_id()}"
    ctx.store.claim(
        f"domain|{p['name']}", domain_id, f"Domain with name {p['name']} already exists"
    )
    t = now()
    record = {
        **{
            k: p[k]
            for k in ("name", "description", "singleSignOn", "kmsKeyIdentifier", "tags")
            if k in p
        },
        "id": domain_id,
        "arn": f"arn:aws:datazone:{ctx.region}:{ctx.account}:domain/{domain_id}",
        "status": "AVAILABLE",
        "portalUrl": f"https://{domain_id}.datazone.{ctx.region}.on.aws",
        "domainExecutionRole": p.get(
            "domainExecutionRole", f"arn:aws:iam::{ctx.account}:role/AmazonDataZoneDomainExecution"
        ),
        "domainVersion": p.get("domainVersion", "V1"),
        "serviceRole": p.get("serviceRole"),
        "rootDomainUnitId": new_id(),
        "managedAccountId": ctx.account,
        "createdAt": t,
        "lastUpdatedAt": t,
    }
    ctx.store.table("domains")[domain_id] = record
    return record


@operation("GetDomain")
def get_domain(ctx: Context, p: Params) -> dict[str, Any]:
    return domain(ctx, p["identifier"])


@operation("ListDomains")
def list_domains(ctx: Context, p: Params) -> dict[str, Any]:
    items = [
        d for d in ctx.store.table("domains").values() if p.get("status") in (None, d["status"])
    ]
    return page(ctx, items, p)


@operation("DeleteDomain")
def delete_domain(ctx: Context, p: Params) -> dict[str, Any]:
    record = domain(ctx, p["identifier"])
    del ctx.store.table("domains")[record["id"]]
    ctx.store.release(f"domain|{record['name']}")
    return {"status": "DELETED"}


def _project_key(domain_id: str, name: str) -> str:
    return f"project|{domain_id}|{name}"


def _add_member(
    ctx: Context, project_id: str, domain_id: str, member: dict[str, Any], designation: str
) -> None:
    kind, ident = next(iter(member.items()))
    details = (
        {"user": {"userId": ident}} if kind == "userIdentifier" else {"group": {"groupId": ident}}
    )
    ctx.store.table("memberships")[f"{project_id}|{kind}|{ident}"] = {
        "domainId": domain_id,
        "projectId": project_id,
        "memberDetails": details,
        "designation": designation,
    }


@operation("CreateProject")
def create_project(ctx: Context, p: Params) -> dict[str, Any]:
    domain_id = domain(ctx, p["domainIdentifier"])["id"]
    terms = check_terms(ctx, domain_id, p.get("glossaryTerms"))
    project_id = new_id()
    ctx.store.claim(
        _project_key(domain_id, p["name"]),
        project_id,
        f"A project with name {p['name']} already exists in domain {domain_id}",
    )
    t = now()
    record = {
        "id": project_id,
        "domainId": domain_id,
        "name": p["name"],
        "description": p.get("description"),
        "projectStatus": "ACTIVE",
        "createdBy": ctx.caller,
        "createdAt": t,
        "lastUpdatedAt": t,
        "glossaryTerms": terms or None,
        "domainUnitId": p.get("domainUnitId"),
        "resourceTags": [
            {"key": k, "value": v, "source": "PROJECT"}
            for k, v in (p.get("resourceTags") or {}).items()
        ]
        or None,
    }
    ctx.store.table("projects")[project_id] = record
    # The creator owns the project, as in the console.
    _add_member(ctx, project_id, domain_id, {"userIdentifier": ctx.caller}, "PROJECT_OWNER")
    return record


@operation("GetProject")
def get_project(ctx: Context, p: Params) -> dict[str, Any]:
    return project(ctx, p["domainIdentifier"], p["identifier"])


@operation("ListProjects")
def list_projects(ctx: Context, p: Params) -> dict[str, Any]:
    domain_id = domain(ctx, p["domainIdentifier"])["id"]
    members = ctx.store.table("memberships")
    user = p.get("userIdentifier")
    items = [
        r
        for r in ctx.store.table("projects").values()
        if r["domainId"] == domain_id
        and p.get("name") in (None, r["name"])
        and (user is None or f"{r['id']}|userIdentifier|{user}" in members)
    ]
    return page(ctx, [{**r, "updatedAt": r["lastUpdatedAt"]} for r in items], p)


@operation("UpdateProject")
def update_project(ctx: Context, p: Params) -> dict[str, Any]:
    record = project(ctx, p["domainIdentifier"], p["identifier"])
    terms = check_terms(ctx, record["domainId"], p.get("glossaryTerms"))
    if "name" in p and p["name"] != record["name"]:
        ctx.store.claim(
            _project_key(record["domainId"], p["name"]),
            record["id"],
            f"A project with name {p['name']} already exists in domain {record['domainId']}",
        )
        ctx.store.release(_project_key(record["domainId"], record["name"]))
        record["name"] = p["name"]
    if "description" in p:
        record["description"] = p["description"]
    if "glossaryTerms" in p:
        record["glossaryTerms"] = terms
    record["lastUpdatedAt"] = now()
    return record


@operation("DeleteProject")
def delete_project(ctx: Context, p: Params) -> dict[str, Any]:
    record = project(ctx, p["domainIdentifier"], p["identifier"])
    owned = any(a["owningProjectId"] == record["id"] for a in ctx.store.table("assets").values())
    if owned and not p.get("skipDeletionCheck"):
        raise conflict(f"Project {record['id']} still owns assets; delete them first")
    del ctx.store.table("projects")[record["id"]]
    ctx.store.release(_project_key(record["domainId"], record["name"]))
    members = ctx.store.table("memberships")
    for key in [k for k in members if k.startswith(f"{record['id']}|")]:
        del members[key]
    return {}


@operation("CreateProjectMembership")
def create_membership(ctx: Context, p: Params) -> dict[str, Any]:
    record = project(ctx, p["domainIdentifier"], p["projectIdentifier"])
    _add_member(ctx, record["id"], record["domainId"], p["member"], p["designation"])
    return {}


@operation("DeleteProjectMembership")
def delete_membership(ctx: Context, p: Params) -> dict[str, Any]:
    record = project(ctx, p["domainIdentifier"], p["projectIdentifier"])
    kind, ident = next(iter(p["member"].items()))
    if ctx.store.table("memberships").pop(f"{record['id']}|{kind}|{ident}", None) is None:
        raise not_found("Project membership", ident)
    return {}


@operation("ListProjectMemberships")
def list_memberships(ctx: Context, p: Params) -> dict[str, Any]:
    record = project(ctx, p["domainIdentifier"], p["projectIdentifier"])
    items = [m for m in ctx.store.table("memberships").values() if m["projectId"] == record["id"]]
    return page(ctx, items, p, key="members")


@operation("CreateEnvironment")
def create_environment(ctx: Context, p: Params) -> dict[str, Any]:
    proj = project(ctx, p["domainIdentifier"], p["projectIdentifier"])
    env_id = new_id()
    t = now()
    record = {
        "id": env_id,
        "domainId": proj["domainId"],
        "projectId": proj["id"],
        "name": p["name"],
        "description": p.get("description"),
        "createdBy": ctx.caller,
        "createdAt": t,
        "updatedAt": t,
        "environmentProfileId": p.get("environmentProfileIdentifier", ""),
        "awsAccountId": p.get("environmentAccountIdentifier", ctx.account),
        "awsAccountRegion": p.get("environmentAccountRegion", ctx.region),
        "provider": "Amazon DataZone",
        "status": "ACTIVE",
        "glossaryTerms": check_terms(ctx, proj["domainId"], p.get("glossaryTerms")) or None,
    }
    ctx.store.table("environments")[env_id] = record
    return record


@operation("GetEnvironment")
def get_environment(ctx: Context, p: Params) -> dict[str, Any]:
    return in_domain(ctx, "environments", "Environment", p["domainIdentifier"], p["identifier"])


@operation("ListEnvironments")
def list_environments(ctx: Context, p: Params) -> dict[str, Any]:
    proj = project(ctx, p["domainIdentifier"], p["projectIdentifier"])
    items = [e for e in ctx.store.table("environments").values() if e["projectId"] == proj["id"]]
    return page(ctx, items, p)
