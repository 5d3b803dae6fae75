"""moto made strict where the publisher's guarantees depend on it (issue 11, part 2): Lake
Formation attaches LF-tags (foreign tags survive a publish), and a table dbt-athena dropped and
re-created restarts its VersionId (a write from a read of the old table would revert the new one;
the publisher re-reads before writing and never does)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.publish.cli_helpers import plan_of, run_publish
from tests.publish.harness import (
    Call,
    GlueLikeMotoServer,
    _table_input,
    iceberg_commit,
    recreate_table_in_backend,
)

pytestmark = pytest.mark.integration


def _tags(lakeformation: Any, resource: dict[str, Any]) -> dict[str, Any]:
    found = lakeformation.get_resource_lf_tags(Resource=resource)
    out: dict[str, Any] = {t["TagKey"]: t["TagValues"] for t in found.get("LFTagsOnTable", [])}
    for column in found.get("LFTagsOnColumns", []):
        out[column["Name"]] = {t["TagKey"]: t["TagValues"] for t in column["LFTags"]}
    return out


def test_add_lf_tags_attaches_instead_of_replacing(production: Path, lakeformation: Any) -> None:
    lakeformation.create_lf_tag(TagKey="steward", TagValues=["alice", "bob"])
    lakeformation.create_lf_tag(TagKey="tier", TagValues=["gold", "silver"])
    table = {"Table": {"DatabaseName": "tiny_marts", "Name": "fct_orders"}}
    lakeformation.add_lf_tags_to_resource(
        Resource=table, LFTags=[{"TagKey": "steward", "TagValues": ["alice"]}]
    )
    lakeformation.add_lf_tags_to_resource(
        Resource=table, LFTags=[{"TagKey": "tier", "TagValues": ["gold"]}]
    )
    assert _tags(lakeformation, table) == {"steward": ["alice"], "tier": ["gold"]}
    lakeformation.add_lf_tags_to_resource(  # a key already there takes the new value
        Resource=table, LFTags=[{"TagKey": "tier", "TagValues": ["silver"]}]
    )
    assert _tags(lakeformation, table) == {"steward": ["alice"], "tier": ["silver"]}
    # a refused attach (unknown tag) changes nothing
    answer = lakeformation.add_lf_tags_to_resource(
        Resource=table, LFTags=[{"TagKey": "nope", "TagValues": ["x"]}]
    )
    assert answer["Failures"]
    assert _tags(lakeformation, table) == {"steward": ["alice"], "tier": ["silver"]}


def test_foreign_lf_tags_survive_a_publish(
    production: Path, aws: GlueLikeMotoServer, lakeformation: Any
) -> None:
    lakeformation.create_lf_tag(TagKey="steward", TagValues=["alice", "bob"])
    table = {"Table": {"DatabaseName": "tiny_marts", "Name": "fct_orders"}}
    columns = {
        "TableWithColumns": {
            "DatabaseName": "tiny_marts",
            "Name": "fct_orders",
            "ColumnNames": ["order_id", "amount"],
        }
    }
    lakeformation.add_lf_tags_to_resource(
        Resource=table, LFTags=[{"TagKey": "steward", "TagValues": ["alice"]}]
    )
    lakeformation.add_lf_tags_to_resource(
        Resource=columns, LFTags=[{"TagKey": "steward", "TagValues": ["bob"]}]
    )

    result = run_publish(production)

    assert result.exit_code == 0, result.output
    assert _tags(lakeformation, table) == {"steward": ["alice"], "tier": ["gold"]}
    assert _tags(lakeformation, columns) == {
        "order_id": {"steward": ["bob"]},  # the publisher tags nothing here: kept as it was
        "amount": {"steward": ["bob"], "sensitivity": ["confidential"]},
    }


def test_a_stale_version_id_reverts_a_recreated_table(production: Path, glue: Any) -> None:
    """Why the publisher needs its guard: Glue's lock does not notice a re-created table whose
    VersionId restarted at the value read, and the stale write reverts it."""
    read = glue.get_table(DatabaseName="tiny_marts", Name="fct_orders")["Table"]
    recreated = recreate_table_in_backend(
        "tiny_marts", "fct_orders", version=int(read["VersionId"])
    )

    glue.update_table(
        DatabaseName="tiny_marts", TableInput=_table_input(read), VersionId=read["VersionId"]
    )

    now = glue.get_table(DatabaseName="tiny_marts", Name="fct_orders")["Table"]
    assert "added_by_rebuild" not in [c["Name"] for c in now["StorageDescriptor"]["Columns"]]
    assert now["Parameters"]["metadata_location"] == read["Parameters"]["metadata_location"]
    assert now["Parameters"]["metadata_location"] != recreated["Parameters"]["metadata_location"]


@pytest.mark.parametrize("commits", [0, 2], ids=["first-version", "after-two-commits"])
def test_a_publish_racing_a_recreate_keeps_the_new_table(
    production: Path, aws: GlueLikeMotoServer, glue: Any, commits: int
) -> None:
    """dbt-athena re-creates fct_orders after the publisher read it, and brings the new table to
    the VersionId the publisher holds; the publisher's write must land on the new table as it is
    (its new column and metadata_location kept), with the publisher's own fields added."""
    for _ in range(commits):
        iceberg_commit(glue, "tiny_marts", "fct_orders")
    read = glue.get_table(DatabaseName="tiny_marts", Name="fct_orders")["Table"]
    recreated: list[dict[str, Any]] = []

    def recreate_after_the_read(call: Call) -> None:
        # the publisher has read every table and starts writing (databases come first)
        if call.action == "UpdateDatabase" and not recreated:
            recreated.append(
                recreate_table_in_backend(
                    "tiny_marts", "fct_orders", version=int(read["VersionId"])
                )
            )

    aws.middleware.before_call = recreate_after_the_read
    aws.clear_calls()

    result = run_publish(production)

    assert result.exit_code == 0, result.output
    assert recreated, "the race did not happen"
    table = glue.get_table(DatabaseName="tiny_marts", Name="fct_orders")["Table"]
    assert "added_by_rebuild" in [c["Name"] for c in table["StorageDescriptor"]["Columns"]]
    new_location = recreated[0]["Parameters"]["metadata_location"]
    assert table["Parameters"]["metadata_location"] == new_location
    assert table["Parameters"]["mesh:unique_id"] == "model.tiny.fct_orders"
    assert table["Description"] == "One row per order. Amounts are in euros."
    assert plan_of(result)["applied"]["concurrent_modification_retries"] == 1
    updates = [c for c in aws.calls() if c.action == "UpdateTable"]
    written = [u for u in updates if u.params["TableInput"]["Name"] == "fct_orders"]
    assert len(written) == 1
    assert written[0].params["TableInput"]["Parameters"]["metadata_location"] == new_location
