"""dbt test results as DataZone DataQualityResultFormType content."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from publish.artifacts import load_domains
from publish.model import TestResult as Result
from publish.quality import MESSAGE_LIMIT, content_limit, quality_result


def t(uid: str, name: str, status: str, column: str | None = None, **kw: object) -> Result:
    return Result(f"test.d.{uid}", name, column, status, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("test_name", "dimension"),
    [
        ("not_null", "Completeness"),
        ("unique", "Uniqueness"),
        ("unique_combination_of_columns", "Uniqueness"),
        ("accepted_values", "Validity"),
        ("accepted_range", "Validity"),
        ("not_in_future", "Validity"),
        ("relationships", "Consistency"),
        ("expression_is_true", "expression_is_true"),
    ],
)
def test_dimension_of_each_test(test_name: str, dimension: str) -> None:
    result = quality_result([t("a", test_name, "pass", "id")], "2026-11-30T10:00:00Z")
    assert result is not None
    assert result.evaluations[0]["types"] == [dimension]


def test_content_has_the_documented_shape_and_score() -> None:
    tests = [
        t("a", "not_null", "pass", "id", failures=0),
        t("b", "unique", "fail", "id", failures=3, message="Got 3 results, configured to fail"),
        t("c", "unique_combination_of_columns", "warn", None, columns=("day", "chan"), failures=1),
        t("d", "accepted_values", "pass", "status"),
        t("e", "relationships", "skipped", "customer_id"),  # not evaluated
        t("f", "not_null", "not_run", "name"),  # not evaluated
    ]
    result = quality_result(tests, "2026-11-30T10:00:00Z")
    assert result is not None
    content = json.loads(result.content())
    assert set(content) == {"evaluations", "passingPercentage", "evaluationsCount"}
    assert content["evaluationsCount"] == 4
    assert content["passingPercentage"] == 50.0
    by_test = {e["details"]["dbtTest"]: e for e in content["evaluations"]}
    assert by_test["test.d.b"] == {
        "types": ["Uniqueness"],
        "description": "unique(id)",
        "details": {
            "dbtTest": "test.d.b",
            "dbtStatus": "fail",
            "failures": "3",
            "EVALUATION_MESSAGE": "Got 3 results, configured to fail",
        },
        "applicableFields": ["id"],
        "status": "FAIL",
    }
    assert by_test["test.d.c"]["applicableFields"] == ["day", "chan"]
    assert by_test["test.d.c"]["status"] == "FAIL"  # a warning is a check that did not hold
    assert all(isinstance(v, str) for e in content["evaluations"] for v in e["details"].values())


def test_a_model_with_thousands_of_wordy_tests_fits_datazones_content_limit() -> None:
    """PostTimeSeriesDataPoints refuses a content over 500,000 characters: a long error message
    is cut, and evaluations that do not fit are left out, the failed ones kept first; score and
    count stay those of every test."""
    sql = "select * from a_very_long_compiled_query where " + "x = 1 and " * 500
    tests = [t(f"p{i:04}", "not_null", "pass", f"column_{i}") for i in range(6000)]
    tests += [t(f"f{i:02}", "unique", "error", f"key_{i}", message=sql) for i in range(40)]
    result = quality_result(tests, "2026-11-30T10:00:00Z")
    assert result is not None
    text = result.content()
    assert len(text) <= content_limit() == 500_000
    content = json.loads(text)
    assert content["evaluationsCount"] == 6040
    assert content["passingPercentage"] == round(100 * 6000 / 6040, 1)
    failed = [e for e in content["evaluations"] if e["status"] == "FAIL"]
    assert len(failed) == 40
    assert all(len(e["details"]["EVALUATION_MESSAGE"]) == MESSAGE_LIMIT for e in failed)
    assert 0 < len(content["evaluations"]) - 40 < 6000  # as many passing ones as fit


def test_no_point_without_evaluated_tests() -> None:
    assert quality_result([], "2026-11-30T10:00:00Z") is None
    assert quality_result([t("a", "not_null", "skipped", "id")], "2026-11-30T10:00:00Z") is None


@pytest.mark.integration
def test_every_tested_model_of_a_build_gets_a_point(mesh_artifacts: Path) -> None:
    domains = load_domains(Path("."), mesh_artifacts)
    for domain in domains:
        for model in domain.models:
            if not model.tests:
                continue
            result = quality_result(model.tests, "2026-11-30T10:00:00Z")
            assert result is not None, model.unique_id
            assert result.evaluations_count == len(model.tests)
            assert result.passing_percentage == 100.0  # the built mesh passes every test
            not_null = [e for e in result.evaluations if e["types"] == ["Completeness"]]
            assert all(len(e["applicableFields"]) == 1 for e in not_null)
