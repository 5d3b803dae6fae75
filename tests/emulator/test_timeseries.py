"""Time-series data points with the managed DataQualityResultFormType (FIDELITY.md, TS-*),
over HTTP: what the publisher's dbt-test results will be posted as."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.emulator.helpers import DQ_FORM_TYPE, dq_content, error, glue_asset, publish

pytestmark = pytest.mark.integration

T1, T2, T3 = (datetime(2025, 1, d, 6, tzinfo=UTC) for d in (1, 2, 3))


def _point(form_name: str, at: datetime, content: str, **extra: Any) -> dict[str, Any]:
    return {
        "formName": form_name,
        "typeIdentifier": DQ_FORM_TYPE,
        "timestamp": at,
        "content": content,
        **extra,
    }


def _post(dz: Any, domain_id: str, asset_id: str, *forms: dict[str, Any], **kw: Any) -> Any:
    return dz.post_time_series_data_points(
        domainIdentifier=domain_id,
        entityIdentifier=asset_id,
        entityType=kw.pop("entity_type", "ASSET"),
        forms=list(forms),
        **kw,
    )


@pytest.fixture
def asset(dz: Any, domain_id: str, project_id: str) -> dict[str, Any]:
    return glue_asset(dz, domain_id, project_id, "orders")


@pytest.mark.fidelity("TS-1", "TS-2", "TS-5")
def test_post_and_get_data_quality_points(dz: Any, domain_id: str, asset: dict[str, Any]) -> None:
    content = dq_content("PASS", "PASS", "FAIL")
    out = _post(dz, domain_id, asset["id"], _point("dbt_tests", T1, content))
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 201
    (posted,) = out["forms"]
    assert (out["entityId"], out["entityType"]) == (asset["id"], "ASSET")
    assert (posted["formName"], posted["typeIdentifier"], posted["typeRevision"]) == (
        "dbt_tests",
        DQ_FORM_TYPE,
        "1",  # omitted: the latest revision of the form type
    )
    assert posted["timestamp"] == T1 and posted["id"]
    got = dz.get_time_series_data_point(
        domainIdentifier=domain_id,
        entityIdentifier=asset["id"],
        entityType="ASSET",
        identifier=posted["id"],
        formName="dbt_tests",
    )
    assert got["form"]["content"] == content
    assert json.loads(got["form"]["content"])["evaluations"][2]["status"] == "FAIL"
    code, status, _ = error(
        dz.get_time_series_data_point,
        domainIdentifier=domain_id,
        entityIdentifier=asset["id"],
        entityType="ASSET",
        identifier=posted["id"],
        formName="other_form",
    )
    assert (code, status) == ("ResourceNotFoundException", 404)


@pytest.mark.fidelity("TS-2", "TS-1")
def test_content_and_form_type_are_checked(dz: Any, domain_id: str, asset: dict[str, Any]) -> None:
    def refused(form: dict[str, Any]) -> str:
        code, status, message = error(_post, dz, domain_id, asset["id"], form)
        assert (code, status) == ("ValidationException", 400), message
        return message

    warn = json.loads(dq_content("PASS"))
    warn["evaluations"][0]["status"] = "WARN"
    assert "'WARN' is not one of ['FAIL', 'PASS']" in refused(
        _point("dbt_tests", T1, json.dumps(warn))
    )
    miscounted = {**json.loads(dq_content("PASS", "FAIL")), "evaluationsCount": 3}
    assert "evaluationsCount is 3 but 2 evaluations" in refused(
        _point("dbt_tests", T1, json.dumps(miscounted))
    )
    over = {"passingPercentage": 101.0, "evaluationsCount": 0}
    assert "must be at most 100" in refused(_point("dbt_tests", T1, json.dumps(over)))
    assert "passingPercentage: is required" in refused(
        _point("dbt_tests", T1, json.dumps({"evaluationsCount": 0}))
    )
    other_type = {**_point("x", T1, "{}"), "typeIdentifier": "amazon.datazone.GlueTableFormType"}
    assert "not a time series form type" in refused(other_type)
    # a data-quality form cannot be attached to an asset as an ordinary form either
    code, _, message = error(
        glue_asset,
        dz,
        domain_id,
        asset["owningProjectId"],
        "other",
        formsInput=[
            {
                "formName": "GlueTableForm",
                "content": json.dumps({"tableName": "o", "tableArn": "a"}),
            },
            {"formName": "dq", "typeIdentifier": DQ_FORM_TYPE, "content": dq_content("PASS")},
        ],
    )
    assert code == "ValidationException" and "PostTimeSeriesDataPoints" in message
    # one bad form refuses the whole request: the good one was not stored
    good = _point("dbt_tests", T1, dq_content("PASS"))
    bad = _point("dbt_tests", T2, json.dumps(over))
    error(_post, dz, domain_id, asset["id"], good, bad)
    listed = dz.list_time_series_data_points(
        domainIdentifier=domain_id,
        entityIdentifier=asset["id"],
        entityType="ASSET",
        formName="dbt_tests",
    )
    assert listed["items"] == []


@pytest.mark.fidelity("TS-3", "AS-6")
def test_points_are_not_revisions_and_show_latest(
    dz: Any, domain_id: str, asset: dict[str, Any]
) -> None:
    listing = publish(dz, domain_id, asset["id"])
    _post(dz, domain_id, asset["id"], _point("dbt_tests", T2, dq_content("PASS", "FAIL")))
    _post(dz, domain_id, asset["id"], _point("dbt_tests", T1, dq_content("FAIL")))  # older, late
    _post(dz, domain_id, asset["id"], _point("freshness", T3, dq_content("PASS")))
    now = dz.get_asset(domainIdentifier=domain_id, identifier=asset["id"])
    assert now["revision"] == "1"  # no new revision
    latest = {p["formName"]: p for p in now["latestTimeSeriesDataPointFormsOutput"]}
    assert latest["dbt_tests"]["timestamp"] == T2  # by timestamp, not by arrival
    assert json.loads(latest["dbt_tests"]["contentSummary"]) == {
        "evaluationsCount": 2,
        "passingPercentage": 50.0,
    }
    assert latest["freshness"]["timestamp"] == T3
    # the listing shows them without a republish, and was not republished
    hits = dz.search_listings(
        domainIdentifier=domain_id, additionalAttributes=["TIME_SERIES_DATA_POINT_FORMS"]
    )["items"]
    item = hits[0]["assetListing"]
    assert (item["listingRevision"], item["entityRevision"]) == (listing["listingRevision"], "1")
    shown = item["additionalAttributes"]["latestTimeSeriesDataPointForms"]
    assert sorted(p["formName"] for p in shown) == ["dbt_tests", "freshness"]
    fresh = glue_asset(dz, domain_id, asset["owningProjectId"], "no_points")
    assert "latestTimeSeriesDataPointFormsOutput" not in fresh


@pytest.mark.fidelity("TS-4")
def test_list_points_in_time_order_with_bounds_and_pages(
    dz: Any, domain_id: str, asset: dict[str, Any]
) -> None:
    days = [datetime(2025, 2, d, tzinfo=UTC) for d in range(1, 16)]
    for day in reversed(days):
        _post(dz, domain_id, asset["id"], _point("dbt_tests", day, dq_content("PASS")))

    def listed(**kwargs: Any) -> list[datetime]:
        pages = dz.get_paginator("list_time_series_data_points").paginate(
            domainIdentifier=domain_id,
            entityIdentifier=asset["id"],
            entityType="ASSET",
            formName="dbt_tests",
            **kwargs,
        )
        return [p["timestamp"] for page in pages for p in page["items"]]

    assert listed() == days  # 15 points over two pages of 10
    assert listed(startedAt=days[3], endedAt=days[6]) == days[3:6]
    first = dz.list_time_series_data_points(
        domainIdentifier=domain_id,
        entityIdentifier=asset["id"],
        entityType="ASSET",
        formName="dbt_tests",
    )
    assert len(first["items"]) == 10 and "nextToken" in first
    assert set(first["items"][0]) >= {"formName", "typeIdentifier", "contentSummary", "id"}
    code, _, message = error(
        dz.list_time_series_data_points,
        domainIdentifier=domain_id,
        entityIdentifier=asset["id"],
        entityType="ASSET",
    )
    assert code == "ValidationException" and "'formName'" in message


@pytest.mark.fidelity("TS-6")
def test_delete_a_form_s_points(dz: Any, domain_id: str, asset: dict[str, Any]) -> None:
    _post(
        dz,
        domain_id,
        asset["id"],
        _point("dbt_tests", T1, dq_content("PASS")),
        _point("dbt_tests", T2, dq_content("FAIL")),
        _point("freshness", T1, dq_content("PASS")),
    )
    args = {"domainIdentifier": domain_id, "entityIdentifier": asset["id"], "entityType": "ASSET"}
    out = dz.delete_time_series_data_points(**args, formName="dbt_tests")
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert dz.list_time_series_data_points(**args, formName="dbt_tests")["items"] == []
    assert len(dz.list_time_series_data_points(**args, formName="freshness")["items"]) == 1
    latest = dz.get_asset(domainIdentifier=domain_id, identifier=asset["id"])
    assert [p["formName"] for p in latest["latestTimeSeriesDataPointFormsOutput"]] == ["freshness"]
    code, _, _ = error(dz.delete_time_series_data_points, **args, formName="dbt_tests")
    assert code == "ResourceNotFoundException"


@pytest.mark.fidelity("TS-7")
def test_points_through_the_listing(dz: Any, domain_id: str, asset: dict[str, Any]) -> None:
    listing = publish(dz, domain_id, asset["id"])["listingId"]
    posted = _post(dz, domain_id, asset["id"], _point("dbt_tests", T1, dq_content("PASS")))
    by_listing = {
        "domainIdentifier": domain_id,
        "entityIdentifier": listing,
        "entityType": "LISTING",
    }
    items = dz.list_time_series_data_points(**by_listing, formName="dbt_tests")["items"]
    assert [i["id"] for i in items] == [posted["forms"][0]["id"]]
    got = dz.get_time_series_data_point(
        **by_listing, formName="dbt_tests", identifier=posted["forms"][0]["id"]
    )
    assert got["entityType"] == "LISTING"
    code, _, message = error(
        _post,
        dz,
        domain_id,
        listing,
        _point("dbt_tests", T2, dq_content("PASS")),
        entity_type="LISTING",
    )
    assert code == "ValidationException" and "entityType ASSET" in message
    code, _, _ = error(dz.delete_time_series_data_points, **by_listing, formName="dbt_tests")
    assert code == "ValidationException"
