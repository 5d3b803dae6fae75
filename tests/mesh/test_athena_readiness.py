"""Every model compiles for the Athena `prod` target and parses as Athena (Trino) SQL.

dbt-athena talks to Glue (moto server on loopback, through AWS_ENDPOINT_URL) while
compiling, exactly as it would to AWS; nothing runs a query.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import sqlglot

from mesh.build import MeshInvocation, run_mesh
from mesh_standins.moto_server import local_aws_env, moto_server, reset_moto
from tests.meshcopy import copy_mesh

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    with moto_server() as endpoint, pytest.MonkeyPatch.context() as patch:
        reset_moto(endpoint)
        for key, value in local_aws_env(endpoint).items():
            patch.setenv(key, value)
        yield endpoint


@pytest.fixture(scope="module")
def athena_compiled(tmp_path_factory: pytest.TempPathFactory, moto_endpoint: str) -> Path:
    """The mesh compiled for prod, with fct_orders already in Glue (incremental branch)."""
    glue = boto3.client("glue", endpoint_url=moto_endpoint)
    glue.create_database(DatabaseInput={"Name": "sales_marts"})
    glue.create_table(
        DatabaseName="sales_marts",
        TableInput={
            "Name": "fct_orders",
            "TableType": "EXTERNAL_TABLE",
            "Parameters": {"table_type": "ICEBERG", "metadata_location": "s3://w/m.json"},
            "StorageDescriptor": {
                "Columns": [{"Name": "order_id", "Type": "bigint"}],
                "Location": "s3://mesh-warehouse-prod/sales_marts/fct_orders",
            },
        },
    )
    root = copy_mesh(tmp_path_factory.mktemp("athena") / "mesh")
    runs = run_mesh(root, MeshInvocation(("compile",), target="prod", dbt_args=("--quiet",)))
    assert [r.domain for r in runs] == ["customers", "sales", "marketing"]
    assert all(r.success for r in runs), [r.failures for r in runs]
    assert not list(root.glob("domains/*/target/manifest.json")), "prod wrote the local target/"
    return root


def test_every_compiled_statement_parses_as_athena_sql(athena_compiled: Path) -> None:
    # artifacts of targets other than `local` live apart, in .mesh-state/<target>/<domain>/
    compiled = sorted(athena_compiled.glob(".mesh-state/prod/*/compiled/**/*.sql"))
    models = [p for p in compiled if "/models/" in str(p) and p.parent.name != "tests"]
    assert len(compiled) >= 100, "expected every model and data test to be compiled"
    for path in compiled:
        sql = path.read_text(encoding="utf-8")
        try:
            statements = sqlglot.parse(sql, read="athena")
        except sqlglot.errors.ParseError as exc:  # pragma: no cover - failure message
            pytest.fail(f"{path} is not valid Athena SQL: {exc}")
        assert statements and all(s is not None for s in statements), path
    # Models compile against the Glue catalog, never against DuckDB names.
    assert all('"mesh".' not in p.read_text() for p in models)


def test_public_marts_are_iceberg_tables(athena_compiled: Path) -> None:
    public = 0
    for domain in ("customers", "sales", "marketing"):
        path = athena_compiled / f".mesh-state/prod/{domain}/manifest.json"
        manifest = json.loads(path.read_text())
        for node in manifest["nodes"].values():
            if node["resource_type"] != "model" or node["package_name"] != domain:
                continue
            if node["access"] == "public":
                public += 1
                assert node["config"]["table_type"] == "iceberg", node["unique_id"]
                assert node["config"]["materialized"] in {"table", "incremental"}
                assert node["contract"]["enforced"], node["unique_id"]
                assert node["relation_name"].startswith(f'"awsdatacatalog"."{domain}_marts".')
    assert public >= 7


def test_incremental_model_compiles_its_merge_branch_for_athena(athena_compiled: Path) -> None:
    path = (
        athena_compiled / ".mesh-state/prod/sales/compiled/sales/models/marts/sales/fct_orders.sql"
    )
    sql = path.read_text(encoding="utf-8")
    # is_incremental() was true: the lookback reads the existing Iceberg table in Glue.
    assert 'from "awsdatacatalog"."sales_marts"."fct_orders"' in sql
    assert "date_add('day', -3, max(updated_at))" in sql
    manifest = json.loads((athena_compiled / ".mesh-state/prod/sales/manifest.json").read_text())
    config = manifest["nodes"]["model.sales.fct_orders"]["config"]
    assert (config["incremental_strategy"], config["unique_key"]) == ("merge", "order_id")
