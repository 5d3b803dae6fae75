"""The CI flow end to end on a temporary git repository, on the embedded default.

main is built and its artifacts uploaded to the artifact store (moto S3 over HTTP); a
downstream domain builds from the S3 manifests; a pull request that changes one staging
model builds only its downstream set; one that drops a public column fails the
breaking-change report naming the affected domain. From a second checkout in another folder
(another runner, a laptop) sharing only the store and the production warehouse, slim builds
are checked against the downstream closure computed from the production manifests: an upstream
change no other domain reads, a public model change read by another domain, and a
documentation-only change, which builds nothing yet reaches the merged artifacts and warehouse.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import boto3
import duckdb
import pytest
from typer.testing import CliRunner

from mesh.ci.slim import slim_build
from mesh.cli import app
from mesh.project import discover_domains
from mesh_standins.moto_server import local_aws_env, moto_server, reset_moto
from tests.ci.closure import closure, dependency_graph
from tests.meshcopy import copy_mesh, domain_names

pytestmark = pytest.mark.e2e

BUCKET = "mesh-artifacts"
STORE = f"s3://{BUCKET}/dbt-artifacts/prod"
BUILT = {"model", "seed", "snapshot", "test", "unit_test"}


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
        (root / ".gitignore").write_text(
            "target/\ndbt_packages/\nlogs/\npackage-lock.yml\n/data/\n/warehouse/\n.mesh-state/\n"
        )
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
    for domain in domain_names(repo):
        for artifact in ("manifest.json", "catalog.json", "run_results.json"):
            assert f"dbt-artifacts/prod/{domain}/{artifact}" in keys
    # docs ran after the build (catalog.json), and the build's run results were kept
    assert (repo / "domains/sales/target/catalog.json").is_file()
    results = json.loads((repo / "domains/sales/target/run_results.json").read_text())
    assert results["args"]["which"] == "build"


def test_downstream_domain_builds_from_s3_manifests(repo: Path) -> None:
    # Without the upstream domains' local target/ folders, only S3 can supply the manifests.
    upstreams = discover_domains(repo)["marketing"].upstream_names
    for domain in upstreams:
        (repo / f"domains/{domain}/target/manifest.json").rename(
            repo / f"domains/{domain}/target/manifest.json.bak"
        )
    try:
        code, output = mesh("ci", "build-from-store", "--select", "marketing")
        assert code == 0, output
        assert "marketing: OK (8 models)" in output
    finally:
        for domain in upstreams:
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
        everyone = ", ".join(sorted(domain_names(repo)))
        assert f"Downloaded production artifacts of {everyone}" in output, output
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
        assert sorted(result.skipped) == sorted(set(domain_names(repo)) - {"marketing"})
        assert result.nodes_built < 0.2 * buildable_nodes(repo)
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


def buildable_nodes(root: Path) -> int:
    """Models, seeds, snapshots, data tests and unit tests of every domain, from its manifest."""
    total = 0
    for name in domain_names(root):
        manifest = json.loads((root / f"domains/{name}/target/manifest.json").read_text())
        total += sum(
            node["package_name"] == name and node["resource_type"] in BUILT
            for node in [*manifest["nodes"].values(), *manifest.get("unit_tests", {}).values()]
        )
    return total


def test_full_build_runs_every_node_of_every_domain(repo: Path) -> None:
    code, output = mesh("build", "--", "--quiet")
    assert code == 0, output
    total = sum(
        len(json.loads((repo / f"domains/{d}/target/run_results.json").read_text())["results"])
        for d in domain_names(repo)
    )
    assert total == buildable_nodes(repo) >= 121  # 121: the three retail domains


@pytest.fixture(scope="module")
def second_checkout(merged_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """main cloned into another folder, with its own raw data files and no build of its own."""
    clone = tmp_path_factory.mktemp("laptop") / "analytics-mesh"
    subprocess.run(["git", "clone", "-q", str(merged_repo), str(clone)], check=True)
    shutil.copytree(merged_repo / "data", clone / "data")
    (clone / "warehouse").mkdir()
    return clone


@pytest.fixture
def laptop(second_checkout: Path, merged_repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The second checkout as the mesh `mesh` works on; production tables stay where main's
    build put them (the production warehouse), production artifacts come from the store."""
    monkeypatch.setenv("MESH_ROOT", str(second_checkout))
    monkeypatch.setenv("MESH_DUCKDB_PATH", str(merged_repo / "warehouse" / "mesh.duckdb"))
    code, output = mesh("ci", "download")
    assert code == 0, output
    return second_checkout


def production_manifests(root: Path) -> dict[str, dict]:
    state = root / ".mesh-state/prod"
    return {m.parent.name: json.loads(m.read_text()) for m in state.glob("*/manifest.json")}


def built_nodes(root: Path, domain: str) -> set[str]:
    """What the slim build (target `ci`, artifacts apart from target/) ran in the domain."""
    results = json.loads((root / f".mesh-state/ci/{domain}/run_results.json").read_text())
    return {r["unique_id"] for r in results["results"]}


def summary_row(output: str, domain: str) -> list[str]:
    """The cells of the domain's row in `mesh ci slim`'s summary table."""
    (line,) = [line for line in output.splitlines() if line.strip("│ ").startswith(domain + " ")]
    return [cell.strip() for cell in line.strip("│ ").split("│")]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_production_artifacts_do_not_name_the_checkout_they_were_built_in(
    laptop: Path, merged_repo: Path
) -> None:
    for manifest in (laptop / ".mesh-state/prod").glob("*/manifest.json"):
        assert str(merged_repo) not in manifest.read_text(), manifest
    # the DuckDB sources find the raw files through the profile, not a path in the manifest
    sources = production_manifests(laptop)["sales"]["sources"]
    assert sources["source.sales.pos.orders"]["relation_name"] == (
        "read_parquet('pos/orders.parquet')"
    )


def test_upstream_change_no_domain_reads_builds_its_closure_only(laptop: Path) -> None:
    git(laptop, "checkout", "-q", "-b", "pr-daily-sales")
    try:
        edit(
            laptop / "domains/sales/models/marts/sales/fct_daily_sales.sql",
            "select * from final",
            "-- grain: one row per day and channel\nselect * from final",
        )
        commit_all(laptop, "comment the grain of fct_daily_sales")
        code, output = mesh("ci", "slim")
        assert code == 0, output
        assert "customers: nothing changed, nothing to build" in output
        assert "marketing: nothing changed, nothing to build" in output
        want = closure(
            dependency_graph(production_manifests(laptop)), "model.sales.fct_daily_sales"
        )
        assert len(want) == 4  # the model and its three tests; no other domain reads it
        assert built_nodes(laptop, "sales") == want
        assert summary_row(output, "sales") == ["sales", "1", "3", "0"]
        # nothing ran in the domains downstream of sales in the mesh
        assert not (laptop / ".mesh-state/ci/marketing/run_results.json").exists()
        assert "Nodes built: 4" in output
    finally:
        git(laptop, "checkout", "-q", "main")


def test_public_model_change_rebuilds_its_readers_against_the_new_table(laptop: Path) -> None:
    git(laptop, "checkout", "-q", "-b", "pr-dim-customers")
    try:
        edit(
            laptop / "domains/customers/models/marts/customers/dim_customers_v2.sql",
            "select * from final",
            "-- v2: one row per customer\nselect * from final",
        )
        commit_all(laptop, "comment dim_customers v2")
        code, output = mesh("ci", "slim")
        assert code == 0, output
        graph = dependency_graph(production_manifests(laptop))
        want = closure(graph, "model.customers.dim_customers.v2")
        built = built_nodes(laptop, "customers") | built_nodes(laptop, "marketing")
        assert built == want
        assert "model.marketing.fct_customer_acquisition" in want
        assert "sales: nothing changed, nothing to build" in output
        # the tests column counts the unit test of dim_customers v2 with its data tests
        unit_tests = {n for n in want if n.startswith("unit_test.customers.")}
        assert len(unit_tests) == 1
        customers_tests = len({n for n in want if n.split(".")[:2] == ["test", "customers"]})
        assert summary_row(output, "customers") == [
            "customers",
            "1",
            str(customers_tests + len(unit_tests)),
            "0",
        ]
        # the reader reads the pull request's dim_customers, and production for the rest
        compiled = (
            laptop
            / ".mesh-state/ci/marketing/run/marketing/models/marts/marketing"
            / "fct_customer_acquisition.sql"
        ).read_text()
        assert '"ci_customers_marts"."dim_customers_v2"' in compiled
        assert '"marketing_intermediate"."int_sales_orders"' in compiled
        assert "ci_marketing_intermediate" not in compiled
    finally:
        git(laptop, "checkout", "-q", "main")


def test_a_new_domain_builds_in_full_in_its_first_pull_request(laptop: Path) -> None:
    """No production build of it exists yet: nothing to compare with or defer to, so every
    node of its own builds (slim CI refused it, so a new team could not pass CI before merging).
    """
    git(laptop, "checkout", "-q", "-b", "pr-new-domain")
    try:
        code, output = mesh("parse", "-s", "+sales")
        assert code == 0, output
        code, output = mesh("new", "domain", "inventory", "--reads", "sales")
        assert code == 0, output
        commit_all(laptop, "new domain inventory")
        code, output = mesh("ci", "breaking")
        assert code == 0, output
        assert "no production manifest for domain 'inventory'" in " ".join(output.split())
        code, output = mesh("ci", "slim")
        assert code == 0, output
        assert "inventory: new domain (no production build): dbt build --select " in output
        for name in ("customers", "sales", "marketing"):
            assert f"{name}: nothing changed, nothing to build" in output
        manifest = json.loads((laptop / ".mesh-state/ci/inventory/manifest.json").read_text())
        own = {
            uid
            for uid, node in [*manifest["nodes"].items(), *manifest["unit_tests"].items()]
            if node["package_name"] == "inventory" and node["resource_type"] in BUILT
        }
        assert {"model.inventory.dim_inventory_items", "model.inventory.int_sales_products"} <= own
        assert built_nodes(laptop, "inventory") == own
        assert summary_row(output, "inventory")[3] == "0"  # nothing failed
        assert f"Nodes built: {len(own)}" in output
    finally:
        git(laptop, "checkout", "-q", "main")
        shutil.rmtree(laptop / "domains" / "inventory", ignore_errors=True)


def test_documentation_only_change_builds_nothing_and_reaches_the_merge(
    laptop: Path, merged_repo: Path
) -> None:
    """Runs last: it merges, so production's artifacts and warehouse carry the new text."""
    git(laptop, "checkout", "-q", "-b", "pr-docs")
    new_text = "Order ids are assigned by the point-of-sale system."
    try:
        # a shared doc block (columns of sales and marketing) and one model description
        edit(
            laptop / "macros/_mesh_core__docs.md",
            "{% docs order_id %}\n",
            f"{{% docs order_id %}}\n{new_text} ",
        )
        edit(
            laptop / "domains/sales/models/marts/sales/_sales__models.yml",
            "      One row per order with its status and money totals.",
            "      One row per order (documented anew) with its status and money totals.",
        )
        commit_all(laptop, "document order ids")
        code, output = mesh("ci", "slim")
        assert code == 0, output
        for domain in domain_names(laptop):
            assert f"{domain}: nothing changed, nothing to build" in output
        assert "Nodes built: 0" in output
        # the merge build carries the new text into the artifacts and the warehouse
        code, output = mesh("ci", "merge")
        assert code == 0, output
        boto3.client("s3").download_file(
            BUCKET, "dbt-artifacts/prod/sales/manifest.json", str(laptop / "merged.json")
        )
        node = json.loads((laptop / "merged.json").read_text())["nodes"]["model.sales.fct_orders"]
        assert "(documented anew)" in node["description"]
        assert new_text in node["columns"]["order_id"]["description"]
        with duckdb.connect(str(merged_repo / "warehouse" / "mesh.duckdb")) as con:
            (comment,) = con.execute(
                "select comment from duckdb_columns() where schema_name = 'sales_marts' "
                "and table_name = 'fct_orders' and column_name = 'order_id'"
            ).fetchone()
        assert new_text in comment
    finally:
        git(laptop, "checkout", "-q", "main")
