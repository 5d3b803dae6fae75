"""Business glossaries and their terms (status, relations); assets attach terms elsewhere."""

from __future__ import annotations

from typing import Any

from mesh_standins.datazone.errors import conflict, not_found
from mesh_standins.datazone.handlers import Context, Params, indexing, operation, usage
from mesh_standins.datazone.handlers.common import in_domain, project
from mesh_standins.datazone.state import new_id, now


def _glossary_key(domain_id: str, name: str) -> str:
    return f"glossary|{domain_id}|{name}"


def _term_key(glossary_id: str, name: str) -> str:
    return f"term|{glossary_id}|{name}"


@operation("CreateGlossary")
def create_glossary(ctx: Context, p: Params) -> dict[str, Any]:
    proj = project(ctx, p["domainIdentifier"], p["owningProjectIdentifier"])
    glossary_id = new_id()
    ctx.store.claim(
        _glossary_key(proj["domainId"], p["name"]),
        glossary_id,
        f"A glossary with name {p['name']} already exists in domain {proj['domainId']}",
    )
    t = now()
    record = {
        "id": glossary_id,
        "domainId": proj["domainId"],
        "owningProjectId": proj["id"],
        "name": p["name"],
        "description": p.get("description"),
        "status": p.get("status", "ENABLED"),
        "usageRestrictions": p.get("usageRestrictions"),
        "createdAt": t,
        "createdBy": ctx.caller,
        "updatedAt": t,
        "updatedBy": ctx.caller,
    }
    ctx.store.table("glossaries")[glossary_id] = record
    indexing.index_glossary(ctx.store, record)
    return record


@operation("GetGlossary")
def get_glossary(ctx: Context, p: Params) -> dict[str, Any]:
    return in_domain(ctx, "glossaries", "Glossary", p["domainIdentifier"], p["identifier"])


@operation("UpdateGlossary")
def update_glossary(ctx: Context, p: Params) -> dict[str, Any]:
    record = get_glossary(ctx, p)
    if "name" in p and p["name"] != record["name"]:
        ctx.store.claim(
            _glossary_key(record["domainId"], p["name"]),
            record["id"],
            f"A glossary with name {p['name']} already exists in domain {record['domainId']}",
        )
        ctx.store.release(_glossary_key(record["domainId"], record["name"]))
    record.update({k: p[k] for k in ("name", "description", "status") if k in p})
    record.update(updatedAt=now(), updatedBy=ctx.caller)
    indexing.index_glossary(ctx.store, record)
    return record


@operation("DeleteGlossary")
def delete_glossary(ctx: Context, p: Params) -> dict[str, Any]:
    record = get_glossary(ctx, p)
    if any(t["glossaryId"] == record["id"] for t in ctx.store.table("terms").values()):
        raise conflict(f"Glossary {record['id']} still has terms; delete them first")
    if record["status"] != "DISABLED":
        raise conflict(f"Glossary {record['id']} is {record['status']}; disable it first")
    del ctx.store.table("glossaries")[record["id"]]
    ctx.store.release(_glossary_key(record["domainId"], record["name"]))
    ctx.store.indexes["GLOSSARY"].remove(record["id"])
    return {}


def _relations(
    ctx: Context, domain_id: str, relations: dict[str, Any] | None
) -> dict[str, Any] | None:
    """isA / classifies must name existing terms of the same domain."""
    if not relations:
        return None
    terms = ctx.store.table("terms")
    for ids in relations.values():
        for term_id in ids:
            if term_id not in terms or terms[term_id]["domainId"] != domain_id:
                raise not_found("Glossary term", term_id)
    return relations


@operation("CreateGlossaryTerm")
def create_term(ctx: Context, p: Params) -> dict[str, Any]:
    glossary = in_domain(
        ctx, "glossaries", "Glossary", p["domainIdentifier"], p["glossaryIdentifier"]
    )
    relations = _relations(ctx, glossary["domainId"], p.get("termRelations"))
    term_id = new_id()
    ctx.store.claim(
        _term_key(glossary["id"], p["name"]),
        term_id,
        f"A glossary term with name {p['name']} already exists in glossary {glossary['id']}",
    )
    t = now()
    record = {
        "id": term_id,
        "domainId": glossary["domainId"],
        "glossaryId": glossary["id"],
        "name": p["name"],
        "status": p.get("status", "ENABLED"),
        "shortDescription": p.get("shortDescription"),
        "longDescription": p.get("longDescription"),
        "termRelations": relations,
        "usageRestrictions": glossary.get("usageRestrictions"),
        "createdAt": t,
        "createdBy": ctx.caller,
        "updatedAt": t,
        "updatedBy": ctx.caller,
    }
    ctx.store.table("terms")[term_id] = record
    indexing.index_term(ctx.store, record)
    return record


@operation("GetGlossaryTerm")
def get_term(ctx: Context, p: Params) -> dict[str, Any]:
    return in_domain(ctx, "terms", "Glossary term", p["domainIdentifier"], p["identifier"])


@operation("UpdateGlossaryTerm")
def update_term(ctx: Context, p: Params) -> dict[str, Any]:
    record = get_term(ctx, p)
    relations = _relations(ctx, record["domainId"], p.get("termRelations"))
    if "name" in p and p["name"] != record["name"]:
        ctx.store.claim(
            _term_key(record["glossaryId"], p["name"]),
            record["id"],
            f"A glossary term named {p['name']} already exists in glossary {record['glossaryId']}",
        )
        ctx.store.release(_term_key(record["glossaryId"], record["name"]))
    if "termRelations" in p:
        record["termRelations"] = relations
    record.update(
        {k: p[k] for k in ("name", "shortDescription", "longDescription", "status") if k in p}
    )
    record.update(updatedAt=now(), updatedBy=ctx.caller)
    indexing.index_term(ctx.store, record)
    return record


@operation("DeleteGlossaryTerm")
def delete_term(ctx: Context, p: Params) -> dict[str, Any]:
    record = get_term(ctx, p)
    users = usage.term_users(ctx.store, record["domainId"], record["id"])
    if record.get("termRelations"):
        users.append("its own termRelations")
    if users:
        raise conflict(
            f"Glossary term {record['id']} is linked to {', '.join(users[:5])}"
            + (f" and {len(users) - 5} more" if len(users) > 5 else "")
            + "; remove those associations first"
        )
    del ctx.store.table("terms")[record["id"]]
    ctx.store.release(_term_key(record["glossaryId"], record["name"]))
    ctx.store.indexes["GLOSSARY_TERM"].remove(record["id"])
    return {}
