"""Drift is shown and a policy decides, end to end on the emulator: hand edits in DataZone
(asset description, asset and column glossary terms, column descriptions) against what the
publisher wrote; column business names are never drift and always survive."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from publish.drift import DriftError
from tests.datazone.conftest import Stage, arn

pytestmark = pytest.mark.integration

ORDERS = "model.sales.fct_orders"
HAND_DESCRIPTION = "Orders, as the finance team describes them."


def _asset(stage: Stage) -> dict[str, Any]:
    return stage.dz().get_asset(
        domainIdentifier=stage.domain_id,
        identifier=f"externalIdentifer%2F{arn('sales_marts', 'fct_orders')}",
    )


def _columns(asset: dict[str, Any]) -> dict[str, dict[str, Any]]:
    form = next(f for f in asset["formsOutput"] if f["formName"] == "ColumnBusinessMetadataForm")
    return {c["name"]: c for c in json.loads(form["content"])["columnsBusinessMetadata"]}


def _hand_term(stage: Stage) -> str:
    """A term of a glossary people keep by hand in DataZone (not the publisher's)."""
    dz = stage.dz()
    glossary = dz.create_glossary(
        domainIdentifier=stage.domain_id,
        name="Finance by hand",
        owningProjectIdentifier=stage.projects["sales"],
        status="ENABLED",
    )
    term = dz.create_glossary_term(
        domainIdentifier=stage.domain_id,
        glossaryIdentifier=glossary["id"],
        name="Booked Order",
        status="ENABLED",
    )
    return str(term["id"])


def _hand_edit(stage: Stage, term_id: str, *, column_description: str | None = None) -> None:
    """What a data steward does in the portal: a new description, one more asset term, a
    business name and a term on column order_id (a revision carries every form over)."""
    asset = _asset(stage)
    forms = []
    for f in asset["formsOutput"]:
        content = json.loads(f.get("content") or "{}")
        if f["formName"] == "ColumnBusinessMetadataForm":
            for column in content["columnsBusinessMetadata"]:
                if column["name"] == "order_id":
                    column["businessName"] = "Order number"
                    column["glossaryTerms"] = [*column.get("glossaryTerms", []), term_id]
                    if column_description is not None:
                        column["description"] = column_description
        forms.append(
            {
                "formName": f["formName"],
                "typeIdentifier": f["typeName"],
                **({"typeRevision": f["typeRevision"]} if f.get("typeRevision") else {}),
                "content": json.dumps(content),
            }
        )
    if not any(f["formName"] == "ColumnBusinessMetadataForm" for f in forms):
        forms.append(
            {
                "formName": "ColumnBusinessMetadataForm",
                "typeIdentifier": "amazon.datazone.ColumnBusinessMetadataFormType",
                "content": json.dumps(
                    {
                        "columnsBusinessMetadata": [
                            {
                                "name": "order_id",
                                "businessName": "Order number",
                                "glossaryTerms": [term_id],
                            }
                        ]
                    }
                ),
            }
        )
    stage.dz().create_asset_revision(
        domainIdentifier=stage.domain_id,
        identifier=asset["id"],
        name=asset["name"],
        description=HAND_DESCRIPTION,
        glossaryTerms=[*(asset.get("glossaryTerms") or []), term_id],
        formsInput=forms,
    )


def test_adoption_reports_what_it_replaces_and_keeps_hand_edits_by_default(stage: Stage) -> None:
    term = _hand_term(stage)
    _hand_edit(stage, term)  # on the asset the Glue data source imported, before any publish
    plan = stage.prepare().plan
    (adopt,) = [a for a in plan.actions if a.kind == "asset" and a.name == ORDERS]
    assert adopt.op == "adopt"
    drift = "\n".join(adopt.details)
    assert f"description: keeps '{HAND_DESCRIPTION}'" in drift
    assert "terms: keeps [" in drift and "column order_id terms: keeps [" in drift
    assert "businessName" not in drift  # never the publisher's: never drift

    _plan, result = stage.publish()
    assert result.failures == []
    asset = _asset(stage)
    assert asset["description"] == HAND_DESCRIPTION
    assert term in asset["glossaryTerms"]
    order_id = _columns(asset)["order_id"]
    assert order_id["businessName"] == "Order number" and term in order_id["glossaryTerms"]
    # the other columns are dbt's
    assert _columns(asset)["customer_id"]["description"]
    # kept edits are reported on every run, and cost no write
    stage.admin.reset_calls()
    again = stage.prepare().plan
    assert [a for a in again.actions if a.kind == "asset"] == []
    assert any(w.startswith(f"{ORDERS}: hand edits in DataZone kept") for w in again.warnings)
    stage.publish()
    assert stage.admin.writes() == {}


def test_overwrite_writes_dbt_but_keeps_business_names(stage: Stage) -> None:
    term = _hand_term(stage)
    _hand_edit(stage, term)
    plan, result = stage.publish(on_drift="overwrite")
    assert result.failures == []
    (adopt,) = [a for a in plan.actions if a.kind == "asset" and a.name == ORDERS]
    assert any(d.startswith("drift: description: replaces") for d in adopt.details)
    asset = _asset(stage)
    assert asset["description"] != HAND_DESCRIPTION and term not in asset["glossaryTerms"]
    order_id = _columns(asset)["order_id"]
    assert order_id["businessName"] == "Order number"  # kept: the publisher does not own it
    assert term not in order_id.get("glossaryTerms", [])


def test_edits_after_a_publish_are_drift_and_fail_stops_before_any_write(stage: Stage) -> None:
    stage.publish()
    revision = _asset(stage)["revision"]
    term = _hand_term(stage)
    _hand_edit(stage, term, column_description="Typed in the portal.")
    stage.admin.reset_calls()
    with pytest.raises(DriftError) as failed:
        stage.prepare(on_drift="fail")
    message = str(failed.value)
    assert ORDERS in message and "column order_id description" in message
    assert stage.admin.writes() == {}
    assert failed.value.exit_code == 4
    # keep (the default): no write, shown; overwrite: one revision back to dbt, one listing
    stage.publish()
    assert stage.admin.writes() == {}
    plan, _ = stage.publish(on_drift="overwrite")
    (revise,) = [a for a in plan.actions if a.kind == "asset"]
    assert (revise.op, revise.reason) == ("revise", "hand edits overwritten")
    assert stage.admin.writes() == {"CreateAssetRevision": 1, "CreateListingChangeSet": 1}
    asset = _asset(stage)
    assert int(asset["revision"]) == int(revision) + 2  # the hand edit, then dbt's
    assert asset["description"] != HAND_DESCRIPTION
    assert _columns(asset)["order_id"]["businessName"] == "Order number"


def _term(stage: Stage, name: str) -> dict[str, Any]:
    (hit,) = [
        h["glossaryTermItem"]
        for h in stage.pages("search", searchScope="GLOSSARY_TERM")
        if h["glossaryTermItem"]["name"] == name
    ]
    return stage.dz().get_glossary_term(domainIdentifier=stage.domain_id, identifier=hit["id"])


def test_a_hand_edited_glossary_term_is_drift_not_an_ordinary_update(stage: Stage) -> None:
    stage.publish()
    order = _term(stage, "Order")
    # what the publisher wrote ends with its record, which markdown does not render
    assert order["longDescription"].startswith("Identified by `order_id`.")
    assert order["longDescription"].splitlines()[-1].startswith("[//]: # (mesh:written {")
    stage.dz().update_glossary_term(
        domainIdentifier=stage.domain_id,
        glossaryIdentifier=order["glossaryId"],
        identifier=order["id"],
        shortDescription="A purchase, as the finance steward defines it.",
    )
    stage.admin.reset_calls()

    with pytest.raises(DriftError) as failed:
        stage.prepare(on_drift="fail")
    assert "glossary term Order: short description: has 'A purchase, as the finance" in str(
        failed.value
    )
    assert stage.admin.writes() == {}

    plan, _ = stage.publish()  # keep: shown, no write
    assert [a for a in plan.actions if a.kind == "term"] == []
    assert any(
        w.startswith("glossary term Order: hand edits in DataZone kept") for w in plan.warnings
    )
    assert stage.admin.writes() == {}
    assert _term(stage, "Order")["shortDescription"].startswith("A purchase, as the finance")

    plan, result = stage.publish(on_drift="overwrite")
    assert result.failures == []
    (update,) = [a for a in plan.actions if a.kind == "term"]
    assert update.op == "update" and update.reason == "short description"
    assert update.details[0].startswith("drift: short description: replaces 'A purchase, as")
    assert _term(stage, "Order")["shortDescription"].startswith("A purchase placed by a customer")
    stage.admin.reset_calls()
    stage.publish()
    assert stage.admin.writes() == {}


def test_a_glossary_change_in_the_yaml_is_an_ordinary_update(stage: Stage, repo_copy: Path) -> None:
    stage.publish(root=repo_copy)
    path = repo_copy / "catalog" / "glossary.yml"
    text = path.read_text()
    edited = text.replace(
        "short_description: A purchase placed by a customer",
        "short_description: An order placed by a customer",
    )
    assert edited != text
    path.write_text(edited)
    # no hand edit: --on-drift fail does not stop it
    plan, result = stage.publish(root=repo_copy, on_drift="fail")
    assert result.failures == []
    (update,) = [a for a in plan.actions if a.kind == "term"]
    assert (update.name, update.reason, update.details) == ("Order", "short description", [])
    assert _term(stage, "Order")["shortDescription"].startswith("An order placed by a customer")
