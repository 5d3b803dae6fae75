"""Artifacts as other teams' dbt versions, adapters and generators write them.

Each case edits a real build of the tiny fixture project into a shape seen outside this repository
(older dbt minors, `null` where dbt's schema or a generator puts it, model versions as floats,
other resource types, a catalog with errors, a `dbt test`-only run, failed freshness checks) and
checks what the loader makes of it, value by value; the last tests run `mesh publish glue
--dry-run` on such artifacts and read its plan. The shapes are written here, never copied in.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from publish.artifacts import load_domains
from publish.model import Domain, Model
from tests.publish.cli_helpers import document, run_publish
from tests.publish.conftest import REPO
from tests.publish.dbt_shapes import rewrite
from tests.publish.harness import GlueLikeMotoServer

pytestmark = pytest.mark.integration

Docs = dict[str, Any]
FCT = "model.tiny.fct_orders"
DIM_V2 = "model.tiny.dim_customers.v2"


def _edit(artifacts: Path, change: Callable[[Docs], None]) -> Domain:
    """Apply `change` to the tiny domain's decoded artifacts, write them back, load the domain."""
    rewrite(artifacts / "tiny", change)
    (domain,) = load_domains(REPO, artifacts)
    return domain


def _model(domain: Domain, unique_id: str) -> Model:
    return next(m for m in domain.models if m.unique_id == unique_id)


def _column_meta(domain: Domain, unique_id: str, column: str) -> dict[str, Any]:
    return dict(next(c for c in _model(domain, unique_id).columns if c.name == column).meta)


# --- null where a generator or a hand edit puts it ---------------------------------------------


def _nulls(docs: Docs) -> None:
    node = docs["manifest"]["nodes"][FCT]
    node["meta"] = None  # the model's meta stays under config.meta (dbt 1.10+)
    node["columns"]["amount"]["meta"] = None
    order_id = node["columns"]["order_id"]
    order_id["meta"] = None
    order_id["config"] = {"meta": None, "tags": []}
    for key in ("description", "alias", "database", "group"):
        node[key] = None
    node["config"]["contract"] = None
    node["contract"] = {"enforced": True}
    for source in docs["manifest"]["sources"].values():
        source["meta"] = source["source_meta"] = None
        source["config"]["meta"] = None


def test_null_meta_reads_as_no_meta(artifacts: Path) -> None:
    """Before: `meta: null` on one model or column refused the whole domain ("Expected `object`,
    got `null`")."""
    domain = _edit(artifacts, _nulls)

    model = _model(domain, FCT)
    assert model.meta["tier"] == "gold"
    assert model.meta["glossary_terms"] == ["Order", "Revenue"]
    assert _column_meta(domain, FCT, "amount") == {
        "sensitivity": "confidential",
        "glossary_terms": ["Revenue"],
    }
    assert _column_meta(domain, FCT, "order_id") == {}
    assert model.description == ""
    assert model.relation is not None and model.relation.identifier == "fct_orders"  # no alias
    assert model.contract_enforced and model.group == "tiny_team"  # from the node's config
    assert all(dict(s.meta) == {} for s in domain.source_tables)


def test_null_meta_still_tags_the_column_from_config_meta(
    production: Path, aws: GlueLikeMotoServer
) -> None:
    _edit(production, _nulls)

    result = run_publish(production, "--dry-run")

    assert result.exit_code == 0, result.stderr
    plan = document(result)
    assert "confidential" in json.dumps(plan["targets"][0]), "amount lost its LF-tag"


# --- a catalog that records errors -------------------------------------------------------------


def _catalog_errors(docs: Docs) -> None:
    catalog = docs["catalog"]
    del catalog["nodes"][FCT]
    catalog["errors"] = ["Runtime Error\n  Catalog Error: Schema tiny_marts is locked"]


def test_a_catalog_with_errors_is_named_in_a_warning(artifacts: Path) -> None:
    """Before: the `errors` dbt docs generate recorded were ignored without a word."""
    domain = _edit(artifacts, _catalog_errors)

    (warning,) = [w for w in domain.warnings if "records 1 error(s)" in w]
    assert "catalog.json" in warning and "Schema tiny_marts is locked" in warning
    assert "dbt docs generate" in warning
    assert not _model(domain, FCT).in_catalog


def test_the_plan_carries_the_catalog_errors(production: Path, aws: GlueLikeMotoServer) -> None:
    _edit(production, _catalog_errors)

    result = run_publish(production, "--dry-run")

    assert result.exit_code == 0, result.stderr
    warnings = [w for t in document(result)["targets"] for w in t["warnings"]]
    assert any("records 1 error(s) of `dbt docs generate`" in w for w in warnings), warnings


# --- encodings a Windows hand leaves ------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_a_manifest_saved_with_a_byte_order_mark_loads(artifacts: Path, encoding: str) -> None:
    """Before: a UTF-8 BOM (Notepad, PowerShell's Out-File) read as "not valid JSON ... probably
    truncated"; UTF-16 (PowerShell's `>`) as "an unrecognised dbt schema version '.../v12.json'"."""
    path = artifacts / "tiny" / "manifest.json"
    path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))

    (domain,) = load_domains(REPO, artifacts)

    assert _model(domain, FCT).meta["tier"] == "gold"
    assert len(domain.models) == 6


# --- shapes that load as they are (each checked for the values it carries) ----------------------


def _schema(version: str) -> Callable[[Docs], None]:
    def change(docs: Docs) -> None:
        docs["manifest"]["metadata"]["dbt_schema_version"] = (
            f"https://schemas.getdbt.com/dbt/manifest/{version}.json"
        )
        docs["run_results"]["metadata"]["dbt_schema_version"] = (
            "https://schemas.getdbt.com/dbt/run-results/v5.json"
        )

    return change


def _dbt_1_8(docs: Docs) -> None:
    """dbt 1.8: no `functions`, no `doc_blocks`, no column `config`; meta only at the top."""
    manifest = docs["manifest"]
    manifest.pop("functions", None)
    for node in manifest["nodes"].values():
        for key in ("doc_blocks", "primary_key", "time_spine"):
            node.pop(key, None)
        for column in node.get("columns", {}).values():
            config = column.pop("config", None) or {}
            column["meta"] = {**(config.get("meta") or {}), **(column.get("meta") or {})}
            column.pop("doc_blocks", None)


def _config_meta_only(docs: Docs) -> None:
    for node in docs["manifest"]["nodes"].values():
        node["meta"] = {}
        for column in node.get("columns", {}).values():
            column["meta"] = {}


def _float_versions(docs: Docs) -> None:
    node = docs["manifest"]["nodes"][DIM_V2]
    node["version"], node["latest_version"] = 2.0, "2"


def _upper_case_catalog(docs: Docs) -> None:
    table = docs["catalog"]["nodes"][FCT]
    table["columns"] = {
        k.upper(): {**c, "name": c["name"].upper()} for k, c in table["columns"].items()
    }


def _other_resources(docs: Docs) -> None:
    """What a bigger project's manifest holds beside models: none of it is a model."""
    manifest = docs["manifest"]
    model = manifest["nodes"][FCT]
    for kind in ("snapshot", "seed", "analysis", "sql_operation", "unit_test", "function"):
        node = {**copy.deepcopy(model), "resource_type": kind, "name": f"x_{kind}"}
        node["unique_id"] = f"{kind}.tiny.x_{kind}"
        manifest["nodes"][node["unique_id"]] = node
    disabled = {**copy.deepcopy(model), "unique_id": "model.tiny.old", "name": "old"}
    disabled["config"] = {**disabled["config"], "enabled": False}
    manifest["disabled"] = {"model.tiny.old": [disabled]}
    manifest["semantic_models"] = {"semantic_model.tiny.orders": {"name": "orders", "x": None}}
    manifest["saved_queries"] = {"saved_query.tiny.q": {"name": "q"}}
    manifest["exposures"] = {"exposure.tiny.dash": {"name": "dash", "owner": {"email": None}}}
    manifest["metrics"] = {"metric.tiny.revenue": {"name": "revenue", "type": "simple"}}
    manifest["unit_tests"] = {"unit_test.tiny.fct_orders.t": {"name": "t", "given": []}}


def _owner_emails(docs: Docs) -> None:
    """dbt 1.10+ (manifest v12's `Owner.email`: a string or a list) and Fusion."""
    for group in docs["manifest"]["groups"].values():
        group["owner"]["email"] = ["tiny-team@example.com", "tiny-oncall@example.com"]


def _test_only_run(docs: Docs) -> None:
    run = docs["run_results"]
    run["args"]["which"] = "test"
    run["results"] = [r for r in run["results"] if r["unique_id"].startswith("test.")]


def _freshness_errors(docs: Docs) -> None:
    results = docs["sources"]["results"]
    results[0] = {
        "unique_id": results[0]["unique_id"],
        "status": "runtime error",
        "error": "Database Error: table does not exist",
        "timing": [],
        "thread_id": "Thread-1",
        "execution_time": 0.1,
        "adapter_response": {},
    }


def _check_version(domain: Domain, version: str) -> None:
    assert domain.manifest_version == version
    assert _model(domain, FCT).meta["tier"] == "gold"


def _check_column_meta(domain: Domain) -> None:
    assert _column_meta(domain, FCT, "amount")["sensitivity"] == "confidential"
    assert _model(domain, FCT).meta["owner"] == "orders-owner@example.com"


def _check_versions(domain: Domain) -> None:
    model = _model(domain, DIM_V2)
    assert (model.version, model.latest_version) == ("2", "2")


def _check_catalog_case(domain: Domain) -> None:
    columns = _model(domain, FCT).columns
    assert [c.name for c in columns] == ["order_id", "customer_id", "amount", "ordered_at"]
    assert all(c.catalog_type for c in columns), "a column lost its warehouse type"


def _check_models_only(domain: Domain) -> None:
    assert {m.unique_id for m in domain.models} == {
        "model.tiny.stg_shop__orders",
        "model.tiny.stg_shop__customers",
        "model.tiny.int_orders_summed",
        FCT,
        "model.tiny.dim_customers.v1",
        DIM_V2,
    }


def _check_owner(domain: Domain) -> None:
    """Before: the group was skipped as not matching the schema, and its owner lost."""
    assert [(g.name, g.owner_email) for g in domain.groups] == [
        ("tiny_team", "tiny-team@example.com")
    ]
    assert _model(domain, FCT).group_owner_email == "tiny-team@example.com"
    assert domain.owners == ("tiny-team@example.com",)
    assert domain.warnings == ()


def _check_test_only_run(domain: Domain) -> None:
    assert domain.run_command == "test"
    assert all(m.build is None for m in domain.models)
    assert {t.status for t in _model(domain, FCT).tests} == {"pass"}


def _check_freshness(domain: Domain) -> None:
    statuses = sorted(f.status for f in domain.sources)
    assert "runtime error" in statuses and len(statuses) == 2


SHAPES: dict[str, tuple[Callable[[Docs], None], Callable[[Domain], None]]] = {
    "manifest v10 (dbt 1.6)": (_schema("v10"), lambda d: _check_version(d, "v10")),
    "manifest v11 (dbt 1.7)": (_schema("v11"), lambda d: _check_version(d, "v11")),
    "dbt 1.8: meta only at the top": (_dbt_1_8, _check_column_meta),
    "dbt 1.10+: meta only under config": (_config_meta_only, _check_column_meta),
    "version as float, latest as str": (_float_versions, _check_versions),
    "catalog columns in upper case": (_upper_case_catalog, _check_catalog_case),
    "snapshots, seeds, unit tests, functions, disabled": (_other_resources, _check_models_only),
    "group owner email as a list": (_owner_emails, _check_owner),
    "run_results of `dbt test` only": (_test_only_run, _check_test_only_run),
    "sources.json with a runtime error": (_freshness_errors, _check_freshness),
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_other_shapes_load_with_their_values(artifacts: Path, shape: str) -> None:
    change, check = SHAPES[shape]
    check(_edit(artifacts, change))
