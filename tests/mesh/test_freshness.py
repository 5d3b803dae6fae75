"""`mesh freshness` runs dbt's source freshness per domain and flags stale raw data."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from mesh.build import MeshInvocation, run_mesh
from mesh.rawdata import RawDataSpec
from tests.meshcopy import copy_mesh

pytestmark = pytest.mark.integration


def freshness(root: Path) -> dict[str, str]:
    runs = run_mesh(root, MeshInvocation(("build",), selectors=("customers",), dbt_args=("-q",)))
    assert runs[0].success
    run_mesh(
        root,
        MeshInvocation(("source", "freshness"), selectors=("customers",), stop_on_failure=False),
    )
    target = root / "domains/customers/target"
    assert json.loads((target / "run_results.json").read_text())["args"]["which"] == "build"
    results = json.loads((target / "sources.json").read_text())["results"]
    return {r["unique_id"]: r["status"] for r in results}


def test_data_loaded_today_is_fresh(tmp_path: Path) -> None:
    today = datetime.now(UTC).date()
    statuses = freshness(copy_mesh(tmp_path / "m", RawDataSpec(scale=0.2, as_of=today)))
    assert statuses == {
        "source.customers.crm.customers": "pass",
        "source.customers.crm.loyalty_members": "pass",
    }


def test_data_a_week_old_is_an_error(tmp_path: Path) -> None:
    week_ago = date.fromordinal(datetime.now(UTC).date().toordinal() - 7)
    statuses = freshness(copy_mesh(tmp_path / "m", RawDataSpec(scale=0.2, as_of=week_ago)))
    assert set(statuses.values()) == {"error"}  # error_after is 72 hours
