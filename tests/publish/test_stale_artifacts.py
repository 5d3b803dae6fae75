"""A target's artifact folder (`.mesh-state/<target>/`) still holds the folder of a domain that
left the mesh: `mesh publish --target` and `mesh docs portal --target` leave it out and say so.

Before, both read every folder there: the retired domain was published (or, built for another
target, stopped the run) and shown in the portal as if it were still part of the mesh.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mesh.cli import app
from mesh.runner import DomainRun
from tests.publish.harness import GlueLikeMotoServer

pytestmark = pytest.mark.integration

WARNING = "holds artifacts of retired, which domains/ no longer has"


@pytest.fixture
def root(
    built_mesh: tuple[Path, list[DomainRun]],
    mesh_artifacts: Path,
    tiny_artifacts: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """The mesh's sources, its build as target `dev`'s artifacts, and a domain's folder that
    domains/ no longer has beside them."""
    built, _ = built_mesh
    root = tmp_path / "repo"
    shutil.copytree(
        built,
        root,
        ignore=shutil.ignore_patterns(
            "target", "dbt_packages", "logs", ".mesh-state", "warehouse", "data", "site"
        ),
    )
    state = root / ".mesh-state" / "dev"
    shutil.copytree(mesh_artifacts, state)
    shutil.copytree(tiny_artifacts / "tiny", state / "retired")
    monkeypatch.setenv("MESH_ROOT", str(root))
    return root


def test_publish_leaves_out_a_retired_domains_artifacts(
    root: Path, aws: GlueLikeMotoServer
) -> None:
    result = CliRunner().invoke(
        app, ["publish", "glue", "--target", "dev", "--dry-run", "--output", "json"]
    )
    assert result.exit_code == 0, result.output
    assert WARNING in " ".join(result.stderr.split())
    plan = json.loads(result.stdout)
    assert "tiny" not in json.dumps(plan)  # the retired project, nowhere in the plan
    assert "sales" in json.dumps(plan)


def test_the_portal_leaves_out_a_retired_domain(root: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = CliRunner().invoke(app, ["docs", "portal", "--target", "dev", "--out", str(site)])
    assert result.exit_code == 0, result.output
    assert WARNING in " ".join(result.stderr.split())
    shown = {d["name"] for d in json.loads((site / "mesh.json").read_text())["domains"]}
    assert "tiny" not in shown
    assert "sales" in shown
