"""Read the tables a GLUE data source selects from a Glue endpoint (moto server locally).

This is the I/O half of a data source run; turning tables into assets is the handler's job.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config


@dataclass(frozen=True)
class GlueTable:
    database: str
    name: str
    arn: str
    description: str
    form_content: str  # GlueTableForm content (JSON text)


def _selected(name: str, expressions: list[dict[str, str]]) -> bool:
    """INCLUDE/EXCLUDE glob expressions; without INCLUDEs every table is included."""
    includes = [e["expression"] for e in expressions if e["type"] == "INCLUDE"]
    excludes = [e["expression"] for e in expressions if e["type"] == "EXCLUDE"]
    lowered = name.lower()
    if includes and not any(fnmatch.fnmatch(lowered, p.lower()) for p in includes):
        return False
    return not any(fnmatch.fnmatch(lowered, p.lower()) for p in excludes)


def _form_content(table: dict[str, Any], arn: str, region: str) -> str:
    sd = table.get("StorageDescriptor") or {}
    columns = [*sd.get("Columns", []), *table.get("PartitionKeys", [])]
    content = {
        "catalogId": table.get("CatalogId"),
        "databaseName": table["DatabaseName"],
        "tableName": table["Name"],
        "tableArn": arn,
        "region": region,
        "tableDescription": table.get("Description", ""),
        "columns": [
            {
                "columnName": c["Name"],
                "dataType": c.get("Type", "string"),
                **({"description": c["Comment"]} if c.get("Comment") else {}),
            }
            for c in columns
        ],
        "lakeFormationDetails": {"lakeFormationManagedTable": False},
    }
    return json.dumps({k: v for k, v in content.items() if v is not None}, sort_keys=True)


def read_tables(
    endpoint_url: str, region: str, account: str, filters: list[dict[str, Any]]
) -> list[GlueTable]:
    """Tables of each `relationalFilterConfigurations` entry, read with a boto3 Glue client.

    Raises botocore's ClientError (e.g. EntityNotFoundException) for a missing database.
    """
    glue = boto3.client(
        "glue",
        endpoint_url=endpoint_url,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # pragma: allowlist secret
        config=Config(retries={"mode": "standard", "max_attempts": 3}),
    )
    found: list[GlueTable] = []
    for flt in filters:
        database = flt["databaseName"]
        glue.get_database(Name=database)
        for page in glue.get_paginator("get_tables").paginate(DatabaseName=database):
            for table in page["TableList"]:
                if not _selected(table["Name"], flt.get("filterExpressions") or []):
                    continue
                catalog = table.get("CatalogId") or account
                arn = f"arn:aws:glue:{region}:{catalog}:table/{database}/{table['Name']}"
                found.append(
                    GlueTable(
                        database,
                        table["Name"],
                        arn,
                        table.get("Description", ""),
                        _form_content({**table, "CatalogId": catalog}, arn, region),
                    )
                )
    return found
