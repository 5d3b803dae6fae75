"""Bad input gets a clear error naming the file and the fix, through the real CLI and dbt."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mesh.build import MeshInvocation, run_mesh
from mesh.cli import app
from publish.errors import BadInputError
from tests.meshcopy import copy_mesh, domain_names

pytestmark = pytest.mark.integration


@pytest.fixture
def mesh_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = copy_mesh(tmp_path / "mesh")
    monkeypatch.setenv("MESH_ROOT", str(root))
    return root


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, " ".join((result.output or "").split())


def test_missing_upstream_manifest_names_the_domain_to_build_first(mesh_root: Path) -> None:
    code, output = invoke("build", "--select", "marketing")
    assert code == 2
    assert "dbt_loom.config.yml" in output
    assert "mesh build --select customers" in output
    assert not (mesh_root / "domains" / "marketing" / "target").exists(), "dbt ran anyway"


def test_unknown_target_lists_the_valid_ones(mesh_root: Path) -> None:
    code, output = invoke("build", "--target", "staging")
    assert code == 2
    assert "unknown target 'staging'" in output
    assert "ci, ci_athena, dev, lint, local, prod" in output
    assert "profiles.yml" in output


def test_unknown_domain_in_select(mesh_root: Path) -> None:
    code, output = invoke("build", "--select", "finance")
    assert code == 2
    assert "unknown domain 'finance'" in output
    assert ", ".join(sorted(domain_names(mesh_root))) in output


def test_broken_schema_yml_names_the_file(mesh_root: Path) -> None:
    broken = mesh_root / "domains/customers/models/marts/customers/_customers__models.yml"
    broken.write_text(broken.read_text() + "\n  - name: [unclosed\n", encoding="utf-8")
    code, output = invoke("build", "--select", "customers")
    assert code == 2
    assert "_customers__models.yml" in output
    assert "Fix:" in output


def test_broken_loom_config_names_the_file(mesh_root: Path) -> None:
    config = mesh_root / "domains/marketing/dbt_loom.config.yml"
    config.write_text("manifests:\n  - name: sales\n    type: [file\n", encoding="utf-8")
    code, output = invoke("build")
    assert code == 2
    assert "dbt_loom.config.yml: the file is not valid YAML" in output


def test_contract_violation_fails_the_build_with_dbts_contract_error(mesh_root: Path) -> None:
    marts = mesh_root / "domains/sales/models/marts/sales"
    (marts / "fct_contract_probe.sql").write_text(
        "select cast('not-a-number' as varchar) as order_id\n", encoding="utf-8"
    )
    (marts / "_probe__models.yml").write_text(
        "version: 2\nmodels:\n  - name: fct_contract_probe\n    description: probe\n"
        "    config:\n      contract: {enforced: true}\n"
        "    columns:\n      - name: order_id\n        description: probe\n"
        "        data_type: bigint\n",
        encoding="utf-8",
    )
    runs = run_mesh(
        mesh_root,
        MeshInvocation(("build",), selectors=("sales",), dbt_args=("-s", "fct_contract_probe")),
    )
    assert not runs[0].success
    (failure,) = runs[0].failures
    assert failure.startswith("model.sales.fct_contract_probe: error")
    assert "contract" in failure.lower()
    assert "order_id" in failure


def test_ref_to_another_domains_private_model_is_refused(mesh_root: Path) -> None:
    model = mesh_root / "domains/marketing/models/marts/marketing/fct_private_probe.sql"
    model.write_text("select * from {{ ref('customers', 'int_customers_joined') }}\n")
    with pytest.raises(BadInputError) as error:
        run_mesh(mesh_root, MeshInvocation(("parse",), dbt_args=("--quiet",)))
    message = str(error.value)
    assert "marketing" in message
    assert "int_customers_joined" in message
    assert "private" in message
