"""Small builders shared by the emulator's conformance tests (plain functions, no fixtures)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

GLUE_ASSET_TYPE = "amazon.datazone.GlueTableAssetType"
DQ_FORM_TYPE = "amazon.datazone.DataQualityResultFormType"


def error(call: Any, *args: Any, **kwargs: Any) -> tuple[str, int, str]:
    """(code, HTTP status, message) of a call that must fail."""
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    err = info.value.response
    return err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"], err["Error"]["Message"]


def glue_form(name: str) -> dict[str, str]:
    content = {
        "tableName": name,
        "tableArn": f"arn:aws:glue:us-east-1:123456789012:table/db/{name}",
    }
    return {"formName": "GlueTableForm", "content": json.dumps(content)}


def glue_asset(dz: Any, domain_id: str, project_id: str, name: str, **extra: Any) -> dict[str, Any]:
    """A Glue table asset; `extra` adds or overrides CreateAsset parameters."""
    params = {
        "domainIdentifier": domain_id,
        "owningProjectIdentifier": project_id,
        "name": name,
        "typeIdentifier": GLUE_ASSET_TYPE,
        "formsInput": [glue_form(name)],
        **extra,
    }
    return dz.create_asset(**params)


def revise(dz: Any, domain_id: str, asset: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """CreateAssetRevision sending the asset's current forms back, with `changes` on top."""
    forms = [
        {"formName": f["formName"], "typeIdentifier": f["typeName"], "content": f["content"]}
        for f in asset["formsOutput"]
    ]
    params = {
        "domainIdentifier": domain_id,
        "identifier": asset["id"],
        "name": asset["name"],
        "formsInput": forms,
        **({"description": asset["description"]} if asset.get("description") else {}),
        **({"glossaryTerms": asset["glossaryTerms"]} if asset.get("glossaryTerms") else {}),
        **changes,
    }
    return dz.create_asset_revision(**params)


def publish(dz: Any, domain_id: str, entity_id: str, entity_type: str = "ASSET") -> dict[str, Any]:
    return dz.create_listing_change_set(
        domainIdentifier=domain_id,
        entityIdentifier=entity_id,
        entityType=entity_type,
        action="PUBLISH",
    )


def dq_content(*statuses: str) -> str:
    """A DataQualityResultFormType content with one evaluation per status."""
    evaluations = [
        {
            "types": ["Completeness"],
            "description": f"check {i}",
            "details": {},
            "applicableFields": ["id"],
            "status": status,
        }
        for i, status in enumerate(statuses)
    ]
    passing = 100.0 * statuses.count("PASS") / len(statuses) if statuses else 100.0
    return json.dumps(
        {
            "evaluations": evaluations,
            "passingPercentage": passing,
            "evaluationsCount": len(statuses),
        }
    )


def subscribe(dz: Any, domain_id: str, listing_id: str, project_id: str) -> dict[str, Any]:
    return dz.create_subscription_request(
        domainIdentifier=domain_id,
        requestReason="analysis",
        subscribedPrincipals=[{"project": {"identifier": project_id}}],
        subscribedListings=[{"identifier": listing_id}],
    )
