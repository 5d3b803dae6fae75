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

from tests.datazone.conftest import DOMAINS, TODAY, Stage, edit_manifest, published_models

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
    projects = config.domain_projects(DOMAINS)
    names = {config.governance_project, *projects.values()}
    api.bootstrap(names)
    api.resolve_projects(names)
    glue = boto3.client("glue", region_name=REGION)
    databases = {db["Name"] for db in glue.get_databases()["DatabaseList"]}
    run_glue_data_sources(
        api.client,
        api.domain_id,
        {d: api.projects[p] for d, p in projects.items()},
        {d: [f"{d}_marts"] if f"{d}_marts" in databases else [] for d in projects},
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


def test_unmapped_domains_publish_to_projects_of_their_own_name(
    stage: Stage, repo_copy: Path
) -> None:
    mapped = _cli(stage, repo_copy, "--dry-run", "--output", "json")
    assert mapped.exit_code == 0, mapped.output
    path = repo_copy / "catalog" / "datazone.yml"
    document = yaml.safe_load(path.read_text())
    assert all(document["projects"][d] == d for d in DOMAINS if d in document["projects"])
    del document["projects"]  # every domain: the project of its own name, which exists
    path.write_text(yaml.safe_dump(document))
    unmapped = _cli(stage, repo_copy, "--dry-run", "--output", "json")
    assert unmapped.exit_code == 0, unmapped.output
    (before,), (after,) = (json.loads(r.stdout)["targets"] for r in (mapped, unmapped))
    assert after["actions"] == before["actions"]
    assert stage.admin.writes() == {}


def test_missing_project_and_invalid_project_name(stage: Stage, repo_copy: Path) -> None:
    path = repo_copy / "catalog" / "datazone.yml"
    document = yaml.safe_load(path.read_text())
    document["projects"]["marketing"] = "growth"  # mapped, but no such project in DataZone
    path.write_text(yaml.safe_dump(document))
    result = _cli(stage, repo_copy)
    _assert_refused(stage, result, "datazone.yml", "growth", "do not exist")

    document["projects"]["marketing"] = "growth/team"  # DataZone refuses the name
    path.write_text(yaml.safe_dump(document))
    result = _cli(stage, repo_copy)
    _assert_refused(stage, result, "datazone.yml", "'growth/team'", "not a valid DataZone project")


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
    assert plan["counts"]["asset.adopt"] == published_models(stage.artifacts) >= 7
    assert stage.admin.writes() == {}


def test_more_glossary_terms_than_a_datazone_asset_takes(stage: Stage, repo_copy: Path) -> None:
    """CreateAsset takes 1 to 20 glossary terms: 21 are refused before any write, not by
    DataZone after Glue was written."""
    terms = yaml.safe_load((repo_copy / "catalog" / "glossary.yml").read_text())
    names = [t["name"] for t in terms["terms"]]
    assert len(names) >= 3

    def edit(manifest: dict[str, Any]) -> None:
        meta = manifest["nodes"]["model.sales.fct_orders"]["config"]["meta"]
        meta["glossary_terms"] = [names[i % len(names)] for i in range(21)]

    edit_manifest(stage.artifacts, "sales", edit)
    result = _cli(stage, repo_copy)
    _assert_refused(stage, result, "model.sales.fct_orders", "21 glossary terms", "at most 20")


def test_a_form_datazone_would_refuse_for_its_size(stage: Stage, repo_copy: Path) -> None:
    """A form content takes at most 300,000 characters: column descriptions that outgrow it are
    refused before any write, with the model named."""

    def edit(manifest: dict[str, Any]) -> None:
        columns = manifest["nodes"]["model.sales.fct_orders"]["columns"]
        for column in columns.values():
            column["description"] = "Explained at length. " * (16_000 // len(columns))

    edit_manifest(stage.artifacts, "sales", edit)
    result = _cli(stage, repo_copy)
    _assert_refused(stage, result, "ColumnBusinessMetadataForm", "model.sales.fct_orders")
    assert "at most 300,000" in " ".join(result.output.split())


def test_a_data_product_without_a_description_publishes(stage: Stage, repo_copy: Path) -> None:
    """CreateDataProduct takes a description of 1 to 4,096 characters or none: an empty one
    (the YAML's default) was sent as "" and refused."""
    path = repo_copy / "domains" / "sales" / "data_products.yml"
    document = yaml.safe_load(path.read_text())
    del document["data_products"][0]["description"]
    path.write_text(yaml.safe_dump(document))
    _plan, result = stage.publish(root=repo_copy)
    assert result.failures == []
    dz = stage.dz()
    (hit,) = [
        h["dataProductItem"]
        for h in stage.pages("search", searchScope="DATA_PRODUCT")
        if h["dataProductItem"]["name"] == "Orders and Products"
    ]
    product = dz.get_data_product(domainIdentifier=stage.domain_id, identifier=hit["id"])
    assert not product.get("description")
