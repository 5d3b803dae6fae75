"""Helpers shared by handlers: lookups that raise the service's errors, paging, glossary terms."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mesh_standins.datazone.errors import ServiceError, invalid, not_found
from mesh_standins.datazone.handlers import Context, Params
from mesh_standins.datazone.state import paginate


def domain(ctx: Context, domain_id: str) -> dict[str, Any]:
    record = ctx.store.table("domains").get(domain_id)
    if record is None or record["status"] == "DELETED":
        raise not_found("Domain", domain_id)
    return record


def in_domain(ctx: Context, table: str, kind: str, domain_id: str, ident: str) -> dict[str, Any]:
    """A record of `table` by id, which must belong to the domain (the domain must exist)."""
    domain(ctx, domain_id)
    record = ctx.store.table(table).get(ident)
    if record is None or record["domainId"] != domain_id:
        raise not_found(kind, ident)
    return record


def project(ctx: Context, domain_id: str, ident: str) -> dict[str, Any]:
    return in_domain(ctx, "projects", "Project", domain_id, ident)


def page(ctx: Context, items: Sequence[Any], p: Params, key: str = "items") -> dict[str, Any]:
    """`{key: page, nextToken}` with the request's maxResults capped by the server page size."""
    chunk, token = paginate(items, p.get("maxResults"), p.get("nextToken"), ctx.page_size)
    return {key: chunk, "nextToken": token}


def check_terms(ctx: Context, domain_id: str, term_ids: Sequence[str] | None) -> list[str]:
    """Glossary terms attached to something must exist in the domain and be ENABLED."""
    terms = ctx.store.table("terms")
    for term_id in term_ids or ():
        term = terms.get(term_id)
        if term is None or term["domainId"] != domain_id:
            raise not_found("Glossary term", term_id)
        if term["status"] != "ENABLED":
            raise invalid(f"Glossary term {term_id} is DISABLED and cannot be used")
    return list(dict.fromkeys(term_ids or ()))


def detailed_terms(ctx: Context, term_ids: Sequence[str] | None) -> list[dict[str, Any]]:
    """`DetailedGlossaryTerm`s (name + shortDescription) for ids, skipping deleted terms."""
    terms = ctx.store.table("terms")
    return [
        {"name": t["name"], "shortDescription": t.get("shortDescription")}
        for t in (terms.get(i) for i in term_ids or ())
        if t is not None
    ]


def revision_of(record: dict[str, Any], revision: str | None, kind: str) -> dict[str, Any]:
    """The requested revision of a revisioned record (assets, data products), else the latest."""
    revisions = record["revisions"]
    if revision is None:
        return revisions[-1]
    for rev in revisions:
        if rev["revision"] == revision:
            return rev
    raise not_found(f"{kind} revision", f"{record['id']}@{revision}")


def require(value: Any, message: str) -> None:
    if not value:
        raise ServiceError("ValidationException", message)
