"""dbt test results -> data-quality points of DataZone assets (PostTimeSeriesDataPoints).

After each build, every asset the publisher manages gets one point of the managed form type
`amazon.datazone.DataQualityResultFormType` (content: `publish.quality`), timestamped when the run
finished. A point is never an asset revision: the Data Quality tab and the listing show the latest
point without a republish (DataZone User Guide, "Data quality in Amazon DataZone").

Idempotent without a read per asset: the asset search the publisher makes anyway asks for each
asset's latest point (`TIME_SERIES_DATA_POINT_FORMS`); a run whose timestamp the latest point
already has was posted, and an older run than the latest point is not posted again (it would
rewrite history). The request's clientToken (asset and timestamp) makes a retried call one point.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from publish.datazone.api import client_token
from publish.model import TestResult
from publish.quality import FORM_NAME, FORM_TYPE, QualityResult, quality_result


@dataclass(frozen=True, slots=True)
class DesiredPoint:
    unique_id: str
    domain: str
    result: QualityResult

    @property
    def at(self) -> datetime:
        """The run's end in whole seconds: botocore sends timestamps in seconds, so that is what
        DataZone keeps and what a re-run compares with."""
        return parse_time(self.result.timestamp).replace(microsecond=0)

    @property
    def summary(self) -> str:
        """For the plan: `7/8 passed (87.5%)`."""
        passed = sum(e["status"] == "PASS" for e in self.result.evaluations)
        count = self.result.evaluations_count
        return f"{passed}/{count} passed ({self.result.passing_percentage:g}%)"


def desired_point(
    unique_id: str, domain: str, tests: Iterable[TestResult], finished_at: str | None
) -> DesiredPoint | None:
    """The point of one model's tests in its domain's last build; None without evaluated tests
    or without a run time (run_results.json not written by a build)."""
    if not finished_at:
        return None
    result = quality_result(list(tests), finished_at)
    return DesiredPoint(unique_id, domain, result) if result is not None else None


def latest_point(additional_attributes: Mapping[str, Any] | None) -> datetime | None:
    """The timestamp of an asset's latest dbt-tests point, from a Search item's
    `additionalAttributes` (`latestTimeSeriesDataPointFormsOutput`)."""
    for form in (additional_attributes or {}).get("latestTimeSeriesDataPointFormsOutput") or ():
        if form.get("formName") == FORM_NAME and form.get("timestamp") is not None:
            at = form["timestamp"]
            return at if isinstance(at, datetime) else parse_time(str(at))
    return None


def point_request(domain_id: str, asset_id: str, point: DesiredPoint) -> dict[str, Any]:
    """The PostTimeSeriesDataPoints request of one point."""
    at = point.at
    return {
        "domainIdentifier": domain_id,
        "entityIdentifier": asset_id,
        "entityType": "ASSET",
        "forms": [
            {
                "formName": FORM_NAME,
                "typeIdentifier": FORM_TYPE,
                "timestamp": at,
                "content": point.result.content(),
            }
        ],
        "clientToken": client_token("PostTimeSeriesDataPoints", asset_id, at.isoformat()),
    }


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
