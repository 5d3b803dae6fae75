"""GLUE data sources and their runs: a run imports the selected Glue tables as Glue table assets."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from mesh_standins.datazone import glue_import, managed
from mesh_standins.datazone.errors import invalid
from mesh_standins.datazone.handlers import Context, Params, operation
from mesh_standins.datazone.handlers.assets import (
    create_asset_record,
    find_by_external,
    source_revision,
)
from mesh_standins.datazone.handlers.common import domain, in_domain, page, project
from mesh_standins.datazone.handlers.listings import publish_entity
from mesh_standins.datazone.handlers.types import build_forms
from mesh_standins.datazone.state import new_id, now


def _summary(ds: dict[str, Any]) -> dict[str, Any]:
    return {**ds, "dataSourceId": ds["id"]}


@operation("CreateDataSource")
def create_data_source(ctx: Context, p: Params) -> dict[str, Any]:
    proj = project(ctx, p["domainIdentifier"], p["projectIdentifier"])
    if p["type"] != "GLUE":
        raise invalid(f"Data source type {p['type']} is not supported by the emulator (only GLUE)")
    glue = (p.get("configuration") or {}).get("glueRunConfiguration")
    if glue is None:
        raise invalid("A GLUE data source needs configuration.glueRunConfiguration")
    if p.get("environmentIdentifier"):
        in_domain(ctx, "environments", "Environment", proj["domainId"], p["environmentIdentifier"])
    forms = build_forms(ctx, proj["domainId"], None, p.get("assetFormsInput") or [])
    ds_id = new_id()
    ctx.store.claim(
        f"data-source|{proj['domainId']}|{proj['id']}|{p['name']}",
        ds_id,
        f"A data source with name {p['name']} already exists in project {proj['id']}",
    )
    t = now()
    record = {
        "id": ds_id,
        "domainId": proj["domainId"],
        "projectId": proj["id"],
        "environmentId": p.get("environmentIdentifier"),
        "name": p["name"],
        "description": p.get("description"),
        "type": "GLUE",
        "status": "READY",
        "configuration": {
            "glueRunConfiguration": {**glue, "accountId": ctx.account, "region": ctx.region}
        },
        "enableSetting": p.get("enableSetting", "ENABLED"),
        "publishOnImport": bool(p.get("publishOnImport", False)),
        "assetFormsOutput": list(forms.values()) or None,
        "schedule": p.get("schedule"),
        "recommendation": p.get("recommendation"),
        "createdAt": t,
        "updatedAt": t,
    }
    ctx.store.table("data_sources")[ds_id] = record
    return record


@operation("GetDataSource")
def get_data_source(ctx: Context, p: Params) -> dict[str, Any]:
    return in_domain(ctx, "data_sources", "Data source", p["domainIdentifier"], p["identifier"])


@operation("ListDataSources")
def list_data_sources(ctx: Context, p: Params) -> dict[str, Any]:
    proj = project(ctx, p["domainIdentifier"], p["projectIdentifier"])
    items = [
        _summary(d)
        for d in ctx.store.table("data_sources").values()
        if d["projectId"] == proj["id"] and p.get("name") in (None, d["name"])
    ]
    return page(ctx, items, p)


@operation("DeleteDataSource")
def delete_data_source(ctx: Context, p: Params) -> dict[str, Any]:
    ds = get_data_source(ctx, p)
    del ctx.store.table("data_sources")[ds["id"]]
    ctx.store.release(f"data-source|{ds['domainId']}|{ds['projectId']}|{ds['name']}")
    return {**ds, "status": "DELETING"}


def _import_table(
    ctx: Context, ds: dict[str, Any], run_id: str, table: glue_import.GlueTable
) -> tuple[str, dict[str, Any]]:
    """Create or update the asset of one table; returns (activity status, asset)."""
    glue_form = {
        "formName": "GlueTableForm",
        "typeName": managed.GLUE_TABLE_FORM_TYPE,
        "typeRevision": managed.MANAGED_REVISION,
        "content": table.form_content,
    }
    reference = {
        "formName": "DataSourceReferenceForm",
        "typeName": managed.DATA_SOURCE_REFERENCE_FORM_TYPE,
        "typeRevision": managed.MANAGED_REVISION,
        "content": json.dumps(
            {
                "dataSourceIdentifier": ds["id"],
                "filterableDataSourceId": ds["id"],
                "dataSourceRunId": run_id,
            }
        ),
    }
    extra_forms = {f["formName"]: f for f in ds.get("assetFormsOutput") or ()}
    asset = find_by_external(ctx, ds["domainId"], table.arn)
    if asset is None:
        params = {
            "name": table.name,
            "typeIdentifier": managed.GLUE_TABLE_ASSET_TYPE,
            "externalIdentifier": table.arn,
            "description": table.description or None,
        }
        system = {**extra_forms, "GlueTableForm": glue_form, "DataSourceReferenceForm": reference}
        asset = create_asset_record(
            ctx, ds["domainId"], ds["projectId"], params, system, unique_name=False
        )
        return "SUCCEEDED_CREATED", asset
    latest = asset["revisions"][-1]
    old = latest["forms"].get("GlueTableForm", {}).get("content")
    if old == table.form_content:
        return "UNCHANGED", asset
    changes: dict[str, Any] = {}
    old_description = json.loads(old).get("tableDescription", "") if old else ""
    if (latest.get("description") or "") == old_description:
        changes["description"] = table.description or None  # only overwrite imported text
    source_revision(
        ctx, asset, changes, {"GlueTableForm": glue_form, "DataSourceReferenceForm": reference}
    )
    return "SUCCEEDED_UPDATED", asset


@operation("StartDataSourceRun")
def start_data_source_run(ctx: Context, p: Params) -> dict[str, Any]:
    ds = in_domain(
        ctx, "data_sources", "Data source", p["domainIdentifier"], p["dataSourceIdentifier"]
    )
    run_id, t = new_id(), now()
    run: dict[str, Any] = {
        "id": run_id,
        "domainId": ds["domainId"],
        "dataSourceId": ds["id"],
        "projectId": ds["projectId"],
        "type": "PRIORITIZED",
        "createdAt": t,
        "startedAt": t,
        "dataSourceConfigurationSnapshot": json.dumps(ds["configuration"]),
    }
    stats = {"added": 0, "updated": 0, "unchanged": 0, "skipped": 0, "failed": 0}
    activities: list[dict[str, Any]] = []
    glue = ds["configuration"]["glueRunConfiguration"]
    try:
        if not ctx.glue_endpoint:
            raise RuntimeError("the emulator was started without --glue-endpoint")
        tables = glue_import.read_tables(
            ctx.glue_endpoint, glue["region"], ctx.account, glue["relationalFilterConfigurations"]
        )
    except (ClientError, BotoCoreError, RuntimeError) as err:
        run.update(
            status="FAILED",
            errorMessage={
                "errorType": "RESOURCE_NOT_FOUND_EXCEPTION"
                if isinstance(err, ClientError)
                else "INTERNAL_SERVER_EXCEPTION",
                "errorDetail": str(err),
            },
        )
        tables = []
    for table in tables:
        status, asset = _import_table(ctx, ds, run_id, table)
        stats[
            {"SUCCEEDED_CREATED": "added", "SUCCEEDED_UPDATED": "updated"}.get(status, "unchanged")
        ] += 1
        if ds["publishOnImport"] and status != "UNCHANGED":
            publish_entity(ctx, "ASSET", asset, None)
        activities.append(
            {
                "database": table.database,
                "dataSourceRunId": run_id,
                "technicalName": table.name,
                "technicalDescription": table.description or None,
                "dataAssetStatus": status,
                "projectId": ds["projectId"],
                "dataAssetId": asset["id"],
                "createdAt": t,
                "updatedAt": now(),
            }
        )
    run.setdefault("status", "SUCCESS")
    run.update(runStatisticsForAssets=stats, updatedAt=now(), stoppedAt=now())
    ctx.store.table("runs")[run_id] = run
    ctx.store.table("run_activities")[run_id] = {"items": activities}
    ds.update(
        lastRunStatus=run["status"],
        lastRunAt=t,
        lastRunAssetCount=len(tables),
        lastRunErrorMessage=run.get("errorMessage"),
        updatedAt=now(),
    )
    # Runs finish synchronously: the response already carries the final status.
    return run


@operation("GetDataSourceRun")
def get_data_source_run(ctx: Context, p: Params) -> dict[str, Any]:
    return in_domain(ctx, "runs", "Data source run", p["domainIdentifier"], p["identifier"])


@operation("ListDataSourceRuns")
def list_data_source_runs(ctx: Context, p: Params) -> dict[str, Any]:
    ds = in_domain(
        ctx, "data_sources", "Data source", p["domainIdentifier"], p["dataSourceIdentifier"]
    )
    items = [
        r
        for r in reversed(ctx.store.table("runs").values())
        if r["dataSourceId"] == ds["id"] and p.get("status") in (None, r["status"])
    ]
    return page(ctx, items, p)


@operation("ListDataSourceRunActivities")
def list_run_activities(ctx: Context, p: Params) -> dict[str, Any]:
    domain(ctx, p["domainIdentifier"])
    run = get_data_source_run(ctx, p)
    items = [
        a
        for a in ctx.store.table("run_activities")[run["id"]]["items"]
        if p.get("status") in (None, a["dataAssetStatus"])
    ]
    return page(ctx, items, p)
