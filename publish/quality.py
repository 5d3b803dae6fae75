"""dbt test results as Amazon DataZone data quality.

DataZone fills an asset's Data Quality tab from time-series data points of the managed form type
`amazon.datazone.DataQualityResultFormType` (PostTimeSeriesDataPoints). Its content, as the
DataZone User Guide documents it ("Data quality in Amazon DataZone", the third-party example):

    {"evaluations": [{"types": [...], "description": "...", "details": {"k": "v"},
                      "applicableFields": ["column"], "status": "PASS" | "FAIL"}],
     "passingPercentage": 88.0, "evaluationsCount": 8}

One evaluation per dbt data test on the model that the run evaluated (skipped and not-run tests
are not evaluations; unit tests test code, not data, and are left out). A `warn` is a failed
evaluation: the check did not hold, dbt only let the build go on.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from publish import limits
from publish.model import TestResult

FORM_TYPE = "amazon.datazone.DataQualityResultFormType"
#: the data point's form name: one series per asset for the dbt tests
FORM_NAME = "dbt_tests"

#: dbt generic test -> DataZone data-quality dimension (others carry their own name)
DIMENSIONS: dict[str, str] = {
    "not_null": "Completeness",
    "unique": "Uniqueness",
    "unique_combination_of_columns": "Uniqueness",
    "accepted_values": "Validity",
    "accepted_range": "Validity",
    "not_in_future": "Validity",
    "relationships": "Consistency",
}
_EVALUATED = {"pass": "PASS", "fail": "FAIL", "warn": "FAIL", "error": "FAIL"}
#: a dbt test's message (an error can quote its whole compiled SQL), as an evaluation's detail
MESSAGE_LIMIT = 1_000


@dataclass(frozen=True, slots=True)
class QualityResult:
    """One data point's content, and what the portal shows of it."""

    evaluations: tuple[dict, ...]
    passing_percentage: float
    timestamp: str  # when the run finished (ISO 8601, UTC)

    @property
    def evaluations_count(self) -> int:
        return len(self.evaluations)

    def content(self) -> str:
        """The form content, as PostTimeSeriesDataPoints takes it (a JSON string of at most
        `content_limit()` characters). Score and count are always those of every evaluation; when
        the evaluations do not fit, the failed ones are kept first and the passing ones that do
        not fit are left out of the list."""
        text = self._content(self.evaluations)
        limit = content_limit()
        if len(text) <= limit:
            return text
        ordered = sorted(self.evaluations, key=lambda e: e["status"] == "PASS")  # FAIL first
        low, high = 0, len(ordered)
        while low < high:  # the most evaluations whose content fits
            middle = (low + high + 1) // 2
            if len(self._content(ordered[:middle])) <= limit:
                low = middle
            else:
                high = middle - 1
        return self._content(ordered[:low])

    def _content(self, evaluations: Sequence[dict]) -> str:
        return json.dumps(
            {
                "evaluations": list(evaluations),
                "passingPercentage": self.passing_percentage,
                "evaluationsCount": self.evaluations_count,
            },
            sort_keys=True,
        )


def content_limit() -> int:
    """The characters PostTimeSeriesDataPoints takes in a form's content (botocore's model)."""
    return limits.maximum("datazone", "PostTimeSeriesDataPoints", "forms[].content")


def dimension(test_name: str) -> str:
    return DIMENSIONS.get(test_name, test_name)


def quality_result(tests: Sequence[TestResult], finished_at: str) -> QualityResult | None:
    """The data-quality point of one model's tests in one run; None when the run evaluated none."""
    evaluations = []
    for test in sorted(tests, key=lambda t: t.unique_id):
        status = _EVALUATED.get(test.status)
        if status is None:
            continue
        details = {"dbtTest": test.unique_id, "dbtStatus": test.status}
        if test.failures is not None:
            details["failures"] = str(test.failures)
        if test.message:
            message = test.message.strip()
            if len(message) > MESSAGE_LIMIT:
                message = message[: MESSAGE_LIMIT - 3] + "..."
            details["EVALUATION_MESSAGE"] = message
        fields = test.columns or ((test.column_name,) if test.column_name else ())
        evaluations.append(
            {
                "types": [dimension(test.name)],
                "description": _description(test, fields),
                "details": details,
                "applicableFields": list(fields),
                "status": status,
            }
        )
    if not evaluations:
        return None
    passed = sum(e["status"] == "PASS" for e in evaluations)
    return QualityResult(
        tuple(evaluations), round(100.0 * passed / len(evaluations), 1), finished_at
    )


def _description(test: TestResult, fields: Sequence[str]) -> str:
    return f"{test.name}({', '.join(fields)})" if fields else test.name
