"""Faults (throttling, server errors) converge to the fault-free state; bad input is refused
before the first write, with the file, the problem and the fix."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from tests.datazone.conftest import TODAY, Stage, edit_manifest

pytestmark = pytest.mark.integration


def _snapshot(stage: Stage) -> dict[str, Any]:
    """The catalog as a consumer and the producer see it, without ids and timestamps."""
    terms = {
        h["glossaryTermItem"]["id"]: h["glossaryTermItem"]["name"]
        for h in stage.pages("search", searchScope="GLOSSARY_TERM")
    }
    assets = [
        h["assetItem"]
        for h in stage.pages("search", searchScope="ASSET", additionalAttributes=["FORMS"])
    ]
    by_arn = Counter(a.get("externalIdentifier") for a in assets)
    described = {}
    for a in assets:
        forms = {f["formName"]: f for f in a["additionalAttributes"]["formsOutput"]}
        dbt = json.loads(forms["dbt_model"]["content"]) if "dbt_model" in forms else {}
        described[a["externalIdentifier"]] = (
            a["name"],
            a.get("description"),
            dbt.get("contentHash"),
            sorted(terms[t] for t in a.get("glossaryTerms") or ()),
        )
    listings = sorted(
        (next(iter(h)), next(iter(h.values()))["name"]) for h in stage.pages("search_listings")
    )
    products = sorted(
        h["dataProductItem"]["name"] for h in stage.pages("search", searchScope="DATA_PRODUCT")
    )
    events = stage.pages("list_lineage_events")
    return {
        "assets_per_arn": dict(by_arn),
        "assets": described,
        "listings": listings,
        "products": products,
        "terms": sorted(terms.values()),
        "lineage_runs": sorted(
            e["eventSummary"]["openLineageRunEventSummary"]["runId"] for e in events
        ),
    }


def test_faults_converge_to_the_fault_free_state(stage: Stage) -> None:
    _plan, result = stage.publish()
    assert result.failures == []
    expected = _snapshot(stage)

    # the same publish on a fresh DataZone, with 10% throttling and 5% server errors
    stage.admin.reset()
    fresh = _restage(stage)
    fresh.admin.inject("*", "ThrottlingException", rate=0.10, seed=7)
    fresh.admin.inject("*", "InternalServerException", rate=0.05, seed=11)
    for _attempt in range(3):  # a run may end with failures; the next one converges
        _plan, result = fresh.publish()
        if not result.failures and not result.skipped:
            break
    fresh.admin.clear_faults()
    assert result.failures == []
    assert sum(fresh.admin.calls().values()) > 0
    got = _snapshot(fresh)
    assert all(n == 1 for n in got["assets_per_arn"].values())  # no duplicate assets
    assert got == expected
    fresh.admin.reset_calls()
    again, _ = fresh.publish()
    assert again.actions == [] and fresh.admin.writes() == {}


def _restage(stage: Stage) -> Stage:
    """Re-create domain, projects and data source imports on the emptied emulator."""
    import boto3

    from mesh_standins.demo import REGION, run_glue_data_sources
    from publish.aws import AwsClients, AwsSettings
    from publish.datazone.api import DataZoneApi
    from publish.datazone.config import load_config

    config = load_config(stage.root / "catalog" / "datazone.yml")
    api = DataZoneApi.connect(AwsClients(AwsSettings(region=REGION)), config)
    names = {config.governance_project, *config.projects.values()}
    api.bootstrap(names)
    api.resolve_projects(names)
    glue = boto3.client("glue", region_name=REGION)
    databases = {db["Name"] for db in glue.get_databases()["DatabaseList"]}
    run_glue_data_sources(
        api.client,
        api.domain_id,
        {d: api.projects[p] for d, p in config.projects.items()},
        {d: [f"{d}_marts"] if f"{d}_marts" in databases else [] for d in config.projects},
    )
    stage.admin.reset_calls()
    return Stage(
        stage.urls, stage.admin, stage.artifacts, stage.root, api.domain_id, dict(api.projects)
    )


# --- bad input ------------------------------------------------------------------------------------


def _cli(stage: Stage, root: Path, *extra: str, command: str = "datazone") -> Any:
    from mesh.cli import app

    runner = CliRunner()
    return runner.invoke(
        app,
        [
            "publish",
            command,
            "--root",
            str(root),
            "--artifacts",
            str(stage.artifacts),
            "--today",
            TODAY.isoformat(),
            *extra,
        ],
    )


def _assert_refused(stage: Stage, result: Any, *words: str) -> None:
    text = " ".join((result.stderr or result.output).split())
    assert result.exit_code == 2, text
    assert "Fix:" in text
    for word in words:
        assert word in text, text
    assert stage.admin.writes() == {}


def test_unknown_glossary_term_in_model_meta(stage: Stage, repo_copy: Path) -> None:
    def edit(manifest: dict[str, Any]) -> None:
        node = manifest["nodes"]["model.sales.fct_orders"]
        node["config"]["meta"]["glossary_terms"] = ["Order", "Turnover"]

    edit_manifest(stage.artifacts, "sales", edit)
    result = _cli(stage, repo_copy)
    _assert_refused(stage, result, "_sales__models.yml", "'Turnover'", "model.sales.fct_orders")


def test_data_product_naming_a_private_model(stage: Stage, repo_copy: Path) -> None:
    path = repo_copy / "domains" / "sales" / "data_products.yml"
    document = yaml.safe_load(path.read_text())
    document["data_products"][0]["items"].append("stg_pos__orders")
    path.write_text(yaml.safe_dump(document))
    result = _cli(stage, repo_copy)
    _assert_refused(stage, result, "domains/sales/data_products.yml", "stg_pos__orders", "private")


def test_form_value_that_breaks_the_form_type(stage: Stage, repo_copy: Path) -> None:
    def edit(manifest: dict[str, Any]) -> None:
        manifest["nodes"]["model.sales.dim_products"]["config"]["meta"]["owner"] = "commerce team"

    edit_manifest(stage.artifacts, "sales", edit)
    result = _cli(stage, repo_copy)
    _assert_refused(stage, result, "_sales__models.yml", "owner", "dbt_model.smithy")


def test_missing_project_mapping_and_missing_project(stage: Stage, repo_copy: Path) -> None:
    path = repo_copy / "catalog" / "datazone.yml"
    document = yaml.safe_load(path.read_text())
    del document["projects"]["marketing"]
    path.write_text(yaml.safe_dump(document))
    result = _cli(stage, repo_copy)
    _assert_refused(stage, result, "datazone.yml", "'marketing'", "projects")

    document["projects"]["marketing"] = "growth"  # mapped, but no such project in DataZone
    path.write_text(yaml.safe_dump(document))
    result = _cli(stage, repo_copy)
    _assert_refused(stage, result, "datazone.yml", "growth", "do not exist")


def _glue_untouched(stage: Stage) -> None:
    """No publisher write reached Glue or Lake Formation (moto holds the seeded build)."""
    import boto3

    glue = boto3.client("glue", region_name="us-east-1")
    for database in glue.get_databases()["DatabaseList"]:
        assert not any(k.startswith("mesh:") for k in database.get("Parameters", {}))
        for table in glue.get_tables(DatabaseName=database["Name"])["TableList"]:
            assert not any(k.startswith("mesh:") for k in table.get("Parameters", {})), table
    lakeformation = boto3.client("lakeformation", region_name="us-east-1")
    assert lakeformation.list_lf_tags().get("LFTags", []) == []


def test_bad_datazone_input_stops_publish_all_before_glue_is_written(
    stage: Stage, repo_copy: Path
) -> None:
    """Every target's inputs are validated before the first write of any target."""

    original = (stage.artifacts / "sales" / "manifest.json").read_bytes()

    def edit(manifest: dict[str, Any]) -> None:
        node = manifest["nodes"]["model.sales.fct_orders"]
        node["config"]["meta"]["glossary_terms"] = ["Order", "Turnover"]

    edit_manifest(stage.artifacts, "sales", edit)
    result = _cli(stage, repo_copy, command="all")
    _assert_refused(stage, result, "_sales__models.yml", "'Turnover'")
    _glue_untouched(stage)

    # a DataZone project that does not exist is found by reading, still before any write
    (stage.artifacts / "sales" / "manifest.json").write_bytes(original)
    path = repo_copy / "catalog" / "datazone.yml"
    document = yaml.safe_load(path.read_text())
    document["projects"]["marketing"] = "growth"
    path.write_text(yaml.safe_dump(document))
    result = _cli(stage, repo_copy, command="all")
    text = " ".join(result.stderr.split())
    assert result.exit_code == 2 and "growth" in text, text
    _glue_untouched(stage)


def test_publish_all_prints_one_json_document(stage: Stage, repo_copy: Path) -> None:
    """One document with one schema for every target (before: two documents, two schemas)."""
    result = _cli(stage, repo_copy, "--dry-run", "--output", "json", command="all")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["command"] == "all" and document["dry_run"] is True
    targets = document["targets"]
    assert [t["target"] for t in targets] == ["lakeformation", "glue", "datazone"]
    keys = {
        "target",
        "counts",
        "unchanged",
        "skipped_counts",
        "actions",
        "skipped",
        "warnings",
        "applied",
        "not_applied",
    }
    assert all(set(t) == keys for t in targets)
    glue, datazone = targets[1], targets[2]
    assert glue["counts"]["table.update"] > 0 and datazone["counts"]["asset.adopt"] == 7
    # the plans explain themselves: why each model is not a DataZone asset
    reasons = {s["name"]: s["code"] for s in datazone["skipped"]}
    assert reasons["model.sales.stg_pos__orders"] == "not_public"
    assert reasons["model.sales.fct_daily_sales"] == "not_public"
    assert stage.admin.writes() == {}
    _glue_untouched(stage)


def test_dry_run_prints_the_plan_as_json_and_writes_nothing(stage: Stage, repo_copy: Path) -> None:
    result = _cli(stage, repo_copy, "--dry-run", "--output", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["dry_run"] is True
    (plan,) = document["targets"]
    assert plan["target"] == "datazone"
    assert plan["counts"]["asset.adopt"] == 7
    assert stage.admin.writes() == {}
