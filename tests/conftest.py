"""Fixtures shared by every test folder: a scratch copy of the mesh, built once per session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from mesh.build import MeshInvocation, run_mesh
from mesh.runner import DomainRun
from tests.meshcopy import copy_mesh

MESH_ENV = ("MESH_RAW_DATA_DIR", "MESH_DUCKDB_PATH", "MESH_TARGET", "MESH_ROOT")


@pytest.fixture(autouse=True)
def _no_mesh_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up the developer's own mesh paths or target."""
    for key in MESH_ENV:
        monkeypatch.delenv(key, raising=False)


@pytest.fixture(scope="session")
def built_mesh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[DomainRun]]]:
    """The whole mesh built from scratch on DuckDB in a scratch folder (once per session)."""
    saved = {key: os.environ.pop(key, None) for key in MESH_ENV}
    root = copy_mesh(tmp_path_factory.mktemp("mesh"))
    runs = run_mesh(root, MeshInvocation(("build",), dbt_args=("--quiet",)))
    yield root, runs
    for key, value in saved.items():
        if value is not None:
            os.environ[key] = value
