"""System and custom form types and asset types (FIDELITY.md, TY-*), over HTTP."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.emulator.helpers import DQ_FORM_TYPE, error, glue_asset

pytestmark = pytest.mark.integration

SYSTEM_FORM_TYPES = [
    "amazon.datazone.GlueTableFormType",
    "amazon.datazone.GlueViewFormType",
    "amazon.datazone.RedshiftTableFormType",
    "amazon.datazone.RedshiftViewFormType",
    "amazon.datazone.S3ObjectCollectionFormType",
    "amazon.datazone.RelationalTableFormType",
    "amazon.datazone.ColumnBusinessMetadataFormType",
    "amazon.datazone.AssetCommonDetailsFormType",
    "amazon.datazone.DataSourceReferenceFormType",
    "amazon.datazone.SubscriptionTermsFormType",
    DQ_FORM_TYPE,
]
SYSTEM_ASSET_TYPES = [
    "amazon.datazone.GlueTableAssetType",
    "amazon.datazone.GlueViewAssetType",
    "amazon.datazone.RedshiftTableAssetType",
    "amazon.datazone.RedshiftViewAssetType",
    "amazon.datazone.S3ObjectCollectionAssetType",
]


@pytest.mark.fidelity("TY-1")
def test_a_new_domain_has_the_system_types(dz: Any, domain_id: str) -> None:
    for name in SYSTEM_FORM_TYPES:
        found = dz.get_form_type(domainIdentifier=domain_id, formTypeIdentifier=name)
        assert (found["name"], found["revision"]) == (name, "1")
        assert found["model"]["smithy"].lstrip().startswith("structure ")
    for name in SYSTEM_ASSET_TYPES:
        found = dz.get_asset_type(domainIdentifier=domain_id, identifier=name)
        assert found["name"] == name
        required = [f for f, v in found["formsOutput"].items() if v["required"]]
        assert len(required) == 1  # the technical form of the type
    managed = dz.search_types(domainIdentifier=domain_id, searchScope="FORM_TYPE", managed=True)
    assert managed["totalMatchCount"] == len(SYSTEM_FORM_TYPES)
    custom = dz.search_types(domainIdentifier=domain_id, searchScope="ASSET_TYPE", managed=False)
    assert custom["items"] == []
    # every domain, not just the first
    other = dz.create_domain(name="other", domainExecutionRole="arn:aws:iam::123456789012:role/r")[
        "id"
    ]
    relational = "amazon.datazone.RelationalTableFormType"
    assert dz.get_form_type(domainIdentifier=other, formTypeIdentifier=relational)["domainId"] == (
        other
    )


@pytest.mark.fidelity("TY-2", "TY-4", "TY-6")
def test_system_form_types_inside_a_custom_asset_type(
    dz: Any, domain_id: str, project_id: str
) -> None:
    dz.create_asset_type(
        domainIdentifier=domain_id,
        owningProjectIdentifier=project_id,
        name="DbtModelAssetType",
        formsInput={
            "RelationalTableForm": {
                "typeIdentifier": "amazon.datazone.RelationalTableFormType",
                "typeRevision": "1",
                "required": True,
            },
            "ColumnBusinessMetadataForm": {
                "typeIdentifier": "amazon.datazone.ColumnBusinessMetadataFormType",
                "typeRevision": "1",
                "required": False,
            },
        },
    )
    base = {
        "domainIdentifier": domain_id,
        "owningProjectIdentifier": project_id,
        "typeIdentifier": "DbtModelAssetType",
    }
    table = {
        "tableName": "fct_orders",
        "columns": [{"columnName": "order_id", "dataType": "bigint", "description": "key"}],
    }
    created = dz.create_asset(
        **base,
        name="fct_orders",
        formsInput=[{"formName": "RelationalTableForm", "content": json.dumps(table)}],
    )
    assert [(f["formName"], f["typeName"]) for f in created["formsOutput"]] == [
        ("RelationalTableForm", "amazon.datazone.RelationalTableFormType")
    ]
    # content is checked against the system type's model: a column without its dataType fails
    broken = {"tableName": "t", "columns": [{"columnName": "order_id"}]}
    code, _, message = error(
        dz.create_asset,
        **base,
        name="broken",
        formsInput=[{"formName": "RelationalTableForm", "content": json.dumps(broken)}],
    )
    assert code == "ValidationException"
    assert "columns[0].dataType: is required" in message
    code, _, message = error(dz.create_asset, **base, name="bare", formsInput=[])
    assert (code, "RelationalTableForm is required" in message) == ("ValidationException", True)
    # an asset type naming a form type revision that does not exist is refused
    code, _, _ = error(
        dz.create_asset_type,
        domainIdentifier=domain_id,
        owningProjectIdentifier=project_id,
        name="Broken",
        formsInput={
            "x": {"typeIdentifier": "amazon.datazone.RelationalTableFormType", "typeRevision": "9"}
        },
    )
    assert code == "ResourceNotFoundException"


@pytest.mark.fidelity("TY-3")
def test_system_types_cannot_be_created_or_deleted(
    dz: Any, domain_id: str, project_id: str
) -> None:
    code, _, message = error(
        dz.create_form_type,
        domainIdentifier=domain_id,
        owningProjectIdentifier=project_id,
        name="amazon.datazone.GlueTableFormType",
        model={"smithy": "structure GlueTableFormType { a: String }"},
    )
    assert code == "ValidationException" and "system type" in message
    for call, key in (
        (dz.delete_form_type, "formTypeIdentifier"),
        (dz.delete_asset_type, "identifier"),
    ):
        name = (
            "amazon.datazone.GlueTableFormType"
            if key == "formTypeIdentifier"
            else "amazon.datazone.GlueTableAssetType"
        )
        code, _, message = error(call, domainIdentifier=domain_id, **{key: name})
        assert code == "ValidationException" and "cannot be deleted" in message
    code, _, _ = error(
        dz.create_asset_type,
        domainIdentifier=domain_id,
        owningProjectIdentifier=project_id,
        name="amazon.datazone.MyAssetType",
        formsInput={},
    )
    assert code == "ValidationException"


@pytest.mark.fidelity("TY-4")
def test_content_is_checked_against_the_model(dz: Any, domain_id: str, project_id: str) -> None:
    code, _, message = error(
        glue_asset,
        dz,
        domain_id,
        project_id,
        "t",
        formsInput=[{"formName": "GlueTableForm", "content": json.dumps({"tableName": "t"})}],
    )
    assert code == "ValidationException" and "tableArn: is required" in message
    code, _, message = error(
        glue_asset,
        dz,
        domain_id,
        project_id,
        "t",
        formsInput=[{"formName": "GlueTableForm", "content": "{not json"}],
    )
    assert code == "ValidationException" and "not valid JSON" in message
    # nothing was created by the refused requests
    assert dz.search(domainIdentifier=domain_id, searchScope="ASSET")["items"] == []


@pytest.mark.fidelity("TY-5")
def test_form_type_names_and_revisions(dz: Any, domain_id: str, project_id: str) -> None:
    args = {
        "domainIdentifier": domain_id,
        "owningProjectIdentifier": project_id,
        "name": "dbt_model",
        "model": {"smithy": "structure dbt_model { owner: String }"},
    }
    assert dz.create_form_type(**args)["revision"] == "1"
    assert error(dz.create_form_type, **args)[0] == "ConflictException"
    changed = {**args, "model": {"smithy": "structure dbt_model { owner: String tier: Integer }"}}
    assert dz.create_form_type(**changed)["revision"] == "2"
    assert dz.get_form_type(domainIdentifier=domain_id, formTypeIdentifier="dbt_model")[
        "revision"
    ] == ("2")
    other = dz.create_project(domainIdentifier=domain_id, name="other")["id"]
    code, _, message = error(
        dz.create_form_type,
        **{**args, "owningProjectIdentifier": other, "model": {"smithy": "structure dbt_model {}"}},
    )
    assert code == "ConflictException" and "owned by project" in message
