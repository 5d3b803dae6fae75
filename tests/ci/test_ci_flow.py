"""The CI flow end to end on a temporary git repository, on the embedded default.

main is built and its artifacts uploaded to the artifact store (moto S3 over HTTP); a
downstream domain builds from the S3 manifests; a pull request that changes one staging
model builds only its downstream set; one that drops a public column fails the
breaking-change report naming the affected domain.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from typer.testing import CliRunner

from mesh.ci.slim import slim_build
from mesh.cli import app
from mesh_standins.moto_server import local_aws_env, moto_server, reset_moto
from tests.meshcopy import copy_mesh

pytestmark = pytest.mark.e2e

BUCKET = "mesh-artifacts"
STORE = f"s3://{BUCKET}/dbt-artifacts/prod"
FULL_BUILD_NODES = 121  # asserted below against a real full build of the same repo


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout


def mesh(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def merged_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A git repository holding the mesh, merged to main and published to the store."""
    with moto_server() as url, pytest.MonkeyPatch.context() as patch:
        reset_moto(url)
        for key, value in {**local_aws_env(url), "MESH_ARTIFACT_STORE": STORE}.items():
            patch.setenv(key, value)
        root = copy_mesh(tmp_path_factory.mktemp("ci") / "repo")
        (root / ".gitignore").write_text("target/\ndbt_packages/\nlogs/\n/data/\n/warehouse/\n")
        git(root, "init", "-q", "-b", "main")
        git(
            root,
            "-c",
            "user.email=ci@x",
            "-c",
            "user.name=ci",
            "commit",
            "-qam",
            "init",
            "--allow-empty",
        )
        git(root, "add", "-A")
        git(root, "-c", "user.email=ci@x", "-c", "user.name=ci", "commit", "-qm", "mesh")
        patch.setenv("MESH_ROOT", str(root))
        boto3.client("s3").create_bucket(Bucket=BUCKET)
        code, output = mesh("ci", "merge")
        assert code == 0, output
        yield root


@pytest.fixture
def repo(merged_repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The merged repository as the mesh every `mesh` command of the test works on."""
    monkeypatch.setenv("MESH_ROOT", str(merged_repo))
    return merged_repo


def commit_all(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "-c", "user.email=ci@x", "-c", "user.name=ci", "commit", "-qm", message)


def test_merge_uploads_every_domains_artifacts(repo: Path) -> None:
    keys = {o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=BUCKET)["Contents"]}
    for domain in ("customers", "sales", "marketing"):
        for artifact in ("manifest.json", "catalog.json", "run_results.json"):
            assert f"dbt-artifacts/prod/{domain}/{artifact}" in keys
    # docs ran after the build (catalog.json), and the build's run results were kept
    assert (repo / "domains/sales/target/catalog.json").is_file()
    results = json.loads((repo / "domains/sales/target/run_results.json").read_text())
    assert results["args"]["which"] == "build"


def test_downstream_domain_builds_from_s3_manifests(repo: Path) -> None:
    # Without the upstream domains' local target/ folders, only S3 can supply the manifests.
    for domain in ("customers", "sales"):
        (repo / f"domains/{domain}/target/manifest.json").rename(
            repo / f"domains/{domain}/target/manifest.json.bak"
        )
    try:
        code, output = mesh("ci", "build-from-store", "--select", "marketing")
        assert code == 0, output
        assert "marketing: OK (8 models)" in output
    finally:
        for domain in ("customers", "sales"):
            (repo / f"domains/{domain}/target/manifest.json.bak").rename(
                repo / f"domains/{domain}/target/manifest.json"
            )


def test_pull_request_changing_one_staging_model_builds_its_downstream_set(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "pr-staging")
    try:
        model = repo / "domains/marketing/models/staging/ads/stg_ads__campaigns.sql"
        model.write_text(model.read_text().replace("lower(objective)", "lower(trim(objective))"))
        commit_all(repo, "trim campaign objectives")
        code, output = mesh("ci", "lint", "--base", "main")
        assert code == 0, output
        assert "sqlfluff: marketing (1 path(s))" in output
        code, output = mesh("ci", "download")
        assert code == 0, output
        assert "Downloaded production artifacts of customers, marketing, sales" in output, output
        local = {p: p.read_bytes() for p in repo.glob("domains/*/target/*.json")}
        result = slim_build(repo, repo / ".mesh-state/prod", dbt_args=("--quiet",))
        assert result.success
        # the PR build's artifacts live apart: a later local build never reads ci_* schemas
        assert {p: p.read_bytes() for p in local} == local
        ci = json.loads((repo / ".mesh-state/ci/marketing/manifest.json").read_text())
        node = ci["nodes"]["model.marketing.dim_campaigns"]
        assert node["schema"] == "ci_marketing_marts"
        built = {m for run in result.runs for m in run.built_models}
        assert built == {
            "model.marketing.stg_ads__campaigns",
            "model.marketing.dim_campaigns",
            "model.marketing.fct_campaign_performance",
        }
        assert result.skipped == ["customers", "sales"]
        assert result.nodes_built < 0.2 * FULL_BUILD_NODES
    finally:
        git(repo, "checkout", "-q", "main")


def test_pull_request_dropping_a_public_column_fails_naming_downstream_domains(
    repo: Path,
) -> None:
    git(repo, "checkout", "-q", "-b", "pr-breaking")
    try:
        sql = repo / "domains/sales/models/marts/sales/fct_orders.sql"
        sql.write_text(sql.read_text().replace("        orders.store_id,\n", ""))
        yml = repo / "domains/sales/models/marts/sales/_sales__models.yml"
        text = yml.read_text()
        start = text.index("      - name: store_id")
        end = text.index("      - name: channel", start)
        yml.write_text(text[:start] + text[end:])
        commit_all(repo, "drop store_id")
        code, output = mesh("ci", "breaking", "--output", "json")
        assert code == 1, output
        report = json.loads(output)
        assert report["breaking"] is True
        assert report["downstream_domains"] == ["marketing"]
        (item,) = report["breaks"]
        assert item["model"] == "model.sales.fct_orders"
        assert item["change"] == "column 'store_id' removed"
        assert "model.marketing.int_sales_orders" in item["downstream"]
    finally:
        git(repo, "checkout", "-q", "main")


def test_full_build_node_count_matches_the_benchmark_baseline(repo: Path) -> None:
    code, output = mesh("build", "--", "--quiet")
    assert code == 0, output
    total = sum(
        len(json.loads((repo / f"domains/{d}/target/run_results.json").read_text())["results"])
        for d in ("customers", "sales", "marketing")
    )
    assert total == FULL_BUILD_NODES
