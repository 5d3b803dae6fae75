"""A folder under domains/ that is not set up as a mesh domain is told how to join, alone.

Unit tests read small folders written here; the integration tests drop a plain dbt project
(jaffle_shop-like: its own profile and DuckDB file, no mesh core) into a copy of the mesh and
run the real CLI.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mesh.build import MeshInvocation, run_mesh
from mesh.cli import app
from mesh.governance import check_domain, load_vocabulary
from mesh.membership import misfits
from mesh.project import discover_domains
from tests.meshcopy import REPO, copy_mesh, domain_names

JAFFLE_PROJECT = """\
name: 'jaffle_shop'
config-version: 2
version: '0.1'
profile: 'jaffle_shop'
model-paths: ["models"]
models:
  jaffle_shop:
    materialized: table
"""
JAFFLE_PROFILE = """\
jaffle_shop:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: 'jaffle_shop.duckdb'
      threads: 4
"""


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, " ".join((result.output or "").split())


def drop_in_jaffle_shop(root: Path, folder: str = "jaffle_shop") -> Path:
    """A plain dbt project as dbt-labs publishes it: own profile, no mesh core, no shim."""
    path = root / "domains" / folder
    (path / "models").mkdir(parents=True)
    (path / "dbt_project.yml").write_text(JAFFLE_PROJECT, encoding="utf-8")
    (path / "profiles.yml").write_text(JAFFLE_PROFILE, encoding="utf-8")
    (path / "models" / "customers.sql").write_text("select 1 as customer_id\n")
    return path


def member_copy(root: Path, source: str, folder: str, project: str) -> Path:
    """A copy of a real domain under another folder, its dbt project renamed."""
    path = root / "domains" / folder
    shutil.copytree(REPO / "domains" / source, path, symlinks=True, ignore=_BUILT)
    text = (path / "dbt_project.yml").read_text(encoding="utf-8")
    (path / "dbt_project.yml").write_text(text.replace(f"name: {source}", f"name: {project}"))
    return path


_BUILT = shutil.ignore_patterns("target", "dbt_packages", "logs")


@pytest.fixture
def mini_mesh(tmp_path: Path) -> Path:
    """Root files of the mesh and the real `sales` domain: enough for the file rules."""
    root = tmp_path / "mesh"
    (root / "domains").mkdir(parents=True)
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(REPO / "domains" / "sales", root / "domains" / "sales", ignore=_BUILT)
    return root


def rules(root: Path, name: str) -> list[str]:
    return [m.rule for m in misfits(discover_domains(root)[name], root)]


def test_the_real_domains_are_members() -> None:
    for domain in discover_domains(REPO).values():
        assert misfits(domain, REPO) == [], domain.name


def test_a_plain_project_misses_profile_core_and_schema_naming(mini_mesh: Path) -> None:
    drop_in_jaffle_shop(mini_mesh)
    found = misfits(discover_domains(mini_mesh)["jaffle_shop"], mini_mesh)
    assert [m.rule for m in found] == [
        "shared-profile",
        "shared-profile",
        "mesh-core",
        "schema-naming",
    ]
    assert "'jaffle_shop'" in found[0].problem and "profile: mesh" in found[0].fix
    assert "ln -sf ../../profiles.yml" in found[1].fix
    assert found[2].file.name == "packages.yml"
    assert "mesh_core.mesh_schema_name" in found[3].fix


def test_each_rule_alone(mini_mesh: Path) -> None:
    sales = mini_mesh / "domains" / "sales"
    assert rules(mini_mesh, "sales") == []

    (sales / "profiles.yml").write_text("mesh: {target: local, outputs: {}}\n")
    assert rules(mini_mesh, "sales") == ["shared-profile"]
    (sales / "profiles.yml").unlink()
    (sales / "profiles.yml").symlink_to("../../profiles.yml")  # a link is the shared file
    assert rules(mini_mesh, "sales") == []

    packages = (sales / "packages.yml").read_text()
    (sales / "packages.yml").write_text("packages:\n  - local: ../other\n")
    assert rules(mini_mesh, "sales") == ["mesh-core"]
    (sales / "packages.yml").unlink()
    (sales / "dependencies.yml").write_text(packages)  # dbt reads either file
    assert rules(mini_mesh, "sales") == []
    (sales / "dependencies.yml").write_text("packages: [unclosed\n")
    (found,) = misfits(discover_domains(mini_mesh)["sales"], mini_mesh)
    assert found.rule == "mesh-core" and "not valid YAML" in found.problem

    (sales / "dependencies.yml").write_text(packages)
    (sales / "macros" / "generate_schema_name.sql").unlink()
    assert rules(mini_mesh, "sales") == ["schema-naming"]


def test_folder_and_project_name_must_agree(mini_mesh: Path) -> None:
    member_copy(mini_mesh, "sales", "shop", "sales_v2")
    found = misfits(discover_domains(mini_mesh)["shop"], mini_mesh)
    assert [m.rule for m in found] == ["project-name"]
    assert "'sales_v2'" in found[0].problem and "name: shop" in found[0].fix


@pytest.mark.integration
def test_schema_names_outside_domain_layer_are_violations(tmp_path: Path) -> None:
    """The parsed manifest is the truth: a shim that names the mesh macro but does not use it
    passes the file rule, and every relation outside <domain>_<layer> is a violation."""
    root = copy_mesh(tmp_path / "mesh")
    shim = root / "domains" / "sales" / "macros" / "generate_schema_name.sql"
    shim.write_text(
        "{# once delegated to mesh_core.mesh_schema_name #}\n"
        "{% macro generate_schema_name(custom_schema_name, node) -%}\n"
        "    {{ custom_schema_name or target.schema }}\n"
        "{%- endmacro %}\n"
    )
    domain = discover_domains(root)["sales"]
    assert misfits(domain, root) == []
    runs = run_mesh(root, MeshInvocation(("parse",), selectors=("sales",), dbt_args=("-q",)))
    assert runs[0].success
    found = check_domain(domain, load_vocabulary(root))
    naming = {v.node: v.problem for v in found if v.rule == "schema-naming"}
    assert "model.sales.fct_orders" in naming and "model.sales.stg_pos__orders" in naming
    assert "builds into schema 'marts', not 'sales_marts'" in naming["model.sales.fct_orders"]
    assert {v.rule for v in found} == {"schema-naming"}  # the other rules still pass


@pytest.mark.integration
def test_dropped_in_project_is_refused_with_how_to_join(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_mesh(tmp_path / "mesh")
    monkeypatch.setenv("MESH_ROOT", str(root))
    jaffle = drop_in_jaffle_shop(root)
    for command in (["build"], ["parse"], ["build", "-s", "jaffle_shop"]):
        code, output = invoke(*command)
        assert code == 2, output
        assert f"{jaffle}: domain 'jaffle_shop' is a dbt project outside the mesh" in output
        for words in ("profile: mesh", "local: ../..", "generate_schema_name", "'Add a domain'"):
            assert words in output, output
    # nothing ran: no domain has a target/, no warehouse file was opened
    assert not list(root.glob("domains/*/target")) and not list(root.rglob("*.duckdb"))
    for command in (["publish", "glue", "--dry-run"], ["docs", "portal"]):
        code, output = invoke(*command)
        assert code == 2 and "domain 'jaffle_shop' is a dbt project outside the mesh" in output


@pytest.mark.integration
def test_check_reports_the_outsider_alone_and_builds_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_mesh(tmp_path / "mesh")
    monkeypatch.setenv("MESH_ROOT", str(root))
    monkeypatch.setenv("COLUMNS", "250")  # one table row per line
    drop_in_jaffle_shop(root)
    member_copy(root, "sales", "shop", "sales_v2")  # a folder named unlike its project
    code, output = invoke("check")
    assert code == 1, output
    assert "4 violation(s)" not in output
    rows = [line for line in output.split("│") if "outside-mesh/" in line]
    assert [r.strip() for r in rows] == [
        "outside-mesh/shared-profile",
        "outside-mesh/shared-profile",
        "outside-mesh/mesh-core",
        "outside-mesh/schema-naming",
        "outside-mesh/project-name",
    ]
    assert "5 violation(s)" in output  # the real domains were parsed and passed
    assert "Domain jaffle_shop is a dbt project outside the mesh" in output
    assert "Domain shop is a dbt project outside the mesh" in output
    assert "set `name: shop` in dbt_project.yml" in output
    members = set(domain_names(REPO))
    assert all((root / "domains" / d / "target" / "manifest.json").is_file() for d in members)
    assert not (root / "domains" / "jaffle_shop" / "target").exists()

    code, output = invoke("build", "-s", "sales", "--", "--quiet")
    assert code == 0, output
    assert (root / "domains" / "sales" / "target" / "run_results.json").is_file()
    assert not (root / "domains" / "shop" / "target").exists()


def test_the_code_points_only_at_readme_sections_that_exist() -> None:
    headings = set(re.findall(r"^#+ (.+)$", (REPO / "README.md").read_text(), re.MULTILINE))
    cited = {
        (path.name, section)
        for folder in ("mesh", "publish")
        for path in (REPO / folder).rglob("*.py")
        for section in re.findall(r"README(?:'s|,)? '([^']+)'", path.read_text())
    }
    assert ("membership.py", "Add a domain") in cited
    assert {(name, s) for name, s in cited if s not in headings} == set()
