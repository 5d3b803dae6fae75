"""Bad input gets a clear error naming the file and the fix, through the real CLI and dbt."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mesh.build import MeshInvocation, run_mesh
from mesh.cli import app
from mesh.runner import mesh_environment
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


def test_several_domains_in_one_select_say_how_to_give_them(mesh_root: Path) -> None:
    """dbt's habit `--select a,b` (or "a b") named one unknown domain 'a,b' and listed all."""
    first, second = sorted(domain_names(mesh_root))[:2]
    code, output = invoke("build", "--select", f"{first},{second}+")
    assert code == 2
    assert f"Fix: give each domain its own --select: -s {first} -s {second}+" in output


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


# --- issue 13: every bad input gets one paragraph (exit 2) and nothing is run or written -------


def truncate(path: Path, keep: int = 50_000) -> None:
    """What an interrupted run or download leaves behind."""
    path.write_bytes(path.read_bytes()[:keep])


def run_results_of(root: Path, domain: str) -> bytes:
    return (root / "domains" / domain / "target" / "run_results.json").read_bytes()


def test_broken_yaml_in_a_later_domain_stops_before_any_domain_runs(mesh_root: Path) -> None:
    """Row 1: broken YAML in sales; customers (built first) must not be built either."""
    broken = mesh_root / "domains/sales/models/marts/sales/_sales__models.yml"
    broken.write_text(broken.read_text() + "\n  - name: [unclosed\n", encoding="utf-8")
    code, output = invoke("build")
    assert code == 2, output
    assert "_sales__models.yml" in output
    assert "Fix:" in output
    assert not list((mesh_root / "domains").glob("*/target")), "a domain was built anyway"


@pytest.mark.parametrize("selector", ["", " ", "+", "++"])
def test_an_empty_domain_selector_is_refused(mesh_root: Path, selector: str) -> None:
    """Row 3: `mesh build -s ''` built every domain."""
    code, output = invoke("build", "-s", selector)
    assert code == 2, output
    assert "--select" in output
    assert "customers, marketing, sales" in output
    assert not list((mesh_root / "domains").glob("*/target")), "a domain was built anyway"


def test_plain_dbt_in_a_domain_without_its_upstream_manifest_is_one_dbt_error(
    mesh_root: Path,
) -> None:
    """Row 5: plain `dbt build` in marketing before customers and sales were built gave a
    43-line dbt-loom traceback; now dbt's own one-paragraph error names the missing project."""
    dbt = Path(sys.executable).parent / "dbt"
    env = {**os.environ, **mesh_environment(mesh_root)}
    folder = mesh_root / "domains" / "marketing"
    subprocess.run([dbt, "deps", "--quiet"], cwd=folder, env=env, check=True)
    done = subprocess.run([dbt, "build"], cwd=folder, env=env, capture_output=True, text=True)
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert "Traceback" not in output
    assert "which was not found" in output
    assert "in package or project 'sales'" in output or "project 'customers'" in output


def test_truncated_upstream_manifest_names_the_file_before_dbt_runs(built_copy: Path) -> None:
    """Row 6: dbt-loom's "Unterminated string ... column 49995", no file named, exit 1."""
    manifest = built_copy / "domains/customers/target/manifest.json"
    truncate(manifest)
    before = run_results_of(built_copy, "marketing")
    code, output = invoke("build", "-s", "marketing")
    assert code == 2, output
    assert str(manifest) in output
    assert "truncated" in output
    assert "mesh build --select customers" in output
    assert run_results_of(built_copy, "marketing") == before, "marketing was built anyway"


def test_truncated_manifest_in_check_names_the_file(built_copy: Path) -> None:
    """Row 7: `mesh check --no-parse` on a truncated manifest: a JSONDecodeError traceback."""
    manifest = built_copy / "domains/sales/target/manifest.json"
    truncate(manifest)
    code, output = invoke("check", "--no-parse")
    assert code == 2, output
    assert str(manifest) in output
    assert "not valid JSON" in output
    assert "Fix:" in output


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["--scale", "-1"], "--scale"),
        (["--scale", "0"], "--scale"),
        (["--scale", "nan"], "--scale"),
        (["--scale", "inf"], "--scale"),
        (["--as-of", "2026-13-45"], "--as-of"),
        (["--as-of", "yesterday"], "--as-of"),
    ],
)
def test_raw_data_options_are_checked_before_anything_is_written(
    tmp_path: Path, args: list[str], problem: str
) -> None:
    """Rows 14 and 15: `--scale -1/0` replaced the raw data with 1-row tables (exit 0);
    `nan`, `inf` and impossible days were tracebacks."""
    out = tmp_path / "raw"
    code, output = invoke("data", "--out", str(out), *args)
    assert code == 2, output
    assert problem in output
    assert "Traceback" not in output
    assert not out.exists(), "raw data was written"


@pytest.mark.parametrize("under", [False, True])
def test_raw_data_out_naming_a_file_is_one_paragraph(tmp_path: Path, under: bool) -> None:
    """`mesh data --out <a file>` was a NotADirectoryError traceback after the data was made."""
    existing = tmp_path / "notes.txt"
    existing.write_text("mine")
    out = existing / "raw" if under else existing
    code, output = invoke("data", "--out", str(out))
    assert code == 2, output
    expected = "cannot create the output folder" if under else "--out names a file, not a folder"
    assert output.startswith(f"error: {out}: {expected}"), output
    assert "Fix: pass --out a folder" in output
    assert existing.read_text() == "mine"


def test_a_held_warehouse_lock_is_one_paragraph_and_no_dbt_run(built_copy: Path) -> None:
    """Row 16: three dbt tracebacks before the useful paragraph."""
    warehouse = built_copy / "warehouse" / "mesh.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True);"
            " time.sleep(120)",
            str(warehouse),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        before = run_results_of(built_copy, "customers")
        code, output = invoke("build", "-s", "customers")
    finally:
        holder.kill()
        holder.wait()
    assert code == 2, output
    assert "Traceback" not in output
    assert str(warehouse) in output
    assert f"PID {holder.pid}" in output
    assert run_results_of(built_copy, "customers") == before


def test_a_dbt_selection_that_matches_nothing_fails_and_keeps_the_last_results(
    built_copy: Path,
) -> None:
    """Row 18: exit 0 and run_results.json replaced by 0 results (the portal then showed
    "tests 29 failing")."""
    before = run_results_of(built_copy, "sales")
    code, output = invoke("build", "-s", "sales", "--", "--select", "does_not_exist")
    assert code == 2, output
    assert "does_not_exist" in output
    assert "matched nothing" in output
    assert run_results_of(built_copy, "sales") == before


def test_an_interrupted_raw_data_run_leaves_the_previous_files_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: each table replaced its file as it was written, so a run stopped half-way left
    some tables of the new run beside the others of the old one."""
    import pyarrow.parquet as pq

    from mesh.rawdata import RawDataSpec, write_raw_data

    out = tmp_path / "raw"
    write_raw_data(RawDataSpec(seed=1, scale=1.0), out)
    before = {p: p.read_bytes() for p in out.rglob("*.parquet")}
    real_write = pq.write_table
    written: list[object] = []

    def write_then_stop(table: object, where: object, **kwargs: object) -> None:
        if len(written) == 3:
            raise KeyboardInterrupt  # Ctrl-C while the fourth table is written
        written.append(where)
        real_write(table, where, **kwargs)

    monkeypatch.setattr(pq, "write_table", write_then_stop)
    with pytest.raises(KeyboardInterrupt):
        write_raw_data(RawDataSpec(seed=2, scale=1.0), out)

    assert {p: p.read_bytes() for p in out.rglob("*.parquet")} == before
    assert not list(out.rglob("*.tmp")), "a half-written file was left behind"


def test_a_port_out_of_range_is_refused_by_the_option(tmp_path: Path) -> None:
    """Before: OverflowError traceback from bind()."""
    code, output = invoke("docs", "serve", "--port", "99999", "--out", str(tmp_path))
    assert code == 2, output
    assert "--port" in output and "65535" in output


@pytest.mark.parametrize("given", ["missing", "file", "not a mesh"])
def test_a_mesh_root_that_is_none_is_refused_not_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    """Before: a MESH_ROOT that was no mesh root was silently ignored and the command ran on the
    repository of the current folder (`mesh build` built it)."""
    root = tmp_path / "mesh"
    if given == "file":
        root.write_text("")
    elif given == "not a mesh":
        (root / "domains").mkdir(parents=True)
    monkeypatch.setenv("MESH_ROOT", str(root))
    code, output = invoke("check", "--no-parse")
    assert code == 2, output
    assert f"MESH_ROOT is '{root}', which is not the root of an analytics mesh" in output


def test_a_key_given_twice_in_a_models_yaml_stops_before_any_domain_runs(mesh_root: Path) -> None:
    """Before: PyYAML (and dbt, with a deprecation warning) kept the second `description:` of
    the model, and `mesh build` built every domain."""
    models = mesh_root / "domains/sales/models/marts/sales/_sales__models.yml"
    lines = models.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("description:"))
    lines.insert(at, lines[at].split("description:")[0] + "description: pasted above")
    models.write_text("\n".join(lines) + "\n", encoding="utf-8")

    code, output = invoke("build")

    assert code == 2, output
    assert "_sales__models.yml" in output
    assert "the key 'description' is given twice in one mapping" in output
    assert f"(lines {at + 1} and {at + 2})" in output
    assert not list((mesh_root / "domains").glob("*/target")), "a domain was built anyway"
