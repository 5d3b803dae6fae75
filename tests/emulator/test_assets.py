"""Asset revisions as full snapshots (FIDELITY.md, AS-*), over HTTP."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.emulator.helpers import error, glue_asset, glue_form, revise

pytestmark = pytest.mark.integration


def _terms(dz: Any, domain_id: str, project_id: str, *names: str) -> list[str]:
    glossary = dz.create_glossary(
        domainIdentifier=domain_id, name="g", owningProjectIdentifier=project_id
    )["id"]
    return [
        dz.create_glossary_term(domainIdentifier=domain_id, glossaryIdentifier=glossary, name=n)[
            "id"
        ]
        for n in names
    ]


@pytest.mark.fidelity("AS-1", "AS-2", "AS-3")
def test_revisions_are_full_snapshots(dz: Any, domain_id: str, project_id: str) -> None:
    revenue, margin = _terms(dz, domain_id, project_id, "Revenue", "Margin")
    columns = {"columnsBusinessMetadata": [{"name": "amount", "glossaryTerms": [margin]}]}
    first = glue_asset(
        dz,
        domain_id,
        project_id,
        "orders",
        description="v1",
        glossaryTerms=[revenue],
        formsInput=[
            glue_form("orders"),
            {"formName": "ColumnBusinessMetadataForm", "content": json.dumps(columns)},
        ],
    )
    # revision 2 sends everything back and changes the description
    second = revise(dz, domain_id, first, description="v2")
    assert second["revision"] == "2"
    assert (second["glossaryTerms"], {f["formName"] for f in second["formsOutput"]}) == (
        [revenue],
        {"GlueTableForm", "ColumnBusinessMetadataForm"},
    )
    # revision 3 leaves out the column form, the terms and the description: they are gone
    third = dz.create_asset_revision(
        domainIdentifier=domain_id,
        identifier=first["id"],
        name="orders",
        formsInput=[glue_form("orders")],
    )
    assert third["revision"] == "3"
    assert [f["formName"] for f in third["formsOutput"]] == ["GlueTableForm"]
    assert "glossaryTerms" not in third and "description" not in third
    # and every earlier revision is still what it was
    at = {
        r: dz.get_asset(domainIdentifier=domain_id, identifier=first["id"], revision=r)
        for r in ("1", "2", "3")
    }
    assert [at[r].get("description") for r in at] == [
        "v1",
        "v2",
        None,
    ]
    assert at["1"]["glossaryTerms"] == [revenue]
    assert {f["formName"] for f in at["2"]["formsOutput"]} == {
        "GlueTableForm",
        "ColumnBusinessMetadataForm",
    }
    assert dz.get_asset(domainIdentifier=domain_id, identifier=first["id"])["revision"] == "3"
    listed = dz.list_asset_revisions(domainIdentifier=domain_id, identifier=first["id"])["items"]
    assert [r["revision"] for r in listed] == ["1", "2", "3"]
    code, status, _ = error(
        dz.get_asset, domainIdentifier=domain_id, identifier=first["id"], revision="4"
    )
    assert (code, status) == ("ResourceNotFoundException", 404)
    # a revision without the asset type's required form is refused, and makes no revision
    code, _, message = error(
        dz.create_asset_revision,
        domainIdentifier=domain_id,
        identifier=first["id"],
        name="orders",
        description="no glue form",
    )
    assert (code, "GlueTableForm is required" in message) == ("ValidationException", True)
    assert dz.get_asset(domainIdentifier=domain_id, identifier=first["id"])["revision"] == "3"


@pytest.mark.fidelity("AS-3")
def test_get_asset_by_external_identifier(dz: Any, domain_id: str, project_id: str) -> None:
    arn = "arn:aws:glue:us-east-1:123456789012:table/db/orders"
    created = glue_asset(dz, domain_id, project_id, "orders", externalIdentifier=arn)
    found = dz.get_asset(domainIdentifier=domain_id, identifier=f"externalIdentifer%2F{arn}")
    assert found["id"] == created["id"]


@pytest.mark.fidelity("AS-4")
def test_forms_must_use_the_latest_form_type_revision(
    dz: Any, domain_id: str, project_id: str
) -> None:
    args = {
        "domainIdentifier": domain_id,
        "owningProjectIdentifier": project_id,
        "name": "meta",
        "model": {"smithy": "structure meta { owner: String }"},
    }
    dz.create_form_type(**args)
    dz.create_form_type(
        **{**args, "model": {"smithy": "structure meta { owner: String x: String }"}}
    )
    asset = glue_asset(dz, domain_id, project_id, "orders")
    old = {"formName": "meta", "typeIdentifier": "meta", "typeRevision": "1", "content": "{}"}
    code, _, message = error(
        dz.create_asset_revision,
        domainIdentifier=domain_id,
        identifier=asset["id"],
        name="orders",
        formsInput=[glue_form("orders"), old],
    )
    assert code == "ValidationException"
    assert "uses revision 1 of form type meta; use the latest revision, 2" in message
    code, _, _ = error(
        glue_asset, dz, domain_id, project_id, "other", formsInput=[glue_form("o"), old]
    )
    assert code == "ValidationException"
    latest = {**old, "typeRevision": "2"}
    revised = dz.create_asset_revision(
        domainIdentifier=domain_id,
        identifier=asset["id"],
        name="orders",
        formsInput=[glue_form("orders"), latest],
    )
    assert {f["formName"]: f["typeRevision"] for f in revised["formsOutput"]}["meta"] == "2"
    unpinned = {k: v for k, v in old.items() if k != "typeRevision"}  # omitted = the latest
    revised = dz.create_asset_revision(
        domainIdentifier=domain_id,
        identifier=asset["id"],
        name="orders",
        formsInput=[glue_form("orders"), unpinned],
    )
    assert {f["formName"]: f["typeRevision"] for f in revised["formsOutput"]}["meta"] == "2"
