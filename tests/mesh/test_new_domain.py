"""`mesh new domain`: inputs refused clearly with nothing written; the domain it writes builds,
passes `mesh check` and sqlfluff, shows in the portal and publishes (Glue and DataZone)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from mesh.ci.sqllint import lint
from mesh.cli import app
from mesh.portal.collect import collect
from mesh_standins.demo import REGION, environment, stand_in_env, stand_ins
from mesh_standins.prodmirror import seed_glue
from publish.aws import AwsClients, AwsSettings
from publish.datazone.api import DataZoneApi
from publish.datazone.config import load_config
from tests.meshcopy import assert_upstream_first, copy_mesh, domain_names

#: the example rows `mesh new domain` writes: (item_id, category as staging lower-cases it)
EXAMPLE_ITEMS = ((1, "example"), (2, "example"), (3, "sample"))


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, " ".join((result.output or "").split())


def first_json(output: str) -> dict:
    """The JSON document a command printed (stderr may follow it)."""
    document, _ = json.JSONDecoder().raw_decode(output[output.index("{") :])
    return document


def target_plan(output: str, target: str) -> dict:
    """One target's part of the document `mesh publish ... -o json` printed."""
    return next(t for t in first_json(output)["targets"] if t["target"] == target)


def listing(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in (root / "domains").rglob("*"))


@pytest.fixture(scope="module")
def parsed_mesh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A copy of the mesh, every domain parsed (upstream manifests exist, nothing built)."""
    root = copy_mesh(tmp_path_factory.mktemp("new") / "mesh")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MESH_ROOT", str(root))
        code, output = invoke("parse", "--", "--quiet")
        assert code == 0, output
        yield root


@pytest.fixture
def mesh_root(parsed_mesh: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MESH_ROOT", str(parsed_mesh))
    return parsed_mesh


@pytest.mark.integration
@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["Inventory"], ["'Inventory' is not a valid domain name", "'inventory'"]),
        (["2nd_shop"], ["not a valid domain name", "'nd_shop'"]),
        (["in-ventory"], ["not a valid domain name", "'in_ventory'"]),
        (["x" * 65], ["at most 64 characters"]),
        (["mesh_core"], ["dbt package the mesh installs"]),
        (["dbt_duckdb"], ["dbt package the mesh installs"]),
        (["sales"], ["domain 'sales' already exists", "domains/sales"]),
        (["inventory", "--reads", "finance"], ["no domain 'finance' under domains/", "sales"]),
        (["inventory", "--reads", "sales.fct_daily_sales"], ["'fct_daily_sales' is not a public"]),
        (["inventory", "--reads", "sales", "--owner", "nobody"], ["--owner 'nobody'"]),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    mesh_root: Path, args: list[str], words: list[str]
) -> None:
    before = listing(mesh_root)
    code, output = invoke("new", "domain", *args)
    assert code == 2, output
    assert output.startswith("error:") and "Fix:" in output
    for word in words:
        assert word in output, output
    assert listing(mesh_root) == before


@pytest.mark.integration
def test_reads_needs_the_upstream_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_mesh(tmp_path / "mesh")  # never parsed
    monkeypatch.setenv("MESH_ROOT", str(root))
    code, output = invoke("new", "domain", "inventory", "--reads", "sales")
    assert code == 2
    assert "domains/sales/target/manifest.json" in output
    assert "`mesh parse -s +sales`" in output
    assert not (root / "domains" / "inventory").exists()


@pytest.mark.integration
def test_dry_run_lists_every_file_and_writes_nothing(mesh_root: Path) -> None:
    before = listing(mesh_root)
    code, output = invoke("new", "domain", "inventory", "--reads", "sales", "--dry-run")
    assert code == 0, output
    assert listing(mesh_root) == before
    for path in (
        "dbt_project.yml",
        "packages.yml",
        "dbt_loom.config.yml",
        "data_products.yml",
        "macros/generate_schema_name.sql",
        "models/_groups.yml",
        "models/intermediate/imports/int_sales_products.sql",
        "models/marts/inventory/dim_inventory_items.sql",
        "profiles.yml -> ../../profiles.yml",
    ):
        assert f"domains/inventory/{path}" in output, path
    assert "reads sales.dim_products through int_sales_products (key product_id)" in output


@pytest.mark.e2e
@pytest.mark.integration
def test_new_domains_build_check_lint_show_in_the_portal_and_publish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_mesh(tmp_path / "mesh")
    monkeypatch.setenv("MESH_ROOT", str(root))
    code, output = invoke("parse", "-s", "+sales", "--", "--quiet")
    assert code == 0, output
    code, output = invoke("new", "domain", "inventory", "--reads", "sales")
    assert code == 0, output
    code, output = invoke("new", "domain", "returns", "--owner", "returns@retail.example")
    assert code == 0, output
    domains = domain_names(root)
    assert {"inventory", "returns"} < set(domains) and len(domains) >= 5
    assert (root / "domains/inventory/profiles.yml").resolve() == root / "profiles.yml"

    # build: every domain, upstream first, all nodes passing
    code, output = invoke("build", "--", "--quiet")
    assert code == 0, output
    assert_upstream_first(re.findall(r"\[\d+/\d+\] (\w+)", output), root)
    with duckdb.connect(str(root / "warehouse" / "mesh.duckdb")) as con:
        sql = "select product_id from sales_marts.dim_products"
        products = {row[0] for row in con.execute(sql).fetchall()}
        got = con.execute(
            "select item_id, product_id, category from inventory_marts.dim_inventory_items"
        ).fetchall()
        returns = con.execute("select count(*) from returns_marts.dim_returns_items").fetchone()
    # the scaffold's three example items carry keys 1, 2, 3; a key sales does not know is null
    want = {(n, n if n in products else None, c) for n, c in EXAMPLE_ITEMS}
    assert set(got) == want and len(got) == 3
    assert returns == (3,)

    # governance and SQL style
    code, output = invoke("check")
    assert code == 0, output
    assert "Governance checks passed" in output
    new_sql = [
        p for d in ("inventory", "returns") for p in root.glob(f"domains/{d}/models/**/*.sql")
    ]
    assert len(new_sql) == 5  # staging and mart of each, inventory's import
    assert lint(root, new_sql) == 0

    # the portal: the domains, their public marts, products and the cross-domain edge
    code, output = invoke("docs", "generate", "--", "--quiet")
    assert code == 0, output
    code, output = invoke("docs", "portal")
    assert code == 0, output
    assert f"{len(domains)} domains" in output
    portal = collect(root)
    assert {"inventory", "returns"} <= {d.name for d in portal.domains}
    assert portal.model("inventory.dim_inventory_items").access == "public"
    assert {"Inventory Items", "Returns Items"} <= {p.name for p in portal.products}
    # consumers see public models only: the edge lands on the new domain's public mart
    assert ("sales.dim_products", "inventory.dim_inventory_items") in portal.cross_domain_edges()

    # publish: Glue and DataZone dry runs write nothing, then a publish converges
    with stand_ins() as urls, environment(stand_in_env(urls)):
        aws = AwsClients(AwsSettings(region=REGION))
        mirror = seed_glue(aws.glue, root)
        assert {"inventory_marts", "returns_marts"} <= set(mirror.databases)
        code, output = invoke("publish", "glue", "--dry-run", "-o", "json", "--target", "local")
        assert code == 0, output
        plan = target_plan(output, "glue")
        assert [s for s in plan["skipped"] if s["code"] == "no_glue_table"] == []
        planned = {a["unique_id"] for a in plan["actions"] if a["kind"] == "table"}
        assert {"model.inventory.dim_inventory_items", "model.returns.dim_returns_items"} <= planned

        # DataZone: no line in datazone.yml, so each new domain is a project of its own name
        config = load_config(root / "catalog" / "datazone.yml")
        assert "inventory" not in config.projects
        api = DataZoneApi.connect(aws, config)
        api.bootstrap({config.governance_project, *config.domain_projects(domains).values()})
        code, output = invoke("publish", "datazone", "--dry-run", "-o", "json", "-t", "local")
        assert code == 0, output
        actions = target_plan(output, "datazone")["actions"]
        for domain, model, product in (
            ("inventory", "model.inventory.dim_inventory_items", "Inventory Items"),
            ("returns", "model.returns.dim_returns_items", "Returns Items"),
        ):
            ops = {(a["kind"], a["op"]) for a in actions if a["domain"] == domain}
            assert ("asset", "create") in ops and ("data_product", "create") in ops, ops
            assert any(a["name"] == product for a in actions)
            assert any(model in a["name"] for a in actions if a["kind"] == "asset")
        code, output = invoke("publish", "datazone", "--target", "local")
        assert code == 0, output
        code, output = invoke("publish", "datazone", "--dry-run", "-o", "json", "-t", "local")
        assert code == 0, output
        assert target_plan(output, "datazone")["actions"] == []
