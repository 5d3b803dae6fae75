"""dbt test results as DataZone DataQualityResultFormType content."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from publish.artifacts import load_domains
from publish.model import TestResult as Result
from publish.quality import quality_result


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
