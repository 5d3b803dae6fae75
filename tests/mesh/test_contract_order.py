"""The prod mirror seeds Glue in contract order, as Athena creates a contracted mart.

Athena's CTAS keeps the final select's order (the mesh keeps it in contract order, which
test_athena_readiness checks); dbt-duckdb reorders to the contract, so a local catalog's order
proves nothing. Here the local catalog lists every column backwards.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import boto3
import pytest

from mesh.runner import DomainRun
from mesh_standins.moto_server import moto_server, reset_moto
from mesh_standins.prodmirror import seed_glue

pytestmark = pytest.mark.integration


def test_glue_columns_follow_the_contract_not_the_local_catalog(
    built_mesh: tuple[Path, list[DomainRun]], tmp_path: Path
) -> None:
    root, _ = built_mesh
    artifacts = tmp_path / "artifacts" / "sales"
    artifacts.mkdir(parents=True)
    shutil.copy2(root / "domains/sales/target/manifest.json", artifacts / "manifest.json")
    manifest = json.loads((artifacts / "manifest.json").read_text(encoding="utf-8"))
    models = {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["config"]["materialized"] != "view"
    }
    catalog: dict[str, Any] = {
        "metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/catalog/v1.json"},
        "nodes": {},
        "sources": {},
        "errors": None,
    }
    for uid, node in models.items():
        names = list(node["columns"])
        catalog["nodes"][uid] = {
            "unique_id": uid,
            "metadata": {"name": node["alias"], "schema": node["schema"], "type": "BASE TABLE"},
            "columns": {
                name: {"name": name, "index": len(names) - i, "type": "VARCHAR"}
                for i, name in enumerate(names)
            },
        }
    (artifacts / "catalog.json").write_text(json.dumps(catalog), encoding="utf-8")
    with moto_server() as endpoint:
        reset_moto(endpoint)
        glue = boto3.client(
            "glue", endpoint_url=endpoint, region_name="us-east-1",
            aws_access_key_id="testing", aws_secret_access_key="testing",
        )  # fmt: skip
        seed_glue(glue, root, artifacts.parent, ["sales"])
        for node in models.values():
            table = glue.get_table(DatabaseName=node["schema"], Name=node["alias"])["Table"]
            got = [c["Name"] for c in table["StorageDescriptor"]["Columns"]]
            declared = list(node["columns"])
            if node["contract"]["enforced"]:
                assert got == declared, node["unique_id"]
            else:  # no contract: the table has what the build made, in its order
                assert got == declared[::-1], node["unique_id"]
