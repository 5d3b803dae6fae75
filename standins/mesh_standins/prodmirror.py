"""A "production mirror" of the Glue Data Catalog, seeded from locally built dbt artifacts.

In production, `dbt build --target prod` creates one Glue database per domain and layer
(`<domain>_<layer>`) and registers every table it builds (models, seeds, snapshots) as an Iceberg
table (views as Athena views). This
module creates the same databases and tables in any Glue endpoint (moto server locally) from each
domain's `manifest.json` + `catalog.json`, so that the publisher and a DataZone Glue data source
see what they would see in production. Tables are created undocumented: documenting them is the
publisher's job. Idempotent: existing databases and tables are left as they are.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from publish.artifacts import discover

#: resource types a build writes as tables or views (seeds too: a domain may start from one)
BUILT = frozenset({"model", "seed", "snapshot"})
_TYPES = {"integer": "int", "varchar": "string", "text": "string", "character varying": "string"}


def glue_type(dbt_type: str | None) -> str:
    """The Glue/Hive type Athena registers for a DuckDB/dbt column type."""
    t = (dbt_type or "string").strip().lower()
    if t.startswith(("varchar", "character varying")):
        return "string"
    if t.startswith("timestamp"):
        return "timestamp"
    return _TYPES.get(t, t)


@dataclass(frozen=True)
class MirrorResult:
    databases: tuple[str, ...]
    tables: tuple[str, ...]  # `<database>.<table>` created now


def seed_glue(
    glue: Any,
    root: Path,
    artifacts: Path | None = None,
    domains: Sequence[str] = (),
    *,
    bucket: str = "mesh-warehouse-prod",
) -> MirrorResult:
    """Create the Glue databases and tables a production build of the artifacts creates."""
    databases: list[str] = []
    created: list[str] = []
    for found in discover(root, artifacts, domains):
        manifest = json.loads((found.directory / "manifest.json").read_bytes())
        catalog_path = found.directory / "catalog.json"
        catalog = json.loads(catalog_path.read_bytes()) if catalog_path.exists() else {"nodes": {}}
        project = manifest["metadata"]["project_name"]
        for node in manifest["nodes"].values():
            if node["resource_type"] not in BUILT or node["package_name"] != project:
                continue
            materialized = node["config"]["materialized"]
            if materialized == "ephemeral":
                continue
            database, name = node["schema"].lower(), (node["alias"] or node["name"]).lower()
            if database not in databases:
                _ensure_database(glue, database, project)
                databases.append(database)
            columns = _columns(node, catalog)
            table_input = (
                _view(name, columns)
                if materialized == "view"
                else _iceberg(name, database, columns, bucket)
            )
            try:
                glue.create_table(DatabaseName=database, TableInput=table_input)
                created.append(f"{database}.{name}")
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "AlreadyExistsException":
                    raise
    return MirrorResult(tuple(databases), tuple(created))


def _ensure_database(glue: Any, database: str, project: str) -> None:
    try:
        glue.create_database(
            DatabaseInput={
                "Name": database,
                "Parameters": {"created_by": "dbt-athena", "domain": project},
            }
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "AlreadyExistsException":
            raise


def _columns(node: dict[str, Any], catalog: dict[str, Any]) -> list[dict[str, Any]]:
    table = catalog.get("nodes", {}).get(node["unique_id"])
    if table is not None:
        cols = sorted(table["columns"].values(), key=lambda c: c["index"])
        pairs = [(c["name"], c.get("type")) for c in cols]
    else:  # no catalog: the contract's declared types
        pairs = [(c["name"], c.get("data_type")) for c in node.get("columns", {}).values()]
    return [
        {
            "Name": name.lower(),
            "Type": glue_type(dtype),
            "Parameters": {
                "iceberg.field.id": str(i + 1),
                "iceberg.field.optional": "true",
                "iceberg.field.current": "true",
            },
        }
        for i, (name, dtype) in enumerate(pairs)
    ]


def _iceberg(name: str, database: str, columns: list[dict[str, Any]], bucket: str) -> dict:
    location = f"s3://{bucket}/{database}/{name}"
    return {
        "Name": name,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {
            "table_type": "ICEBERG",
            "metadata_location": f"{location}/metadata/00000-mirror.metadata.json",
            "write.parquet.compression-codec": "zstd",
        },
        "StorageDescriptor": {
            "Columns": columns,
            "Location": location,
            "InputFormat": "org.apache.hadoop.mapred.FileInputFormat",
            "OutputFormat": "org.apache.hadoop.mapred.FileOutputFormat",
            "SerdeInfo": {"SerializationLibrary": "org.apache.iceberg.mr.hive.HiveIcebergSerDe"},
        },
    }


def _view(name: str, columns: list[dict[str, Any]]) -> dict:
    return {
        "Name": name,
        "TableType": "VIRTUAL_VIEW",
        "Parameters": {"presto_view": "true", "comment": "Presto View"},
        "ViewOriginalText": f"/* Presto View: {name} */",
        "ViewExpandedText": "/* Presto View */",
        "StorageDescriptor": {"Columns": [{"Name": c["Name"], "Type": c["Type"]} for c in columns]},
    }
