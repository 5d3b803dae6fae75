"""Fixtures shared by every test folder: a scratch copy of the mesh, built once per session."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from mesh.build import MeshInvocation, run_mesh
from mesh.project import discover_domains
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


@pytest.fixture(scope="session")
def docs_mesh(built_mesh: tuple[Path, list[DomainRun]]) -> Path:
    """The session's built mesh after `dbt docs generate` in every domain.

    `--no-write-json` keeps the build's run_results.json (test status, build times): without
    it `docs generate` overwrites the file with its own, test-less results.
    """
    root, runs = built_mesh
    assert all(run.success for run in runs), [run.failures for run in runs]
    targets = [domain.target_dir for domain in discover_domains(root).values()]
    if not all(_has_docs(t) for t in targets):
        docs = run_mesh(
            root, MeshInvocation(("docs", "generate"), dbt_args=("--quiet", "--no-write-json"))
        )
        assert all(run.success for run in docs), [run.failures for run in docs]
    return root


def _has_docs(target: Path) -> bool:
    """Docs generated and not overwritten since: another test's `dbt parse` of the shared mesh
    leaves a manifest without compiled SQL, which the served dbt docs would then lack."""
    if not ((target / "catalog.json").is_file() and (target / "index.html").is_file()):
        return False
    nodes = json.loads((target / "manifest.json").read_bytes())["nodes"].values()
    return all(n.get("compiled_code") for n in nodes if n["resource_type"] == "model")


@pytest.fixture
def built_copy(docs_mesh: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the built and documented mesh (targets, warehouse, raw data) that a
    test may break; `mesh` commands run in the test work on it (MESH_ROOT)."""
    root = tmp_path / "mesh"
    ignore = shutil.ignore_patterns("dbt_packages", "logs", ".mesh-state", "site")
    shutil.copytree(docs_mesh, root, ignore=ignore, symlinks=True)
    monkeypatch.setenv("MESH_ROOT", str(root))
    return root
