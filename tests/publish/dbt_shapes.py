"""Artifacts as other dbt engines and versions write them, made from a real dbt-core 1.11 build
of the tiny fixture project (`tiny_artifacts`) by rewriting what those writers write otherwise.

Each shape says where it comes from. Nothing is copied from those sources: the edits are written
here from what the sources show.

- dbt-core 1.5: manifest v9 and run-results v4, as dbt-core's JSON schemas describe them
  (schemas/dbt/manifest/v9.json and run-results/v4.json, dbt-labs/dbt-core branch 1.5.latest;
  `project_id` is `md5(project_name)`: core/dbt/config/project.py `hashed_name`).
- dbt Fusion (dbt 2.0, the Rust engine), from its serde structs and CHANGELOG
  (dbt-labs/dbt-fusion crates/dbt-schemas/src/schemas/, and dbt-labs/dbt-core main, where Fusion
  now lives, crates/dbt-schemas, crates/dbt-tasks-core/src/utils.rs, CHANGELOG-fusion.md):
  manifest v20 until 2.0.0-preview.97 (dbt-fusion commit 26df52d3 "Update manifest to v12 from
  v20"), v12 since; `skip_serializing_none` on nodes, none on `ManifestModelConfig`; run-results
  v6 with the gaps of dbt-fusion#1437, #1130 and #1271; sources.json statuses capitalised
  (`FreshnessStatus` has no `rename_all`, as dbt's own Python mirror of it says).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

Docs = dict[str, Any]  # artifact stem (manifest, catalog, run_results, sources) -> its JSON
Change = Callable[[Docs], None]

PROJECT = "tiny"
FCT = "model.tiny.fct_orders"
DIM_V1 = "model.tiny.dim_customers.v1"
DIM_V2 = "model.tiny.dim_customers.v2"
#: the models the tiny project builds (seeds aside)
MODELS = frozenset(
    {
        "model.tiny.stg_shop__orders",
        "model.tiny.stg_shop__customers",
        "model.tiny.int_orders_summed",
        FCT,
        DIM_V1,
        DIM_V2,
    }
)
#: the Fusion preview that wrote the v20 shapes below (after #1130's first fix, preview.90)
FUSION_V20 = "2.0.0-preview.95"
#: a Fusion preview of the v12 era, before `message` (preview.158) and full keys (preview.203)
FUSION_V12 = "2.0.0-preview.145"
#: a dbt 2.0 of mid-2026: every result key, `compiled_code` in results (preview.209), flat args
FUSION_NEW = "2.0.0-preview.212"
#: a model-level check constraint as Fusion's `ModelConstraint` writes one (`columns: null`)
CHECK = {
    "type": "check",
    "expression": "amount >= 0",
    "name": "amount_not_negative",
    "to": None,
    "to_columns": None,
    "columns": None,
    "warn_unsupported": None,
    "warn_unenforced": None,
}
SECOND_OWNER = "tiny-oncall@example.com"


def rewrite(folder: Path, *changes: Change) -> None:
    """Apply `changes` to the JSON artifacts in `folder` and write them back."""
    docs = {p.stem: json.loads(p.read_text()) for p in folder.glob("*.json")}
    for change in changes:
        change(docs)
    for name, doc in docs.items():
        (folder / f"{name}.json").write_text(json.dumps(doc))


def schema(kind: str, version: str) -> str:
    return f"https://schemas.getdbt.com/dbt/{kind}/{version}.json"


def _tests_of(manifest: Docs, model: str) -> list[str]:
    return [
        uid
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "test" and node.get("attached_node") == model
    ]


# --- dbt-core 1.5 ------------------------------------------------------------------------------

#: node keys manifest v9 does not have (v12's ModelNode/GenericTestNode properties minus v9's)
_AFTER_1_5 = (
    "_pre_injected_sql",
    "defer_relation",
    "deprecation_date",
    "doc_blocks",
    "functions",
    "primary_key",
    "time_spine",
    "unrendered_config_call_dict",
)


def dbt_1_5(docs: Docs) -> None:
    """dbt-core 1.5: manifest v9, run-results v4 (dbt 1.0 - 1.6 write v4).

    manifest v9: no `metadata.project_name` (`project_id` is its MD5), no top-level
    `saved_queries`, `semantic_models`, `unit_tests`, `functions`; nodes without the keys of
    `_AFTER_1_5` and without `config.access`; columns without `config`, `doc_blocks`,
    `granularity` (meta only at the top); sources' config is `{enabled}` alone; groups have no
    `description` or `config`. run-results v4: results without `compiled`, `compiled_code`,
    `relation_name`, `batch_results`; metadata without `invocation_started_at`.
    """
    manifest = docs["manifest"]
    manifest["metadata"]["dbt_schema_version"] = schema("manifest", "v9")
    manifest["metadata"]["dbt_version"] = "1.5.11"
    for key in ("project_name", "invocation_started_at", "run_started_at", "quoting"):
        manifest["metadata"].pop(key, None)
    for key in ("saved_queries", "semantic_models", "unit_tests", "functions"):
        manifest.pop(key, None)
    for node in manifest["nodes"].values():
        for key in _AFTER_1_5:
            node.pop(key, None)
        node["config"].pop("access", None)
        for column in node.get("columns", {}).values():
            config = column.pop("config", None) or {}
            column["meta"] = {**(config.get("meta") or {}), **(column.get("meta") or {})}
            column.pop("doc_blocks", None)
            column.pop("granularity", None)
    for source in manifest["sources"].values():
        source["config"] = {"enabled": source["config"]["enabled"]}
        for key in ("doc_blocks", "unrendered_database", "unrendered_schema", "loaded_at_query"):
            source.pop(key, None)
    for group in manifest["groups"].values():
        group.pop("description", None)
        group.pop("config", None)
    run = docs["run_results"]
    run["metadata"]["dbt_schema_version"] = schema("run-results", "v4")
    run["metadata"]["dbt_version"] = "1.5.11"
    run["metadata"].pop("invocation_started_at", None)
    for result in run["results"]:
        for key in ("compiled", "compiled_code", "relation_name", "batch_results"):
            result.pop(key, None)


# --- dbt Fusion --------------------------------------------------------------------------------


def fusion_manifest(version: str, dbt_version: str) -> Change:
    """A manifest as Fusion serialises it (`ManifestModel`, `ManifestModelConfig`, ...).

    - `skip_serializing_none` on nodes: no `compiled_code` (`From<DbtModel>` sets it None: the
      manifest never has compiled SQL), no `description`, `patch_path`, `data_type` when unset;
    - `ManifestModelConfig` has none: an unset `meta`, `enabled`, `contract`, `access` or `group`
      is `null` (the public fact "config.meta: null where dbt-core writes {}");
    - a model-level constraint's unset `columns` is `null` (`ModelConstraint`): fct_orders gets
      a check constraint to carry one;
    - `deprecation_date` as the YAML gives it (a timestamp only since preview.204);
    - a group owner's email may be a list (`DbtOwner.email: StringOrArrayOfStrings`);
    - tests without `test_metadata.namespace` when unset.
    """

    def change(docs: Docs) -> None:
        manifest = docs["manifest"]
        metadata = manifest["metadata"]
        metadata["dbt_schema_version"] = schema("manifest", version)
        metadata["dbt_version"] = dbt_version
        for key in ("user_id", "send_anonymous_usage_stats", "run_started_at"):
            metadata.pop(key, None)
        for node in manifest["nodes"].values():
            for key in ("compiled_code", "compiled", "patch_path", "doc_blocks"):
                node.pop(key, None)
            if not node.get("description"):
                node.pop("description", None)
            config = node["config"]
            for key in ("meta", "contract", "access", "group"):
                if not config.get(key) or config[key] == {"enforced": False, "alias_types": True}:
                    config[key] = None
            for column in node.get("columns", {}).values():
                if column.get("data_type") is None:
                    column.pop("data_type", None)
                column["config"] = {k: v for k, v in column["config"].items() if v}
            metadata_of_test = node.get("test_metadata")
            if metadata_of_test and metadata_of_test.get("namespace") is None:
                metadata_of_test.pop("namespace")
        manifest["nodes"]["model.tiny.stg_shop__orders"]["config"]["enabled"] = None
        manifest["nodes"][FCT]["constraints"] = [dict(CHECK)]
        manifest["nodes"][DIM_V1]["deprecation_date"] = "2030-01-01"
        for source in manifest["sources"].values():
            source["config"]["meta"] = None
            source["config"]["enabled"] = None
            if not source.get("description"):
                source.pop("description", None)
        for group in manifest["groups"].values():
            group["owner"]["email"] = [group["owner"]["email"], SECOND_OWNER]
            if group.get("description") is None:
                group.pop("description", None)

    return change


def fusion_run_results(dbt_version: str) -> Change:
    """run_results.json of a Fusion `dbt build` before 2.0.0-preview.158 (the shape
    dbt-fusion#1437 reports of preview.145).

    - no `message`, `compiled`, `compiled_code`, `batch_results` on any result, `failures` only
      on tests (`skip_serializing_none` on `RunResultOutput`);
    - timing: `compile` and `execute` with the same times (`generate_run_results`);
    - `args`: `command` and `which` (struct fields), the rest nested under a literal `__other__`
      (the raw `serde_json` write fixed on 2026-07-09); never a `target`;
    - dim_customers.v1 errored and has no result, nor have its tests (dbt-fusion#1130);
    - dim_customers.v2 and its tests are `reused` (state-aware orchestration, preview.150+).
    """

    def change(docs: Docs) -> None:
        run = docs["run_results"]
        dropped = {DIM_V1, *_tests_of(docs["manifest"], DIM_V1)}
        reused = {DIM_V2, *_tests_of(docs["manifest"], DIM_V2)}
        results = []
        for result in run["results"]:
            if result["unique_id"] in dropped:
                continue
            timing = {t["name"]: t for t in result["timing"]}
            started = timing["compile"]["started_at"]
            completed = timing["execute"]["completed_at"]
            out = {
                "status": "reused" if result["unique_id"] in reused else result["status"],
                "timing": [
                    {"name": name, "started_at": started, "completed_at": completed}
                    for name in ("compile", "execute")
                ],
                "thread_id": result["thread_id"],
                "execution_time": result["execution_time"],
                "adapter_response": result["adapter_response"],
                "unique_id": result["unique_id"],
            }
            if result["unique_id"].startswith("test.") and result["unique_id"] not in reused:
                out["failures"] = result["failures"]
            if result.get("relation_name"):
                out["relation_name"] = result["relation_name"]
            results.append(out)
        run["results"] = results
        run["metadata"] = _fusion_metadata(run["metadata"], "run-results", "v6", dbt_version)
        run["args"] = {
            "command": "build",
            "which": "build",
            "__other__": {"command": "build", "which": "build", "static_analysis": None},
        }

    return change


def _fusion_metadata(metadata: Docs, kind: str, version: str, dbt_version: str) -> Docs:
    """Fusion's `RunResultsMetadata` / `FreshnessResultsMetadata`: no `invocation_started_at`
    (Fusion leaves it None, and skips None)."""
    return {
        "dbt_schema_version": schema(kind, version),
        "dbt_version": dbt_version,
        "generated_at": metadata["generated_at"],
        "invocation_id": metadata["invocation_id"],
        "env": {},
    }


def fusion_new_run_results(docs: Docs) -> None:
    """run_results.json of a dbt 2.0 build of mid-2026: every key of every result (preview.203),
    `compiled_code` per result (preview.209), `args` flat: `command`, `which`, `static_analysis`,
    `full_refresh` (2026-07-09), still no `target`; the manifest still has no compiled SQL."""
    run = docs["run_results"]
    run["metadata"]["dbt_version"] = FUSION_NEW
    run["metadata"].pop("invocation_started_at", None)
    run["args"] = {
        "command": "build",
        "which": "build",
        "static_analysis": None,
        "full_refresh": False,
    }


def fusion_sources(dbt_version: str) -> Change:
    """sources.json as Fusion writes it: statuses `Pass`, `Warn`, `Error`; RFC 3339 times;
    `timing` empty, `adapter_response` empty, `criteria` always; no `invocation_started_at`.
    The second source is stale: `Warn`."""

    def change(docs: Docs) -> None:
        sources = docs["sources"]
        sources["metadata"] = _fusion_metadata(sources["metadata"], "sources", "v3", dbt_version)
        for i, result in enumerate(sources["results"]):
            result["status"] = "Pass" if i == 0 else "Warn"
            result["timing"], result["adapter_response"] = [], {}
            result["execution_time"] = 0.0
            result["max_loaded_at"] = result["max_loaded_at"].replace("+00:00", "Z")

    return change


def fusion_catalog(dbt_version: str) -> Change:
    """catalog.json as Fusion's `DbtCatalog` writes it: `errors: null`, metadata without
    `invocation_started_at`, tables' `stats` empty."""

    def change(docs: Docs) -> None:
        catalog = docs["catalog"]
        catalog["metadata"]["dbt_version"] = dbt_version
        catalog["metadata"].pop("invocation_started_at", None)
        catalog["errors"] = None
        for table in [*catalog["nodes"].values(), *catalog["sources"].values()]:
            table["stats"] = {}

    return change


def fusion(version: str = "v20", dbt_version: str = FUSION_V20) -> list[Change]:
    """Every artifact of a Fusion build of the given era (manifest v20 or v12)."""
    return [
        fusion_manifest(version, dbt_version),
        fusion_run_results(dbt_version),
        fusion_sources(dbt_version),
        fusion_catalog(dbt_version),
    ]


def fusion_new() -> list[Change]:
    """A dbt 2.0 build of mid-2026: manifest v12 without compiled SQL, full run results."""
    return [
        fusion_manifest("v12", FUSION_NEW),
        fusion_new_run_results,
        fusion_sources(FUSION_NEW),
        fusion_catalog(FUSION_NEW),
    ]


def without_which(docs: Docs) -> None:
    """A generator that drops `args` (dbt-core's build otherwise)."""
    docs["run_results"]["args"] = {}
