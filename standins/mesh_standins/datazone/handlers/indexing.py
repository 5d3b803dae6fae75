"""What search sees of each record: text per field for the indexes, and filter attributes."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from typing import Any

from mesh_standins.datazone import managed
from mesh_standins.datazone.state import Store
from publish.datazone.smithy import FormModel, SmithyError, parse_model

TEXT_FIELDS = ("name", "description", "glossaryTerms", "forms")
#: the special filter attribute for glossary term ids (API Reference, SearchListings)
GLOSSARY_TERMS_ATTRIBUTE = "__DataZoneGlossaryTerms"
#: filter attributes of assets, data products and their listings besides `<FormName>.<field>`
ENTITY_ATTRIBUTES = frozenset(
    {
        "name",
        "description",
        "owningProjectId",
        "typeIdentifier",
        "externalIdentifier",
        "entityType",
        GLOSSARY_TERMS_ATTRIBUTE,
    }
)


@functools.lru_cache(maxsize=1024)
def parsed_model(smithy: str) -> FormModel:
    return parse_model(smithy)


@functools.lru_cache(maxsize=1024)
def _term_paths(smithy: str) -> tuple[tuple[str, ...], ...]:
    """Member paths (from the root structure, through lists) annotated
    `@amazon.datazone#glossaryterm`: the form fields that hold glossary term ids."""
    try:
        model = parsed_model(smithy)
    except SmithyError:
        return ()
    found: list[tuple[str, ...]] = []

    def walk(shape_name: str, path: tuple[str, ...], seen: frozenset[str]) -> None:
        shape = model.shapes.get(shape_name)
        if shape is None or shape_name in seen:
            return
        if shape.kind in ("list", "set"):
            member = shape.members.get("member")
            if member is not None:
                walk(member.target, path, seen | {shape_name})
            return
        if shape.kind != "structure":
            return
        for name, member in shape.members.items():
            if "glossaryterm" in member.traits:
                found.append((*path, name))
            else:
                walk(member.target, (*path, name), seen | {shape_name})

    walk(model.root, (), frozenset())
    return tuple(found)


def _values_at(value: Any, path: tuple[str, ...]) -> Iterator[str]:
    if isinstance(value, list):
        for item in value:
            yield from _values_at(item, path)
    elif not path:
        if isinstance(value, str):
            yield value
    elif isinstance(value, dict):
        yield from _values_at(value.get(path[0]), path[1:])


def annotated_terms(smithy: str, content: Any) -> list[str]:
    """Glossary term ids in the fields of `content` annotated `@amazon.datazone#glossaryterm`."""
    return [v for path in _term_paths(smithy) for v in _values_at(content, path)]


def _smithy(store: Store, domain_id: str, type_name: str, revision: str | None) -> str | None:
    if type_name in managed.FORM_TYPES:
        return managed.FORM_TYPES[type_name]
    record = store.table("form_types").get(f"{domain_id}|{type_name}")
    if record is None:
        return None
    rev = next((r for r in record["revisions"] if r["revision"] == revision), None)
    return (rev or record["revisions"][-1])["model"]["smithy"]


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


def term_ids(store: Store, domain_id: str, rev: dict[str, Any]) -> list[str]:
    """Term ids of a revision: its own glossary terms plus the ids in form fields annotated
    `@amazon.datazone#glossaryterm` (e.g. the column terms of ColumnBusinessMetadataForm)."""
    ids = list(rev.get("glossaryTerms") or ())
    for form in rev.get("forms", {}).values():
        smithy = _smithy(store, domain_id, form["typeName"], form.get("typeRevision"))
        if not smithy or not _term_paths(smithy):
            continue
        try:
            content = json.loads(form.get("content") or "{}")
        except ValueError:
            continue
        ids.extend(annotated_terms(smithy, content))
    return list(dict.fromkeys(ids))


def _term_names(store: Store, ids: list[str]) -> list[str]:
    terms = store.table("terms")
    return [terms[i]["name"] for i in ids if i in terms]


def entity_fields(store: Store, domain_id: str, rev: dict[str, Any]) -> dict[str, list[str]]:
    return {
        "name": [rev.get("name") or ""],
        "description": [rev.get("description") or ""],
        "glossaryTerms": _term_names(store, term_ids(store, domain_id, rev)),
        "forms": list(_strings(_contents(rev.get("forms", {})))),
    }


def entity_attributes(store: Store, record: dict[str, Any], rev: dict[str, Any]) -> dict[str, Any]:
    """Filterable attributes: plain fields plus `<formName>.<field>` for top-level form values."""
    attrs: dict[str, Any] = {
        "name": rev.get("name"),
        "description": rev.get("description"),
        "owningProjectId": record.get("owningProjectId"),
        "typeIdentifier": record.get("typeIdentifier"),
        "externalIdentifier": record.get("externalIdentifier"),
        GLOSSARY_TERMS_ATTRIBUTE: term_ids(store, record["domainId"], rev),
        "createdAt": record.get("firstRevisionCreatedAt"),
        "updatedAt": rev.get("createdAt"),
    }
    for form_name, content in _contents(rev.get("forms", {})).items():
        if isinstance(content, dict):
            for key, value in content.items():
                if isinstance(value, str | int | float | bool):
                    attrs[f"{form_name}.{key}"] = value
    return attrs


def index_asset(store: Store, asset: dict[str, Any]) -> None:
    store.indexes["ASSET"].put(
        asset["id"], entity_fields(store, asset["domainId"], asset["revisions"][-1])
    )


def index_product(store: Store, product: dict[str, Any]) -> None:
    store.indexes["DATA_PRODUCT"].put(
        product["id"], entity_fields(store, product["domainId"], product["revisions"][-1])
    )


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
    store.indexes["LISTING"].put(listing["id"], entity_fields(store, listing["domainId"], rev))


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
