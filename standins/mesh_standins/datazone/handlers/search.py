"""Search over the inventory (assets, glossaries, terms, data products) and over types."""

from __future__ import annotations

from typing import Any

from mesh_standins.datazone import managed, timeseries
from mesh_standins.datazone.handlers import Context, Params, indexing, operation
from mesh_standins.datazone.handlers.assets import asset_view
from mesh_standins.datazone.handlers.common import domain, page
from mesh_standins.datazone.handlers.listings import search_fields, sort_records
from mesh_standins.datazone.handlers.types import find_asset_type, find_form_type
from mesh_standins.datazone.search import check_clause, matches_clause, tokenize

#: filter attributes of glossaries and terms
_GLOSSARY_ATTRIBUTES = frozenset(
    {"name", "description", "status", "glossaryId", "owningProjectId", "shortDescription"}
)
_SCOPES = {
    "ASSET": ("assets", "assetItem"),
    "DATA_PRODUCT": ("data_products", "dataProductItem"),
    "GLOSSARY": ("glossaries", "glossaryItem"),
    "GLOSSARY_TERM": ("terms", "glossaryTermItem"),
}


def _attributes(ctx: Context, scope: str, record: dict[str, Any]) -> dict[str, Any]:
    if scope in ("ASSET", "DATA_PRODUCT"):
        return indexing.entity_attributes(ctx.store, record, record["revisions"][-1])
    return {**record, "owningProjectId": record.get("owningProjectId")}


def _item(ctx: Context, scope: str, record: dict[str, Any], extra: list[str]) -> dict[str, Any]:
    if scope == "ASSET":
        view = asset_view(ctx, record, record["revisions"][-1])
        item = {
            **view,
            "identifier": record["id"],
            "createdAt": record["firstRevisionCreatedAt"],
            "createdBy": record["firstRevisionCreatedBy"],
        }
        additional: dict[str, Any] = {}
        if "FORMS" in extra:
            additional.update(
                formsOutput=view["formsOutput"], readOnlyFormsOutput=view["readOnlyFormsOutput"]
            )
        if "TIME_SERIES_DATA_POINT_FORMS" in extra:
            additional["latestTimeSeriesDataPointFormsOutput"] = timeseries.latest(
                ctx.store, record["id"]
            )
        item["additionalAttributes"] = additional or None
        return item
    if scope == "DATA_PRODUCT":
        rev = record["revisions"][-1]
        return {
            **record,
            "name": rev["name"],
            "description": rev.get("description"),
            "glossaryTerms": rev.get("glossaryTerms") or None,
            "createdAt": record["firstRevisionCreatedAt"],
            "createdBy": record["firstRevisionCreatedBy"],
        }
    return record


@operation("Search")
def search(ctx: Context, p: Params) -> dict[str, Any]:
    domain_id = domain(ctx, p["domainIdentifier"])["id"]
    scope = p["searchScope"]
    table, key = _SCOPES[scope]
    records = ctx.store.table(table)
    owner = p.get("owningProjectIdentifier")
    clause = p.get("filters")
    entity = scope in ("ASSET", "DATA_PRODUCT")
    check_clause(clause, indexing.ENTITY_ATTRIBUTES if entity else _GLOSSARY_ATTRIBUTES)

    def keep(record_id: str) -> bool:
        record = records[record_id]
        if record["domainId"] != domain_id or owner not in (None, record.get("owningProjectId")):
            return False
        return matches_clause(_attributes(ctx, scope, record), clause) if clause else True

    fields = search_fields(p.get("searchIn"))
    ids = ctx.store.indexes[scope].query(p.get("searchText"), fields, keep)
    if p.get("sort"):
        ranked = [{"id": i, "_attrs": _attributes(ctx, scope, records[i])} for i in ids]
        ids = [r["id"] for r in sort_records(ranked, p["sort"])]
    result = page(ctx, ids, p)
    extra = p.get("additionalAttributes") or []
    result["items"] = [{key: _item(ctx, scope, records[i], extra)} for i in result["items"]]
    result["totalMatchCount"] = len(ids)
    return result


@operation("SearchTypes")
def search_types(ctx: Context, p: Params) -> dict[str, Any]:
    """A linear scan (few types). `managed` picks amazon.datazone.* types, else custom ones."""
    domain_id = domain(ctx, p["domainIdentifier"])["id"]
    scope = p["searchScope"]
    if p["managed"]:
        names = list(managed.ASSET_TYPES if scope == "ASSET_TYPE" else managed.FORM_TYPES)
    else:
        table = "asset_types" if scope == "ASSET_TYPE" else "form_types"
        names = [r["name"] for r in ctx.store.table(table).values() if r["domainId"] == domain_id]
    if scope == "LINEAGE_NODE_TYPE":
        names = []
    find = find_asset_type if scope == "ASSET_TYPE" else find_form_type
    items = []
    for name in names:
        record = find(ctx, domain_id, name)
        view = {**record["revisions"][-1], "domainId": domain_id, "name": name}
        words = tokenize(p.get("searchText") or "")
        text = tokenize(f"{name} {view.get('description') or ''}")
        if all(any(t.startswith(w) for t in text) for w in words) and matches_clause(
            view, p.get("filters")
        ):
            items.append({"assetTypeItem" if scope == "ASSET_TYPE" else "formTypeItem": view})
    result = page(ctx, items, p)
    result["totalMatchCount"] = len(items)
    return result
