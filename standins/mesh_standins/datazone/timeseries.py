"""Time-series data points of assets (data quality results), kept beside the asset's revisions:
posting a point never makes a revision (FIDELITY.md, TS-3).

Stored as `time_series[asset id][form name]` = points sorted by timestamp, so GetAsset finds the
latest point of each form without a scan.
"""

from __future__ import annotations

import bisect
import json
from typing import Any

from mesh_standins.datazone.state import Store

TABLE = "time_series"
#: TimeSeriesDataPointSummaryFormOutput.contentSummary is at most 20,000 characters
SUMMARY_LIMIT = 20_000


def forms_of(store: Store, asset_id: str) -> dict[str, list[dict[str, Any]]]:
    return store.table(TABLE).get(asset_id) or {}


def points(store: Store, asset_id: str, form_name: str) -> list[dict[str, Any]]:
    return forms_of(store, asset_id).get(form_name) or []


def add(store: Store, asset_id: str, point: dict[str, Any]) -> None:
    series = store.table(TABLE).setdefault(asset_id, {}).setdefault(point["formName"], [])
    series.insert(bisect.bisect_right(series, point["timestamp"], key=_at), point)


def drop(store: Store, asset_id: str, form_name: str | None = None) -> int:
    """Delete one form's points (or all of the asset's); returns how many went."""
    forms = store.table(TABLE).get(asset_id)
    if not forms:
        return 0
    if form_name is None:
        del store.table(TABLE)[asset_id]
        return sum(len(v) for v in forms.values())
    gone = len(forms.pop(form_name, None) or ())
    if not forms:
        del store.table(TABLE)[asset_id]
    return gone


def summary(point: dict[str, Any]) -> dict[str, Any]:
    """A point as TimeSeriesDataPointSummaryFormOutput: the content's top-level scalars (for a
    data-quality result: passingPercentage and evaluationsCount) stand for the content."""
    try:
        content = json.loads(point["content"] or "{}")
    except ValueError:
        content = {}
    scalars = (
        {k: v for k, v in content.items() if isinstance(v, str | int | float | bool)}
        if isinstance(content, dict)
        else {}
    )
    text = json.dumps(scalars, sort_keys=True)
    return {
        "formName": point["formName"],
        "typeIdentifier": point["typeIdentifier"],
        "typeRevision": point["typeRevision"],
        "timestamp": point["timestamp"],
        "contentSummary": text[:SUMMARY_LIMIT],
        "id": point["id"],
    }


def latest(store: Store, asset_id: str) -> list[dict[str, Any]] | None:
    """The summary of the latest point of each form (GetAsset's
    latestTimeSeriesDataPointFormsOutput); None when the asset has none."""
    found = [summary(series[-1]) for series in forms_of(store, asset_id).values() if series]
    return sorted(found, key=lambda s: s["formName"]) or None


def _at(point: dict[str, Any]) -> float:
    return float(point["timestamp"])
