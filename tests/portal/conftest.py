"""The built scratch mesh with each domain's dbt docs generated, for the portal tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mesh.build import MeshInvocation, run_mesh
from mesh.portal.collect import Portal, collect
from mesh.runner import DomainRun
from tests.meshcopy import domain_names

DOMAINS = tuple(domain_names())  # as domains/ holds them


@pytest.fixture(scope="session")
def docs_mesh(built_mesh: tuple[Path, list[DomainRun]]) -> Path:
    """The session's built mesh after `dbt docs generate` in every domain.

    `--no-write-json` keeps the build's run_results.json (test status, build times): without
    it `docs generate` overwrites the file with its own, test-less results.
    """
    root, runs = built_mesh
    assert all(run.success for run in runs), [run.failures for run in runs]
    targets = [root / "domains" / d / "target" for d in DOMAINS]
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


@pytest.fixture(scope="session")
def portal(docs_mesh: Path) -> Portal:
    return collect(docs_mesh)
