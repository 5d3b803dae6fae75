"""What search sees of each record: text per field for the indexes, and filter attributes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from mesh_standins.datazone import managed
from mesh_standins.datazone.state import Store

TEXT_FIELDS = ("name", "description", "glossaryTerms", "forms")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _contents(forms: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name, form in forms.items():
        try:
            out[name] = json.loads(form.get("content") or "{}")
        except ValueError:
            out[name] = {}
    return out


def term_ids(rev: dict[str, Any]) -> list[str]:
    """Asset-level terms plus the terms attached to columns (ColumnBusinessMetadataForm)."""
    ids = list(rev.get("glossaryTerms") or ())
    for name, form in rev.get("forms", {}).items():
        if form.get("typeName") == managed.COLUMN_METADATA_FORM_TYPE:
            content = _contents({name: form})[name]
            for column in content.get("columnsBusinessMetadata") or ():
                ids.extend(column.get("glossaryTerms") or ())
    return list(dict.fromkeys(ids))


def _term_names(store: Store, ids: list[str]) -> list[str]:
    terms = store.table("terms")
    return [terms[i]["name"] for i in ids if i in terms]


def entity_fields(store: Store, rev: dict[str, Any]) -> dict[str, list[str]]:
    return {
        "name": [rev.get("name") or ""],
        "description": [rev.get("description") or ""],
        "glossaryTerms": _term_names(store, term_ids(rev)),
        "forms": list(_strings(_contents(rev.get("forms", {})))),
    }


def entity_attributes(store: Store, record: dict[str, Any], rev: dict[str, Any]) -> dict[str, Any]:
    """Filterable attributes: plain fields plus `<formName>.<field>` for top-level form values."""
    ids = term_ids(rev)
    attrs: dict[str, Any] = {
        "name": rev.get("name"),
        "description": rev.get("description"),
        "owningProjectId": record.get("owningProjectId"),
        "typeName": record.get("typeIdentifier"),
        "typeIdentifier": record.get("typeIdentifier"),
        "externalIdentifier": record.get("externalIdentifier"),
        "glossaryTerms": ids + _term_names(store, ids),
        "createdAt": record.get("createdAt"),
        "updatedAt": rev.get("createdAt"),
    }
    for form_name, content in _contents(rev.get("forms", {})).items():
        if isinstance(content, dict):
            for key, value in content.items():
                if isinstance(value, str | int | float | bool):
                    attrs[f"{form_name}.{key}"] = value
    return attrs


def index_asset(store: Store, asset: dict[str, Any]) -> None:
    store.indexes["ASSET"].put(asset["id"], entity_fields(store, asset["revisions"][-1]))


def index_product(store: Store, product: dict[str, Any]) -> None:
    store.indexes["DATA_PRODUCT"].put(product["id"], entity_fields(store, product["revisions"][-1]))


def index_glossary(store: Store, glossary: dict[str, Any]) -> None:
    store.indexes["GLOSSARY"].put(
        glossary["id"],
        {"name": [glossary["name"]], "description": [glossary.get("description") or ""]},
    )


def index_term(store: Store, term: dict[str, Any]) -> None:
    texts = [term.get("shortDescription") or "", term.get("longDescription") or ""]
    store.indexes["GLOSSARY_TERM"].put(term["id"], {"name": [term["name"]], "description": texts})


def listed_revision(store: Store, listing: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The entity record and the revision a listing currently publishes."""
    table = "assets" if listing["entityType"] == "ASSET" else "data_products"
    entity = store.table(table)[listing["entityId"]]
    wanted = listing["revisions"][-1]["entityRevision"]
    rev = next(r for r in entity["revisions"] if r["revision"] == wanted)
    return entity, rev


def index_listing(store: Store, listing: dict[str, Any]) -> None:
    if listing["status"] != "ACTIVE":
        store.indexes["LISTING"].remove(listing["id"])
        return
    _entity, rev = listed_revision(store, listing)
    store.indexes["LISTING"].put(listing["id"], entity_fields(store, rev))


def rebuild(store: Store) -> None:
    """Recreate every index from the tables (after loading a state file)."""
    for asset in store.table("assets").values():
        index_asset(store, asset)
    for product in store.table("data_products").values():
        index_product(store, product)
    for glossary in store.table("glossaries").values():
        index_glossary(store, glossary)
    for term in store.table("terms").values():
        index_term(store, term)
    for listing in store.table("listings").values():
        index_listing(store, listing)
