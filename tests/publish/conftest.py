"""Fixtures of the publisher's tests: real dbt artifacts of the tiny fixture project, and a moto
server on loopback that the publisher reaches over HTTP through boto3."""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from mesh.build import MeshInvocation, run_mesh
from mesh.runner import DomainRun
from tests.publish.harness import ACCOUNT, REGION, GlueLikeMotoServer, create_tables_like_a_build

REPO = Path(__file__).resolve().parents[2]
TINY = REPO / "tests" / "fixtures" / "dbt_tiny"
LF_TAGS = REPO / "catalog" / "lf_tags.yml"
ARTIFACTS = ("manifest.json", "catalog.json", "run_results.json", "sources.json")


def _dbt(args: list[str], project: Path, target_path: Path) -> None:
    from dbt.cli.main import dbtRunner

    result = dbtRunner().invoke(
        [
            *args,
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--target",
            "prod",
            "--target-path",
            str(target_path),
            "--quiet",
        ]
    )
    assert result.success, f"dbt {' '.join(args)} failed: {result.exception}"


@pytest.fixture(scope="session")
def tiny_artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Artifacts of a real build of tests/fixtures/dbt_tiny, laid out as <dir>/tiny/*.json.

    Order as CI runs it: seed + build (whose run_results.json is kept), docs generate (catalog),
    source freshness (sources.json).
    """
    work = tmp_path_factory.mktemp("dbt_tiny")
    project = work / "project"
    shutil.copytree(TINY, project, ignore=shutil.ignore_patterns("target", "logs", "*.duckdb"))
    target = work / "target"
    saved = {k: os.environ.get(k) for k in ("DBT_TINY_DUCKDB", "DBT_LOG_PATH")}
    os.environ["DBT_TINY_DUCKDB"] = str(work / "tiny.duckdb")
    os.environ["DBT_LOG_PATH"] = str(work / "logs")
    try:
        _dbt(["seed"], project, target)
        _dbt(["build"], project, target)
        build_results = (target / "run_results.json").read_bytes()
        _dbt(["docs", "generate"], project, target)
        _dbt(["source", "freshness"], project, target)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    out = work / "artifacts" / "tiny"
    out.mkdir(parents=True)
    for name in ARTIFACTS:
        shutil.copy(target / name, out / name)
    (out / "run_results.json").write_bytes(build_results)
    return out.parent


@pytest.fixture
def artifacts(tiny_artifacts: Path, tmp_path: Path) -> Path:
    """A private copy of the tiny artifacts (<dir>/tiny/...), which a test may edit."""
    copy = tmp_path / "artifacts"
    shutil.copytree(tiny_artifacts, copy)
    return copy


@pytest.fixture(scope="session")
def moto_server() -> Iterator[GlueLikeMotoServer]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    server = GlueLikeMotoServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def aws(moto_server: GlueLikeMotoServer, monkeypatch: pytest.MonkeyPatch) -> GlueLikeMotoServer:
    """Dummy credentials and the moto endpoint in the environment; a fresh moto state."""
    for key in list(os.environ):
        if key.startswith("AWS_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server.endpoint)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    requests.post(f"{moto_server.endpoint}/moto-api/reset", timeout=10).raise_for_status()
    moto_server.middleware.before_update_table = None
    moto_server.middleware.before_call = None
    moto_server.middleware.deny_update = set()
    moto_server.clear_calls()
    return moto_server


@pytest.fixture
def session(aws: GlueLikeMotoServer) -> boto3.Session:
    return boto3.Session(region_name=REGION)


@pytest.fixture
def glue(session: boto3.Session) -> Any:
    """The test's own Glue client (its calls are logged too; tests clear the log first)."""
    return session.client("glue")


@pytest.fixture
def lakeformation(session: boto3.Session) -> Any:
    return session.client("lakeformation")


def read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


@pytest.fixture
def production(artifacts: Path, glue: Any, aws: GlueLikeMotoServer) -> Path:
    """Glue as a production build of the tiny artifacts leaves it; returns the artifacts dir."""
    create_tables_like_a_build(
        glue,
        read_json(artifacts / "tiny" / "manifest.json"),
        read_json(artifacts / "tiny" / "catalog.json"),
    )
    aws.clear_calls()
    return artifacts


__all__ = ["ACCOUNT", "LF_TAGS", "REGION", "REPO"]


@pytest.fixture(scope="session")
def mesh_artifacts(
    built_mesh: tuple[Path, list[DomainRun]], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The repository's domains built from scratch, documented (catalog.json), with each build's
    run_results.json kept: `<dir>/<domain>/*.json`."""
    root, runs = built_mesh
    failed = [f"{r.domain}: {r.failures[:3]}" for r in runs if not r.success]
    assert not failed, f"the mesh build failed: {failed}"
    targets = {r.domain: root / "domains" / r.domain / "target" for r in runs}
    builds = {d: (t / "run_results.json").read_bytes() for d, t in targets.items()}
    docs = run_mesh(root, MeshInvocation(("docs", "generate"), dbt_args=("--quiet",)))
    assert all(r.success for r in docs), [r.failures for r in docs if not r.success]
    out = tmp_path_factory.mktemp("mesh_artifacts")
    for domain, target in targets.items():
        (out / domain).mkdir()
        for name in ("manifest.json", "catalog.json"):
            shutil.copy(target / name, out / domain / name)
        (out / domain / "run_results.json").write_bytes(builds[domain])
        (target / "run_results.json").write_bytes(builds[domain])  # as the build left it
    return out
