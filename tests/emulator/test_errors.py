"""Modeled errors, server-side validation, paging and clientToken idempotency, over HTTP."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.emulator.helpers import error as _error

pytestmark = pytest.mark.integration


def test_not_found_errors(dz: Any, domain_id: str, project_id: str) -> None:
    assert _error(dz.get_domain, identifier="dzd_missing")[:2] == ("ResourceNotFoundException", 404)
    assert _error(dz.get_project, domainIdentifier=domain_id, identifier="nope")[:2] == (
        "ResourceNotFoundException",
        404,
    )
    assert (
        _error(dz.get_asset, domainIdentifier=domain_id, identifier="nope")[0]
        == "ResourceNotFoundException"
    )
    assert (
        _error(
            dz.get_asset,
            domainIdentifier=domain_id,
            identifier="externalIdentifer%2Farn:aws:glue:us-east-1:1:table/a/b",
        )[0]
        == "ResourceNotFoundException"
    )
    assert (
        _error(dz.create_project, domainIdentifier="dzd_missing", name="x")[0]
        == "ResourceNotFoundException"
    )
    assert (
        _error(
            dz.create_glossary_term, domainIdentifier=domain_id, glossaryIdentifier="nope", name="t"
        )[0]
        == "ResourceNotFoundException"
    )
    assert (
        _error(dz.get_listing, domainIdentifier=domain_id, identifier="nope")[0]
        == "ResourceNotFoundException"
    )
    assert _error(dz.get_form_type, domainIdentifier=domain_id, formTypeIdentifier="nope")[0] == (
        "ResourceNotFoundException"
    )
    assert (
        _error(
            dz.create_asset,
            domainIdentifier=domain_id,
            owningProjectIdentifier=project_id,
            name="a",
            typeIdentifier="amazon.datazone.GlueTableAssetType",
            glossaryTerms=["missing"],
            formsInput=[
                {
                    "formName": "GlueTableForm",
                    "content": json.dumps({"tableName": "a", "tableArn": "arn"}),
                }
            ],
        )[0]
        == "ResourceNotFoundException"
    )


@pytest.mark.fidelity("AS-5")
def test_conflicts_on_duplicate_names(dz: Any, domain_id: str, project_id: str) -> None:
    assert _error(dz.create_project, domainIdentifier=domain_id, name="sales")[:2] == (
        "ConflictException",
        409,
    )
    glossary = dz.create_glossary(
        domainIdentifier=domain_id, name="G", owningProjectIdentifier=project_id
    )["id"]
    assert (
        _error(
            dz.create_glossary,
            domainIdentifier=domain_id,
            name="G",
            owningProjectIdentifier=project_id,
        )[0]
        == "ConflictException"
    )
    dz.create_glossary_term(domainIdentifier=domain_id, glossaryIdentifier=glossary, name="T")
    assert (
        _error(
            dz.create_glossary_term,
            domainIdentifier=domain_id,
            glossaryIdentifier=glossary,
            name="T",
        )[0]
        == "ConflictException"
    )
    model = {"smithy": "structure f { a: String }"}
    dz.create_form_type(
        domainIdentifier=domain_id, name="f", model=model, owningProjectIdentifier=project_id
    )
    assert (
        _error(
            dz.create_form_type,
            domainIdentifier=domain_id,
            name="f",
            model=model,
            owningProjectIdentifier=project_id,
        )[0]
        == "ConflictException"
    )
    changed = dz.create_form_type(
        domainIdentifier=domain_id,
        name="f",
        owningProjectIdentifier=project_id,
        model={"smithy": "structure f { a: String b: Integer }"},
    )
    assert changed["revision"] == "2"
    assert (
        dz.get_form_type(domainIdentifier=domain_id, formTypeIdentifier="f", revision="1")["model"]
        == model
    )
    asset = {
        "domainIdentifier": domain_id,
        "owningProjectIdentifier": project_id,
        "name": "orders",
        "typeIdentifier": "amazon.datazone.GlueTableAssetType",
        "externalIdentifier": "arn:x",
        "formsInput": [
            {"formName": "GlueTableForm", "content": '{"tableName": "o", "tableArn": "arn:x"}'}
        ],
    }
    created = dz.create_asset(**asset)
    assert (
        _error(dz.create_asset, **{**asset, "externalIdentifier": "arn:y"})[0]
        == "ConflictException"
    )
    code, _, message = _error(dz.create_asset, **{**asset, "name": "other"})
    assert (code, "externalIdentifier" in message) == ("ConflictException", True)
    product = {
        "domainIdentifier": domain_id,
        "owningProjectIdentifier": project_id,
        "name": "P",
        "items": [{"itemType": "ASSET", "identifier": created["id"]}],
    }
    dz.create_data_product(**product)
    assert _error(dz.create_data_product, **product)[0] == "ConflictException"
    # A failed create leaves nothing behind: the name is still free for a valid request.
    assert (
        _error(
            dz.create_asset,
            **{
                **asset,
                "name": "fresh",
                "externalIdentifier": "arn:z",
                "glossaryTerms": ["missing"],
            },
        )[0]
        == "ResourceNotFoundException"
    )
    assert (
        dz.create_asset(**{**asset, "name": "fresh", "externalIdentifier": "arn:z"})["revision"]
        == "1"
    )


@pytest.mark.fidelity("RQ-1")
def test_validation_is_done_by_the_server(dz: Any, domain_id: str, project_id: str) -> None:
    code, status, message = _error(dz.create_project, domainIdentifier=domain_id)
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        "1 validation error detected: Value null at 'name' failed to satisfy constraint: "
        "Member must not be null"
    )
    _, _, message = _error(
        dz.create_project, domainIdentifier=domain_id, name="bad/name", description="d" * 2049
    )
    assert message.startswith("2 validation errors detected: ")
    assert "Member must satisfy regular expression pattern: [\\w -]+" in message
    assert "Member must have length less than or equal to 2048" in message
    _, _, message = _error(dz.list_projects, domainIdentifier=domain_id, maxResults=51)
    assert "Member must have value less than or equal to 50" in message
    _, _, message = _error(
        dz.create_glossary,
        domainIdentifier=domain_id,
        name="g",
        owningProjectIdentifier=project_id,
        status="MAYBE",
    )
    assert "Member must satisfy enum value set: [DISABLED, ENABLED]" in message
    _, _, message = _error(dz.get_project, domainIdentifier="not-a-domain", identifier=project_id)
    assert "at 'domainIdentifier'" in message
    _, _, message = _error(
        dz.create_form_type,
        domainIdentifier=domain_id,
        name="f",
        owningProjectIdentifier=project_id,
        model={},
    )
    assert "exactly one of [smithy]" in message
    _, _, message = _error(
        dz.create_asset,
        domainIdentifier=domain_id,
        owningProjectIdentifier=project_id,
        name="a",
        typeIdentifier="t",
        formsInput=[{"content": "{}"}],
    )
    assert "Value null at 'formsInput.1.member.formName'" in message
    assert (
        _error(dz.list_projects, domainIdentifier=domain_id, maxResults="ten")[0]
        == "SerializationException"
    )


@pytest.mark.fidelity("TY-4")
def test_form_content_is_validated_against_its_form_type(
    dz: Any, domain_id: str, project_id: str
) -> None:
    smithy = (
        "structure quality { @required score: Integer checks: Checks }\n"
        "list Checks { member: String }"
    )
    dz.create_form_type(
        domainIdentifier=domain_id,
        name="quality",
        model={"smithy": smithy},
        owningProjectIdentifier=project_id,
    )
    glue_form = {"formName": "GlueTableForm", "content": '{"tableName": "t", "tableArn": "arn:t"}'}
    base = {
        "domainIdentifier": domain_id,
        "owningProjectIdentifier": project_id,
        "name": "t",
        "typeIdentifier": "amazon.datazone.GlueTableAssetType",
    }
    for content, expected in [
        ({"checks": []}, "score: is required"),
        ({"score": "high"}, "score: expected integer"),
        ({"score": 1, "checks": [1]}, "checks[0]: expected string"),
        ({"score": 1, "extra": True}, "extra: is not a member of quality"),
    ]:
        form = {"formName": "quality", "typeIdentifier": "quality", "content": json.dumps(content)}
        code, _, message = _error(dz.create_asset, **base, formsInput=[glue_form, form])
        assert code == "ValidationException"
        assert expected in message
    code, _, message = _error(dz.create_asset, **base, formsInput=[])
    assert (code, "GlueTableForm is required" in message) == ("ValidationException", True)
    code, _, message = _error(
        dz.create_form_type,
        domainIdentifier=domain_id,
        name="broken",
        owningProjectIdentifier=project_id,
        model={"smithy": "structure {"},
    )
    assert (code, "not valid Smithy" in message) == ("ValidationException", True)
    ok = {"formName": "quality", "typeIdentifier": "quality", "content": json.dumps({"score": 3})}
    assert dz.create_asset(**base, formsInput=[glue_form, ok])["revision"] == "1"


@pytest.mark.fidelity("RQ-5")
def test_paging_through_250_assets(dz: Any, domain_id: str, project_id: str) -> None:
    for i in range(260):
        dz.create_asset(
            domainIdentifier=domain_id,
            owningProjectIdentifier=project_id,
            name=f"table_{i:03d}",
            typeIdentifier="amazon.datazone.GlueTableAssetType",
            description="paging fixture",
            formsInput=[
                {
                    "formName": "GlueTableForm",
                    "content": json.dumps({"tableName": f"table_{i:03d}", "tableArn": f"arn:{i}"}),
                }
            ],
        )
    pages = list(
        dz.get_paginator("search").paginate(
            domainIdentifier=domain_id,
            searchScope="ASSET",
            searchText="paging",
            PaginationConfig={"PageSize": 25},
        )
    )
    names = [item["assetItem"]["name"] for page in pages for item in page["items"]]
    assert names == [f"table_{i:03d}" for i in range(260)]
    assert len(pages) == 26  # the server caps pages at its page size (10) though 25 were asked
    assert max(len(p["items"]) for p in pages) == 10


@pytest.mark.fidelity("RQ-5")
def test_paging_lists_and_bad_tokens(dz: Any, domain_id: str) -> None:
    for i in range(25):
        dz.create_project(domainIdentifier=domain_id, name=f"p{i:02d}")
    first = dz.list_projects(domainIdentifier=domain_id, maxResults=7)
    assert len(first["items"]) == 7 and "nextToken" in first
    names = [
        p["name"]
        for page in dz.get_paginator("list_projects").paginate(domainIdentifier=domain_id)
        for p in page["items"]
    ]
    assert names == [f"p{i:02d}" for i in range(25)]
    assert (
        _error(dz.list_projects, domainIdentifier=domain_id, nextToken="garbage")[0]
        == "ValidationException"
    )


@pytest.mark.fidelity("RQ-4")
def test_client_token_idempotency(dz: Any, domain_id: str, project_id: str, admin: Any) -> None:
    args = {
        "domainIdentifier": domain_id,
        "name": "Terms",
        "owningProjectIdentifier": project_id,
        "clientToken": "retry-1",
    }
    first = dz.create_glossary(**args)
    again = dz.create_glossary(**args)
    assert first["id"] == again["id"]
    listed = dz.search(domainIdentifier=domain_id, searchScope="GLOSSARY")["items"]
    assert len(listed) == 1
    code, _, message = _error(dz.create_glossary, **{**args, "description": "different"})
    assert code == "ConflictException" and "retry-1" in message
    other = dz.create_glossary(**{**args, "name": "Other", "clientToken": "retry-2"})
    assert other["id"] != first["id"]
    # botocore fills clientToken itself when the caller does not: retries are safe by default.
    asset = {
        "domainIdentifier": domain_id,
        "owningProjectIdentifier": project_id,
        "name": "a",
        "typeIdentifier": "amazon.datazone.GlueTableAssetType",
        "clientToken": "asset-1",
        "formsInput": [
            {"formName": "GlueTableForm", "content": '{"tableName": "a", "tableArn": "arn:a"}'}
        ],
    }
    assert dz.create_asset(**asset)["id"] == dz.create_asset(**asset)["id"]
    assert admin.calls()["CreateAsset"] == 2


def test_unimplemented_and_unknown_operations(dz: Any, domain_id: str, emulator: Any) -> None:
    code, status, message = _error(dz.list_connections, domainIdentifier=domain_id)
    assert (code, status) == ("NotImplementedException", 501)
    assert message == "DataZone emulator does not implement operation ListConnections"
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(f"{emulator.url}/v2/nowhere")
    assert info.value.code == 404
    assert info.value.headers["x-amzn-ErrorType"] == "UnknownOperationException"
