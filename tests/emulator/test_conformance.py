"""Every operation the emulator implements answers something botocore parses cleanly, with the
modeled status code and every member the output shape requires."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.model import OperationModel, Shape

from mesh_standins.datazone.handlers import load_handlers

pytestmark = pytest.mark.integration


def _missing_required(shape: Shape, value: Any, path: str) -> list[str]:
    problems: list[str] = []
    if shape.type_name == "structure":
        assert isinstance(value, dict), path
        members = [k for k in value if k != "ResponseMetadata"]
        if shape.is_tagged_union and len(members) != 1:  # type: ignore[attr-defined]
            problems.append(f"{path}: union with {len(members)} members")
        for name in shape.required_members:  # type: ignore[attr-defined]
            if name not in value:
                problems.append(f"{path}.{name}")
        for name, member in shape.members.items():  # type: ignore[attr-defined]
            if name in value and member.serialization.get("location") is None:
                problems += _missing_required(member, value[name], f"{path}.{name}")
    elif shape.type_name == "list":
        for i, item in enumerate(value):
            problems += _missing_required(shape.member, item, f"{path}[{i}]")  # type: ignore[attr-defined]
    elif shape.type_name == "map":
        for key, item in value.items():
            problems += _missing_required(shape.value, item, f"{path}.{key}")  # type: ignore[attr-defined]
    return problems


@pytest.fixture
def recorded(make_datazone: Any) -> tuple[Any, dict[str, list[str]]]:
    """A client whose every answer is checked against its operation's output shape."""
    client = make_datazone()
    seen: dict[str, list[str]] = {}

    def check(http_response: Any, parsed: dict[str, Any], model: OperationModel, **_: Any) -> None:
        problems = []
        if "Error" in parsed:
            problems.append(f"error {parsed['Error']}")
        elif http_response.status_code != model.http.get("responseCode", 200):
            problems.append(f"status {http_response.status_code}")
        if model.output_shape is not None and "Error" not in parsed:
            problems += _missing_required(model.output_shape, parsed, model.name)
        seen.setdefault(model.name, []).extend(problems)

    client.meta.events.register("after-call.datazone", check)
    return client, seen


def test_every_implemented_operation_conforms(recorded: Any, glue: Any) -> None:
    dz, seen = recorded
    glue.create_database(DatabaseInput={"Name": "db"})
    glue.create_table(
        DatabaseName="db",
        TableInput={
            "Name": "t1",
            "StorageDescriptor": {"Columns": [{"Name": "id", "Type": "int"}]},
        },
    )

    d = dz.create_domain(name="conf", domainExecutionRole="arn:aws:iam::123456789012:role/r")["id"]
    dz.get_domain(identifier=d)
    dz.list_domains()
    p = dz.create_project(domainIdentifier=d, name="producer")["id"]
    c = dz.create_project(domainIdentifier=d, name="consumer")["id"]
    dz.get_project(domainIdentifier=d, identifier=p)
    dz.update_project(domainIdentifier=d, identifier=p, description="updated")
    dz.list_projects(domainIdentifier=d)
    dz.create_project_membership(
        domainIdentifier=d,
        projectIdentifier=p,
        member={"groupIdentifier": "g1"},
        designation="PROJECT_CONTRIBUTOR",
    )
    dz.list_project_memberships(domainIdentifier=d, projectIdentifier=p)
    dz.delete_project_membership(
        domainIdentifier=d, projectIdentifier=p, member={"groupIdentifier": "g1"}
    )
    env = dz.create_environment(
        domainIdentifier=d, projectIdentifier=p, name="env", environmentProfileIdentifier="prof"
    )["id"]
    dz.get_environment(domainIdentifier=d, identifier=env)
    dz.list_environments(domainIdentifier=d, projectIdentifier=p)

    g = dz.create_glossary(domainIdentifier=d, name="g", owningProjectIdentifier=p)["id"]
    dz.get_glossary(domainIdentifier=d, identifier=g)
    dz.update_glossary(domainIdentifier=d, identifier=g, description="terms")
    term = dz.create_glossary_term(domainIdentifier=d, glossaryIdentifier=g, name="Revenue")["id"]
    dz.get_glossary_term(domainIdentifier=d, identifier=term)
    dz.update_glossary_term(domainIdentifier=d, identifier=term, shortDescription="money")
    spare = dz.create_glossary_term(domainIdentifier=d, glossaryIdentifier=g, name="Spare")["id"]
    dz.delete_glossary_term(domainIdentifier=d, identifier=spare)
    g2 = dz.create_glossary(
        domainIdentifier=d, name="empty", owningProjectIdentifier=p, status="DISABLED"
    )["id"]
    dz.delete_glossary(domainIdentifier=d, identifier=g2)

    dz.create_form_type(
        domainIdentifier=d,
        name="meta",
        owningProjectIdentifier=p,
        model={"smithy": "structure meta { owner: String }"},
    )
    dz.get_form_type(domainIdentifier=d, formTypeIdentifier="meta")
    dz.get_form_type(domainIdentifier=d, formTypeIdentifier="amazon.datazone.GlueTableFormType")
    dz.create_asset_type(
        domainIdentifier=d,
        name="report",
        owningProjectIdentifier=p,
        formsInput={"meta": {"typeIdentifier": "meta", "typeRevision": "1", "required": True}},
    )
    dz.get_asset_type(domainIdentifier=d, identifier="report")
    dz.get_asset_type(domainIdentifier=d, identifier="amazon.datazone.GlueTableAssetType")
    dz.search_types(domainIdentifier=d, searchScope="FORM_TYPE", managed=False)
    dz.search_types(domainIdentifier=d, searchScope="ASSET_TYPE", managed=True, searchText="glue")
    dz.create_form_type(
        domainIdentifier=d,
        name="doomed",
        owningProjectIdentifier=p,
        model={"smithy": "structure doomed { x: String }"},
    )
    dz.delete_form_type(domainIdentifier=d, formTypeIdentifier="doomed")

    report = dz.create_asset(
        domainIdentifier=d,
        owningProjectIdentifier=p,
        name="r",
        typeIdentifier="report",
        formsInput=[{"formName": "meta", "content": json.dumps({"owner": "me"})}],
    )["id"]
    dz.get_asset(domainIdentifier=d, identifier=report)
    dz.create_asset_revision(
        domainIdentifier=d,
        identifier=report,
        name="r",
        glossaryTerms=[term],
        formsInput=[{"formName": "meta", "content": json.dumps({"owner": "you"})}],
    )
    dz.list_asset_revisions(domainIdentifier=d, identifier=report)
    point = dz.post_time_series_data_points(
        domainIdentifier=d,
        entityIdentifier=report,
        entityType="ASSET",
        forms=[
            {
                "formName": "quality",
                "typeIdentifier": "amazon.datazone.DataQualityResultFormType",
                "timestamp": 1_700_000_000,
                "content": json.dumps({"passingPercentage": 100.0, "evaluationsCount": 0}),
            }
        ],
    )["forms"][0]["id"]
    dz.list_time_series_data_points(
        domainIdentifier=d, entityIdentifier=report, entityType="ASSET", formName="quality"
    )
    dz.get_time_series_data_point(
        domainIdentifier=d,
        entityIdentifier=report,
        entityType="ASSET",
        identifier=point,
        formName="quality",
    )
    dz.delete_time_series_data_points(
        domainIdentifier=d, entityIdentifier=report, entityType="ASSET", formName="quality"
    )
    dz.delete_asset(domainIdentifier=d, identifier=report)
    dz.create_asset_type(
        domainIdentifier=d, name="unused", owningProjectIdentifier=p, formsInput={}
    )
    dz.delete_asset_type(domainIdentifier=d, identifier="unused")

    ds = dz.create_data_source(
        domainIdentifier=d,
        projectIdentifier=p,
        name="glue",
        type="GLUE",
        environmentIdentifier=env,
        publishOnImport=True,
        configuration={
            "glueRunConfiguration": {"relationalFilterConfigurations": [{"databaseName": "db"}]}
        },
    )["id"]
    dz.get_data_source(domainIdentifier=d, identifier=ds)
    dz.list_data_sources(domainIdentifier=d, projectIdentifier=p)
    run = dz.start_data_source_run(domainIdentifier=d, dataSourceIdentifier=ds)["id"]
    dz.get_data_source_run(domainIdentifier=d, identifier=run)
    dz.list_data_source_runs(domainIdentifier=d, dataSourceIdentifier=ds)
    dz.list_data_source_run_activities(domainIdentifier=d, identifier=run)
    asset = dz.search(domainIdentifier=d, searchScope="ASSET", additionalAttributes=["FORMS"])[
        "items"
    ][0]
    asset_id = asset["assetItem"]["identifier"]
    listing = dz.get_asset(domainIdentifier=d, identifier=asset_id)["listing"]["listingId"]
    dz.get_listing(domainIdentifier=d, identifier=listing)

    prod = dz.create_data_product(
        domainIdentifier=d,
        owningProjectIdentifier=p,
        name="prod",
        items=[{"itemType": "ASSET", "identifier": asset_id}],
    )["id"]
    dz.get_data_product(domainIdentifier=d, identifier=prod)
    dz.create_data_product_revision(
        domainIdentifier=d,
        identifier=prod,
        name="prod",
        description="v2",
        items=[{"itemType": "ASSET", "identifier": asset_id}],
    )
    dz.list_data_product_revisions(domainIdentifier=d, identifier=prod)
    prod_listing = dz.create_listing_change_set(
        domainIdentifier=d, entityIdentifier=prod, entityType="DATA_PRODUCT", action="PUBLISH"
    )["listingId"]
    dz.get_listing(domainIdentifier=d, identifier=prod_listing)
    dz.search_listings(
        domainIdentifier=d, additionalAttributes=["FORMS"], sort={"attribute": "name"}
    )
    dz.search(domainIdentifier=d, searchScope="DATA_PRODUCT")
    dz.search(domainIdentifier=d, searchScope="GLOSSARY")
    dz.search(domainIdentifier=d, searchScope="GLOSSARY_TERM")

    for listing_id in (listing, prod_listing):
        req = dz.create_subscription_request(
            domainIdentifier=d,
            requestReason="need it",
            subscribedPrincipals=[{"project": {"identifier": c}}],
            subscribedListings=[{"identifier": listing_id}],
        )["id"]
        dz.get_subscription_request_details(domainIdentifier=d, identifier=req)
        dz.accept_subscription_request(domainIdentifier=d, identifier=req)
    rejected = dz.create_subscription_request(
        domainIdentifier=d,
        requestReason="again",
        subscribedPrincipals=[{"project": {"identifier": p}}],
        subscribedListings=[{"identifier": listing}],
    )["id"]
    dz.reject_subscription_request(domainIdentifier=d, identifier=rejected, decisionComment="no")
    dz.list_subscription_requests(domainIdentifier=d)
    subs = dz.list_subscriptions(domainIdentifier=d)["items"]
    dz.get_subscription(domainIdentifier=d, identifier=subs[0]["id"])
    dz.cancel_subscription(domainIdentifier=d, identifier=subs[0]["id"])
    dz.revoke_subscription(domainIdentifier=d, identifier=subs[1]["id"])

    event = {
        "eventType": "START",
        "eventTime": "2025-01-01T00:00:00.000Z",
        "producer": "p",
        "schemaURL": "s",
        "run": {"runId": "r"},
        "job": {"namespace": "n", "name": "j"},
        "inputs": [{"namespace": "n", "name": "a"}],
        "outputs": [{"namespace": "n", "name": "b"}],
    }
    event_id = dz.post_lineage_event(domainIdentifier=d, event=json.dumps(event).encode())["id"]
    dz.get_lineage_event(domainIdentifier=d, identifier=event_id)
    dz.list_lineage_events(domainIdentifier=d)
    dz.get_lineage_node(domainIdentifier=d, identifier="n/b")
    dz.list_lineage_node_history(domainIdentifier=d, identifier="n/j")

    dz.delete_listing(domainIdentifier=d, identifier=prod_listing)
    dz.delete_data_product(domainIdentifier=d, identifier=prod)
    dz.delete_data_source(domainIdentifier=d, identifier=ds)
    doomed = dz.create_project(domainIdentifier=d, name="doomed")["id"]
    dz.delete_project(domainIdentifier=d, identifier=doomed)
    dz.delete_domain(identifier=d)

    assert {op: problems for op, problems in seen.items() if problems} == {}
    assert set(load_handlers()) - set(seen) == set()
