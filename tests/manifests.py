"""Small hand-made dbt artifacts for unit tests, shaped like dbt 1.11's (only the fields needed).

Tests write them to files and read them back through the typed loader, as every command does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCHEMA = "https://schemas.getdbt.com/dbt/{kind}/{version}.json"


def model_node(project: str, name: str, columns: dict[str, str | None], **extra: Any) -> dict:
    """A model node of `project`; `columns` maps names to declared data types."""
    version = extra.get("version")
    uid = f"model.{project}.{name}" + (f".v{version}" if version is not None else "")
    node: dict[str, Any] = {
        "unique_id": uid,
        "resource_type": "model",
        "package_name": project,
        "name": name,
        "schema": f"{project}_marts",
        "database": "awsdatacatalog",
        "alias": name,
        "path": f"marts/{name}.sql",
        "original_file_path": f"models/marts/{name}.sql",
        "patch_path": f"{project}://models/marts/_marts__models.yml",
        "description": f"The {name} model.",
        "access": "protected",
        "config": {"enabled": True, "materialized": "table", "meta": {}},
        "contract": {"enforced": False},
        "constraints": [],
        "columns": {
            col: {"name": col, "description": f"{col}.", "data_type": dt, "constraints": []}
            for col, dt in columns.items()
        },
        "depends_on": {"nodes": []},
        "version": None,
        "meta": {},
        "tags": [],
    }
    node.update(extra)
    return node


def generic_test(project: str, model_uid: str, kind: str, column: str) -> dict:
    """A generic test (`unique`, `not_null`, ...) on one column of a model."""
    name = f"{kind}_{model_uid.split('.')[2]}_{column}"
    return {
        "unique_id": f"test.{project}.{name}",
        "resource_type": "test",
        "package_name": project,
        "name": name,
        "schema": f"{project}_dbt_test__audit",
        "attached_node": model_uid,
        "column_name": column,
        "test_metadata": {"name": kind, "kwargs": {"column_name": column}},
        "depends_on": {"nodes": [model_uid]},
        "config": {"enabled": True},
    }


def manifest(project: str, *nodes: dict, version: str = "v12", **sections: Any) -> dict:
    return {
        "metadata": {
            "dbt_schema_version": SCHEMA.format(kind="manifest", version=version),
            "dbt_version": "1.11.16",
            "project_name": project,
            "adapter_type": "athena",
        },
        "nodes": {n["unique_id"]: n for n in nodes},
        "sources": {},
        "groups": {},
        "docs": {},
        **sections,
    }


def write(directory: Path, document: dict, name: str = "manifest.json") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path
