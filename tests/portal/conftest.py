"""The built scratch mesh with each domain's dbt docs generated, for the portal tests."""

from __future__ import annotations

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
    if not all((t / "catalog.json").is_file() and (t / "index.html").is_file() for t in targets):
        docs = run_mesh(
            root, MeshInvocation(("docs", "generate"), dbt_args=("--quiet", "--no-write-json"))
        )
        assert all(run.success for run in docs), [run.failures for run in docs]
    return root


@pytest.fixture(scope="session")
def portal(docs_mesh: Path) -> Portal:
    return collect(docs_mesh)
