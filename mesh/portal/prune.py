"""The consumer's copy of a domain's dbt docs artifacts: public models only.

The dbt docs site the portal serves reads `manifest.json` and `catalog.json`; dbt writes them
for the domain's engineers, with every model's compiled SQL, unit-test fixture rows, the raw
sources' file locations, macros and the run's invocation id. Consumers read a domain's published
interface, its public models (what other domains may `ref` and what DataZone lists). Protected
models are left out too: dbt lets only their own project ref them, they carry no contract
consumers can rely on, and DataZone does not list them.

What stays: the public models (this domain's and the upstream public models dbt-loom injected),
the generic data tests on them (a consumer sees `unique`/`not_null` per column), doc blocks,
groups (owners), and the catalog entries of those models. Every reference to something left out
(`depends_on`, `parent_map`, `child_map`, `group_map`) is dropped with it, so the docs site never
links to a node it does not have. Redaction (`mesh.portal.redact`) then runs over what remains.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

#: manifest metadata a consumer's docs site shows; the rest identifies the run or the machine
_METADATA_KEPT = (
    "dbt_schema_version",
    "dbt_version",
    "generated_at",
    "project_name",
    "adapter_type",
)
#: manifest sections the docs site reads as maps of unique id -> node
_EMPTIED = ("sources", "macros", "unit_tests", "disabled", "selectors", "functions")


def public_ids(manifest: Mapping[str, Any]) -> set[str]:
    """Unique ids of the manifest's public models (the domain's own and injected upstream)."""
    return {
        uid
        for uid, node in (manifest.get("nodes") or {}).items()
        if node.get("resource_type") == "model" and node.get("access") == "public"
    }


def invocation_ids(*documents: Mapping[str, Any]) -> set[str]:
    """The dbt invocation ids in the artifacts' metadata (audit columns compile them into SQL)."""
    return {
        str(d["metadata"]["invocation_id"])
        for d in documents
        if (d.get("metadata") or {}).get("invocation_id")
    }


def scrub(value: Any, needles: Iterable[str], replacement: str) -> Any:
    """A copy of a JSON document with every occurrence of the needles replaced in its strings."""
    needles = [n for n in needles if n]
    if isinstance(value, dict):
        return {k: scrub(v, needles, replacement) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v, needles, replacement) for v in value]
    if isinstance(value, str):
        for needle in needles:
            value = value.replace(needle, replacement)
    return value


def consumer_manifest(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of `manifest` holding only what consumers read (see the module's docstring)."""
    models = public_ids(manifest)
    nodes = {uid: manifest["nodes"][uid] for uid in models}
    for uid, node in (manifest.get("nodes") or {}).items():
        if _is_generic_test_of(node, models):
            nodes[uid] = node
    kept = set(nodes)
    out: dict[str, Any] = {
        "metadata": _metadata(manifest.get("metadata") or {}),
        "nodes": {uid: _pruned_node(node, kept) for uid, node in nodes.items()},
        "docs": dict(manifest.get("docs") or {}),
        "groups": dict(manifest.get("groups") or {}),
        "parent_map": _pruned_map(manifest.get("parent_map"), kept),
        "child_map": _pruned_map(manifest.get("child_map"), kept),
        "group_map": {
            group: [uid for uid in ids if uid in kept]
            for group, ids in (manifest.get("group_map") or {}).items()
        },
    }
    for section in _EMPTIED:
        if section in manifest:
            out[section] = {}
    for section in ("exposures", "metrics", "semantic_models", "saved_queries"):
        if section in manifest:  # kept only where everything they read is kept
            out[section] = {
                uid: item
                for uid, item in (manifest[section] or {}).items()
                if set((item.get("depends_on") or {}).get("nodes") or ()) <= kept
            }
    for key, value in manifest.items():  # sections a newer dbt adds: empty, never copied whole
        if key not in out:
            out[key] = {} if isinstance(value, dict) else [] if isinstance(value, list) else None
    return out


def consumer_catalog(catalog: Mapping[str, Any], kept: Iterable[str]) -> dict[str, Any]:
    """A copy of `catalog` with the kept models' tables only, and no run identifiers."""
    ids = set(kept)
    return {
        **{key: value for key, value in catalog.items() if key not in ("metadata", "nodes")},
        "metadata": _metadata(catalog.get("metadata") or {}),
        "nodes": {uid: t for uid, t in (catalog.get("nodes") or {}).items() if uid in ids},
        "sources": {},
    }


def _metadata(metadata: Mapping[str, Any]) -> dict[str, Any]:
    return {key: metadata[key] for key in _METADATA_KEPT if key in metadata}


def _is_generic_test_of(node: Mapping[str, Any], models: set[str]) -> bool:
    if node.get("resource_type") != "test" or not node.get("test_metadata"):
        return False
    parents = set((node.get("depends_on") or {}).get("nodes") or ())
    return bool(parents) and parents <= models


def _pruned_node(node: Mapping[str, Any], kept: set[str]) -> dict[str, Any]:
    out = dict(node)
    depends_on = dict(out.get("depends_on") or {})
    if "nodes" in depends_on:
        depends_on["nodes"] = [uid for uid in depends_on["nodes"] if uid in kept]
    if "macros" in depends_on:
        depends_on["macros"] = []  # the macros are not served
    out["depends_on"] = depends_on
    if "refs" in out:
        out["refs"] = [r for r in out["refs"] if _ref_kept(r, kept)]
    if "sources" in out:
        out["sources"] = []
    return out


def _ref_kept(ref: Any, kept: set[str]) -> bool:
    """A `refs` entry ({name, package, version}) that names a kept model."""
    if not isinstance(ref, Mapping):
        return False
    name, package, version = ref.get("name"), ref.get("package"), ref.get("version")
    suffix = f".{name}" + (f".v{version}" if version is not None else "")
    return any(uid.endswith(suffix) and (package is None or f".{package}." in uid) for uid in kept)


def _pruned_map(mapping: Mapping[str, Any] | None, kept: set[str]) -> dict[str, list[str]]:
    return {
        uid: [other for other in others if other in kept]
        for uid, others in (mapping or {}).items()
        if uid in kept
    }
