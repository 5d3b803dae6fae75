"""Data quality on the portal: the score DataZone shows, from the build's run results, and its
recent history kept in the site (one point per build, the same build twice is one point)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mesh.portal.collect import Portal, collect
from mesh.portal.quality import HISTORY_FILE, KEEP, QualityPoint, read_history
from mesh.portal.render import render_site
from tests.portal.conftest import DOMAINS

pytestmark = pytest.mark.integration


def _finished(root: Path, domain: str) -> str:
    run = json.loads((root / "domains" / domain / "target" / "run_results.json").read_text())
    return str(run["metadata"]["generated_at"])


def test_each_public_model_has_this_builds_score(portal: Portal, docs_mesh: Path) -> None:
    finished = {d: _finished(docs_mesh, d) for d in DOMAINS}
    for model in portal.models:
        (point,) = model.quality
        assert point.timestamp == finished[model.domain]
        # the same count as the portal's test summary: every test the build evaluated
        assert point.evaluations_count == model.tests.total - model.tests.not_run
        assert point.passing_percentage == 100.0 and point.failed == ()


def test_history_one_point_per_build_across_portal_runs(docs_mesh: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    key = "sales.fct_orders"
    earlier = QualityPoint("2026-01-01T00:00:00Z", 75.0, 8, ("unique(order_id)", "not_null(x)"))
    first = collect(docs_mesh, history={key: (earlier,)})
    render_site(first, site)
    assert first.model(key).quality[0] == earlier
    # the same build rendered again: the history read back holds each build once
    again = collect(docs_mesh, history=read_history(site))
    assert again.model(key).quality == first.model(key).quality
    assert len(again.model(key).quality) == 2
    assert all(len(m.quality) == 1 for m in again.models if m.key != key)
    html = (site / "index.html").read_text()
    assert "score 100.0% of" in html and "unique(order_id), not_null(x)" in html
    # at most KEEP builds are kept, the newest
    many = tuple(QualityPoint(f"2025-01-{d:02d}T00:00:00Z", 100.0, 3) for d in range(1, 20))
    kept = collect(docs_mesh, history={key: many}).model(key).quality
    assert len(kept) == KEEP and kept[-1].timestamp == _finished(docs_mesh, "sales")


def test_an_unreadable_history_is_ignored(tmp_path: Path) -> None:
    (tmp_path / HISTORY_FILE).write_text("{not json")
    assert read_history(tmp_path) == {}
    assert read_history(tmp_path / "missing") == {}
