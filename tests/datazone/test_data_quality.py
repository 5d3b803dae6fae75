"""dbt test results as DataZone data quality, end to end on the emulator: after a build every
published asset gets one DataQualityResultFormType point (PostTimeSeriesDataPoints), the same run
posted twice is one point, and a point is never an asset revision."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.datazone.conftest import Stage, arn
from tests.datazone.test_publish_datazone import PUBLIC

pytestmark = pytest.mark.integration

FORM = "dbt_tests"


def _run_results(artifacts: Path, domain: str) -> dict[str, Any]:
    return json.loads((artifacts / domain / "run_results.json").read_text())


def _expected(artifacts: Path, unique_id: str) -> dict[str, Any]:
    """Independently of the publisher: the model's data tests in the manifest, and their status in
    the run results."""
    domain = unique_id.split(".")[1]
    manifest = json.loads((artifacts / domain / "manifest.json").read_text())
    results = {r["unique_id"]: r for r in _run_results(artifacts, domain)["results"]}
    tests = {
        uid: results[uid]["status"]
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "test"
        and node.get("attached_node") == unique_id
        and uid in results
        and results[uid]["status"] in ("pass", "fail", "warn", "error")
    }
    passed = sum(s == "pass" for s in tests.values())
    return {"tests": tests, "percentage": round(100.0 * passed / len(tests), 1)}


def _points(stage: Stage, database: str, table: str) -> list[dict[str, Any]]:
    asset = stage.dz().get_asset(
        domainIdentifier=stage.domain_id, identifier=f"externalIdentifer%2F{arn(database, table)}"
    )
    return stage.pages(
        "list_time_series_data_points",
        entityIdentifier=asset["id"],
        entityType="ASSET",
        formName=FORM,
    )


def _content(stage: Stage, database: str, table: str, point: dict[str, Any]) -> dict[str, Any]:
    asset = stage.dz().get_asset(
        domainIdentifier=stage.domain_id, identifier=f"externalIdentifer%2F{arn(database, table)}"
    )
    got = stage.dz().get_time_series_data_point(
        domainIdentifier=stage.domain_id,
        entityIdentifier=asset["id"],
        entityType="ASSET",
        identifier=point["id"],
        formName=FORM,
    )
    return json.loads(got["form"]["content"])


def _finished(artifacts: Path, domain: str) -> datetime:
    text = _run_results(artifacts, domain)["metadata"]["generated_at"]
    return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(microsecond=0)


def test_every_published_asset_gets_one_point_per_build(stage: Stage) -> None:
    _plan, result = stage.publish()
    assert result.failures == [] and result.skipped == []
    assert stage.admin.writes()["PostTimeSeriesDataPoints"] == len(PUBLIC)
    for unique_id, (database, table) in PUBLIC.items():
        (point,) = _points(stage, database, table)
        domain = unique_id.split(".")[1]
        assert point["timestamp"] == _finished(stage.artifacts, domain)
        assert point["typeIdentifier"] == "amazon.datazone.DataQualityResultFormType"
        content = _content(stage, database, table, point)
        expected = _expected(stage.artifacts, unique_id)
        assert content["evaluationsCount"] == len(expected["tests"]) > 0
        assert content["passingPercentage"] == expected["percentage"]
        assert {e["details"]["dbtTest"]: e["status"] for e in content["evaluations"]} == {
            uid: "PASS" if s == "pass" else "FAIL" for uid, s in expected["tests"].items()
        }
    orders = _content(stage, "sales_marts", "fct_orders", _points(stage, *PUBLIC[_ORDERS])[0])
    by_type = {(tuple(e["types"]), tuple(e["applicableFields"])) for e in orders["evaluations"]}
    assert (("Completeness",), ("order_id",)) in by_type
    assert (("Uniqueness",), ("order_id",)) in by_type

    # the same run again: no point, no write at all
    stage.admin.reset_calls()
    again, _ = stage.publish()
    assert [a for a in again.actions if a.kind == "quality"] == []
    assert again.unchanged["quality"] == len(PUBLIC)
    assert stage.admin.writes() == {}
    assert all(len(_points(stage, *where)) == 1 for where in PUBLIC.values())


_ORDERS = "model.sales.fct_orders"


def test_a_later_build_with_a_failing_test_adds_a_point_not_a_revision(stage: Stage) -> None:
    stage.publish()
    before = stage.dz().get_asset(
        domainIdentifier=stage.domain_id,
        identifier=f"externalIdentifer%2F{arn('sales_marts', 'fct_orders')}",
    )
    # the next build of sales: one unique test on fct_orders failed with 3 duplicate rows
    path = stage.artifacts / "sales" / "run_results.json"
    run = json.loads(path.read_text())
    later = _finished(stage.artifacts, "sales") + timedelta(hours=1)
    run["metadata"]["generated_at"] = later.astimezone(UTC).isoformat().replace("+00:00", "Z")
    manifest = json.loads((stage.artifacts / "sales" / "manifest.json").read_text())
    unique = next(
        uid
        for uid, n in manifest["nodes"].items()
        if n["resource_type"] == "test"
        and n.get("attached_node") == _ORDERS
        and (n.get("test_metadata") or {}).get("name") == "unique"
    )
    for result in run["results"]:
        if result["unique_id"] == unique:
            result.update(status="fail", failures=3, message="Got 3 results, configured to fail")
    path.write_text(json.dumps(run))

    stage.admin.reset_calls()
    plan, result = stage.publish()
    assert result.failures == []
    posted = sorted(a.name for a in plan.actions if a.kind == "quality")
    assert posted == sorted(u for u in PUBLIC if u.startswith("model.sales."))
    # a point, never a revision: a failing test is a build fact, not asset content
    assert stage.admin.writes() == {"PostTimeSeriesDataPoints": 2}
    _first, second = _points(stage, "sales_marts", "fct_orders")
    assert second["timestamp"] == later
    content = _content(stage, "sales_marts", "fct_orders", second)
    failed = [e for e in content["evaluations"] if e["status"] == "FAIL"]
    assert [(e["types"], e["details"]["failures"]) for e in failed] == [(["Uniqueness"], "3")]
    assert content["passingPercentage"] < 100.0
    # the asset shows the latest point (its Data Quality tab)
    after = stage.dz().get_asset(domainIdentifier=stage.domain_id, identifier=before["id"])
    assert after["revision"] == before["revision"]
    (latest,) = after["latestTimeSeriesDataPointFormsOutput"]
    assert latest["timestamp"] == later
