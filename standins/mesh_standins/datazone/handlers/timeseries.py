"""Time-series data points (data quality results) on assets: FIDELITY.md, TS-*."""

from __future__ import annotations

from typing import Any

from mesh_standins.datazone import managed, timeseries
from mesh_standins.datazone.errors import invalid, not_found
from mesh_standins.datazone.handlers import Context, Params, operation
from mesh_standins.datazone.handlers.assets import find_asset
from mesh_standins.datazone.handlers.common import in_domain, page, revision_of
from mesh_standins.datazone.handlers.types import find_form_type, form_content
from mesh_standins.datazone.state import new_id


def _asset(ctx: Context, p: Params, *, writing: bool) -> dict[str, Any]:
    """The asset whose points are meant: by id, or (reads only) through its listing (TS-7)."""
    if p["entityType"] == "ASSET":
        return find_asset(ctx, p["domainIdentifier"], p["entityIdentifier"])
    if writing:
        raise invalid(
            "Time series data points are written on the asset; its listing shows them "
            "(use entityType ASSET)"
        )
    listing = in_domain(ctx, "listings", "Listing", p["domainIdentifier"], p["entityIdentifier"])
    if listing["entityType"] != "ASSET":
        raise invalid(f"Listing {listing['id']} lists a data product, which has no data points")
    return find_asset(ctx, p["domainIdentifier"], listing["entityId"])


def _check_data_quality(name: str, content: dict[str, Any]) -> None:
    """What the model cannot say: evaluationsCount counts the evaluations given (TS-2)."""
    evaluations = content.get("evaluations")
    if evaluations is not None and content.get("evaluationsCount") != len(evaluations):
        raise invalid(
            f"Data point {name}: evaluationsCount is {content.get('evaluationsCount')} but "
            f"{len(evaluations)} evaluations are given"
        )


@operation("PostTimeSeriesDataPoints")
def post_time_series_data_points(ctx: Context, p: Params) -> dict[str, Any]:
    asset = _asset(ctx, p, writing=True)
    points = []
    for form in p["forms"]:
        name, type_name = form["formName"], form["typeIdentifier"]
        if type_name not in managed.TIME_SERIES_FORM_TYPES:
            raise invalid(
                f"Form type {type_name} of data point {name} is not a time series form type "
                f"(use {', '.join(sorted(managed.TIME_SERIES_FORM_TYPES))})"
            )
        ftype = find_form_type(ctx, asset["domainId"], type_name)
        rev = revision_of({**ftype, "id": type_name}, form.get("typeRevision"), "Form type")
        content = form.get("content") or "{}"
        doc = form_content(name, type_name, rev, content)
        if type_name == managed.DATA_QUALITY_FORM_TYPE:
            _check_data_quality(name, doc)
        points.append(
            {
                "id": new_id(),
                "formName": name,
                "typeIdentifier": type_name,
                "typeRevision": rev["revision"],
                "timestamp": form["timestamp"],
                "content": content,
            }
        )
    for point in points:  # all validated first: a refused request writes nothing
        timeseries.add(ctx.store, asset["id"], point)
    return {
        "domainId": asset["domainId"],
        "entityId": asset["id"],
        "entityType": "ASSET",
        "forms": points,
    }


@operation("ListTimeSeriesDataPoints")
def list_time_series_data_points(ctx: Context, p: Params) -> dict[str, Any]:
    asset = _asset(ctx, p, writing=False)
    started, ended = p.get("startedAt"), p.get("endedAt")
    items = [
        timeseries.summary(point)
        for point in timeseries.points(ctx.store, asset["id"], p["formName"])
        if (started is None or point["timestamp"] >= started)
        and (ended is None or point["timestamp"] < ended)
    ]
    return page(ctx, items, p)


@operation("GetTimeSeriesDataPoint")
def get_time_series_data_point(ctx: Context, p: Params) -> dict[str, Any]:
    asset = _asset(ctx, p, writing=False)
    found = next(
        (
            point
            for point in timeseries.points(ctx.store, asset["id"], p["formName"])
            if point["id"] == p["identifier"]
        ),
        None,
    )
    if found is None:
        raise not_found("Time series data point", f"{p['formName']}/{p['identifier']}")
    return {
        "domainId": asset["domainId"],
        "entityId": asset["id"],
        "entityType": p["entityType"],
        "formName": p["formName"],
        "form": found,
    }


@operation("DeleteTimeSeriesDataPoints")
def delete_time_series_data_points(ctx: Context, p: Params) -> dict[str, Any]:
    asset = _asset(ctx, p, writing=True)
    if timeseries.drop(ctx.store, asset["id"], p["formName"]) == 0:
        raise not_found("Time series form", f"{p['formName']} of asset {asset['id']}")
    return {}
