"""A "production mirror" of the Glue Data Catalog, seeded from locally built dbt artifacts.

In production, `dbt build --target prod` creates one Glue database per domain and layer
(`<domain>_<layer>`) and registers every table as an Iceberg table (views as Athena views). This
module creates the same databases and tables in any Glue endpoint (moto server locally) from each
domain's artifacts, read by the typed loader (`catalog.json` optional), so that the publisher and
a DataZone Glue data source see what they would see in production. Tables are created
undocumented: documenting them is the publisher's job. Idempotent: existing databases and tables
are left as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from publish.artifacts import load_domains
from publish.model import Column, Domain, Model

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
    loaded: Sequence[Domain] | None = None,
) -> MirrorResult:
    """Create the Glue databases and tables a production build of the artifacts creates.

    `loaded`: the domains' artifacts when the caller already loaded them.
    """
    if loaded is None:
        loaded = load_domains(root, artifacts, domains, require_catalog=False)
    databases: list[str] = []
    created: list[str] = []
    for domain in loaded:
        for model in domain.models:  # installed packages' models are built tables too
            relation = model.relation
            if relation is None:  # ephemeral
                continue
            database, name = relation.glue_database, relation.glue_table
            if database not in databases:
                _ensure_database(glue, database, domain.name)
                databases.append(database)
            columns = _columns(model)
            table_input = (
                _view(name, columns)
                if model.materialized == "view"
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


def _columns(model: Model) -> list[dict[str, Any]]:
    """The relation's columns as the catalog found them, in its order; without a catalog entry,
    the columns and types the dbt YAML declares (the contract)."""
    if model.in_catalog:
        found = sorted((c for c in model.columns if c.position is not None), key=_position)
        pairs = [(c.name, c.catalog_type) for c in found]
    else:
        pairs = [(c.name, c.data_type) for c in model.columns]
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


def _position(column: Column) -> int:
    return column.position or 0


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
