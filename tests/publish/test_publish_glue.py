"""`mesh publish glue` against moto over HTTP, on artifacts of a real dbt build.

Expected values are computed from the artifacts' JSON and dbt-athena's own text functions, not from
the publisher's code.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from dbt.adapters.athena.utils import clean_sql_comment, ellipsis_comment

from tests.publish.cli_helpers import document, plan_of, run_publish, summary
from tests.publish.harness import (
    GlueLikeMotoServer,
    iceberg_commit_in_backend,
    simulate_build,
)

pytestmark = pytest.mark.integration

PUBLISHED = {
    "tiny_marts.fct_orders": "model.tiny.fct_orders",
    "tiny_marts.dim_customers_v1": "model.tiny.dim_customers.v1",
    "tiny_marts.dim_customers_v2": "model.tiny.dim_customers.v2",
    "tiny_staging.stg_shop__orders": "model.tiny.stg_shop__orders",
    "tiny_staging.stg_shop__customers": "model.tiny.stg_shop__customers",
}


def _manifest(artifacts: Path) -> dict[str, Any]:
    return json.loads((artifacts / "tiny" / "manifest.json").read_text())


def _write_manifest(artifacts: Path, manifest: dict[str, Any]) -> None:
    (artifacts / "tiny" / "manifest.json").write_text(json.dumps(manifest))


def _tables(glue: Any) -> dict[str, dict[str, Any]]:
    tables = {}
    for database in ("tiny_marts", "tiny_staging"):
        for table in glue.get_tables(DatabaseName=database)["TableList"]:
            tables[f"{database}.{table['Name']}"] = table
    return tables


def _writes(server: GlueLikeMotoServer) -> list[tuple[str, str]]:
    return [(c.service, c.action) for c in server.calls() if c.is_write]


def _reads(server: GlueLikeMotoServer) -> Counter[str]:
    return Counter(c.action for c in server.calls() if not c.is_write)


def _column_tags(lakeformation: Any, table: str) -> dict[str, dict[str, list[str]]]:
    database, name = table.split(".")
    columns = [c["Name"] for c in _glue_columns_cache[table]]
    response = lakeformation.get_resource_lf_tags(
        Resource={
            "TableWithColumns": {"DatabaseName": database, "Name": name, "ColumnNames": columns}
        },
        ShowAssignedLFTags=True,
    )
    return {
        c["Name"]: {t["TagKey"]: t["TagValues"] for t in c["LFTags"]}
        for c in response.get("LFTagsOnColumns", [])
    }


_glue_columns_cache: dict[str, list[dict[str, Any]]] = {}


def test_first_publish_sets_everything(
    production: Path, aws: GlueLikeMotoServer, glue: Any, lakeformation: Any
) -> None:
    before = _tables(glue)
    aws.clear_calls()

    result = run_publish(production)
    calls = aws.calls()  # the publisher's calls only (the test reads below)

    assert result.exit_code == 0, result.output
    plan = plan_of(result)
    assert summary(plan, "table") == {"unchanged": 0, "update": 5, "skipped": 0}
    assert summary(plan, "database") == {"unchanged": 0, "update": 2, "skipped": 0}
    # one document for the run: Lake Formation's tags first, then the Glue updates
    assert [t["target"] for t in document(result)["targets"]] == ["lakeformation", "glue"]

    manifest = _manifest(production)
    after = _tables(glue)
    assert set(after) == set(PUBLISHED)
    for key, unique_id in PUBLISHED.items():
        node, table, old = manifest["nodes"][unique_id], after[key], before[key]
        # descriptions: dbt-athena's text (ASCII here)
        assert table["Description"] == ellipsis_comment(
            clean_sql_comment(node["description"]), 2048
        )
        comments = {c["Name"]: c.get("Comment") for c in table["StorageDescriptor"]["Columns"]}
        for name, column in node["columns"].items():
            expected = clean_sql_comment(column["description"])
            if len(expected.encode()) <= 255:
                assert comments[name] == expected
            else:  # truncated cleanly: UTF-8 within Glue's 255 bytes, a prefix, an ellipsis
                assert len(comments[name].encode()) <= 255
                assert comments[name].endswith("...")
                assert expected.startswith(comments[name][:-3])
                assert len(comments[name].encode()) >= 250
        # the publisher's parameters
        params = table["Parameters"]
        meta = node["config"]["meta"]
        assert params["mesh:unique_id"] == unique_id
        assert params["mesh:domain"] == "tiny"
        assert params["mesh:access"] == node["access"]
        assert params["mesh:contract_enforced"] == str(node["contract"]["enforced"]).lower()
        assert params.get("mesh:tier") == meta.get("tier")
        # build facts are not table content: a rebuild without change is no Glue write
        assert not {"mesh:last_build_at", "mesh:last_build_status", "mesh:test_status"} & set(
            params
        )
        assert params.get("mesh:version") == (
            None if node["version"] is None else str(node["version"])
        )
        # everything else exactly as the build left it
        foreign_before = {k: v for k, v in old["Parameters"].items() if not k.startswith("mesh:")}
        foreign_after = {k: v for k, v in params.items() if not k.startswith("mesh:")}
        assert foreign_after == foreign_before
        for field in ("TableType", "ViewOriginalText", "ViewExpandedText"):
            assert table.get(field) == old.get(field)
        old_sd, new_sd = dict(old["StorageDescriptor"]), dict(table["StorageDescriptor"])
        assert [{k: v for k, v in c.items() if k != "Comment"} for c in new_sd.pop("Columns")] == [
            dict(c) for c in old_sd.pop("Columns")
        ]
        assert new_sd == old_sd
        _glue_columns_cache[key] = table["StorageDescriptor"]["Columns"]

    fct = after["tiny_marts.fct_orders"]["Parameters"]
    assert fct["mesh:owner"] == "orders-owner@example.com"
    assert json.loads(fct["mesh:glossary_terms"]) == ["Order", "Revenue"]
    assert (
        fct["metadata_location"]
        == before["tiny_marts.fct_orders"]["Parameters"]["metadata_location"]
    )
    assert fct["table_type"] == "ICEBERG"
    v1 = after["tiny_marts.dim_customers_v1"]["Parameters"]
    assert v1["mesh:owner"] == "tiny-team@example.com"  # the group's owner
    assert v1["mesh:version"] == "1" and v1["mesh:latest_version"] == "2"
    assert v1["mesh:deprecation_date"].startswith("2030-01-01")

    database = glue.get_database(Name="tiny_marts")["Database"]
    assert database["Description"].startswith("The tiny domain: customers and their orders")
    assert database["Parameters"]["created_by"] == "dbt-athena"
    assert database["Parameters"]["mesh:owners"] == "tiny-team@example.com"

    # LF-tags: the ontology exists, and tags are on the right columns and tables only
    ontology = {t["TagKey"]: sorted(t["TagValues"]) for t in lakeformation.list_lf_tags()["LFTags"]}
    assert ontology == {
        "sensitivity": sorted(["public", "internal", "confidential", "pii"]),
        "tier": sorted(["gold", "silver", "bronze"]),
    }
    assert _column_tags(lakeformation, "tiny_marts.fct_orders") == {
        "customer_id": {"sensitivity": ["internal"]},
        "amount": {"sensitivity": ["confidential"]},
    }
    for key in (
        "tiny_marts.dim_customers_v1",
        "tiny_marts.dim_customers_v2",
        "tiny_staging.stg_shop__customers",
    ):
        assert _column_tags(lakeformation, key) == {"email": {"sensitivity": ["pii"]}}
    assert _column_tags(lakeformation, "tiny_staging.stg_shop__orders") == {}
    table_tags = lakeformation.get_resource_lf_tags(
        Resource={"Table": {"DatabaseName": "tiny_marts", "Name": "fct_orders"}}
    )["LFTagsOnTable"]
    assert [(t["TagKey"], t["TagValues"]) for t in table_tags] == [("tier", ["gold"])]

    # the calls: batched reads, one GetTable (the pre-write check) and one UpdateTable per table
    # written, with the VersionId of that check; no creates of tables
    updates = [c for c in calls if c.action == "UpdateTable"]
    assert sorted(
        f"{c.params['DatabaseName']}.{c.params['TableInput']['Name']}" for c in updates
    ) == sorted(PUBLISHED)
    assert all(c.params["VersionId"] and c.params["SkipArchive"] is True for c in updates)
    writes = Counter(c.action for c in calls if c.is_write)
    assert set(writes) <= {"UpdateTable", "UpdateDatabase", "CreateLFTag", "AddLFTagsToResource"}
    assert writes["UpdateDatabase"] == 2 and writes["CreateLFTag"] == 2
    reads = Counter(c.action for c in calls if not c.is_write)
    assert reads == Counter({"GetDatabases": 1, "GetTables": 2, "ListLFTags": 1, "GetTable": 5})


def test_second_publish_makes_no_write(production: Path, aws: GlueLikeMotoServer) -> None:
    assert run_publish(production).exit_code == 0
    aws.clear_calls()

    result = run_publish(production)

    assert result.exit_code == 0, result.output
    assert _writes(aws) == []
    assert _reads(aws) == Counter({"GetDatabases": 1, "GetTables": 2, "ListLFTags": 1})
    plan = plan_of(result)
    assert summary(plan, "table") == {"unchanged": 5, "update": 0, "skipped": 0}
    assert plan["actions"] == [] and plan_of(result, "lakeformation")["actions"] == []


def test_changed_column_description_updates_only_that_table(
    production: Path, aws: GlueLikeMotoServer, glue: Any
) -> None:
    assert run_publish(production).exit_code == 0
    manifest = _manifest(production)
    manifest["nodes"]["model.tiny.fct_orders"]["columns"]["amount"]["description"] = "Net amount."
    _write_manifest(production, manifest)
    aws.clear_calls()

    result = run_publish(production)

    assert result.exit_code == 0, result.output
    assert _writes(aws) == [("glue", "UpdateTable")]
    (call,) = [c for c in aws.calls() if c.action == "UpdateTable"]
    assert call.params["TableInput"]["Name"] == "fct_orders"
    (item,) = plan_of(result)["actions"]
    assert item["name"] == "tiny_marts.fct_orders"
    # the record of what the publisher wrote (drift, `publish.drift`) follows the text
    assert [c["field"] for c in item["changes"]] == [
        "Columns[amount].Comment",
        "Parameters[mesh:written]",
    ]
    columns = glue.get_table(DatabaseName="tiny_marts", Name="fct_orders")["Table"]
    comments = {c["Name"]: c.get("Comment") for c in columns["StorageDescriptor"]["Columns"]}
    assert comments["amount"] == "Net amount."
    assert comments["order_id"] == "Primary key of the order."


def test_foreign_parameters_survive_and_stale_own_keys_go(
    production: Path, aws: GlueLikeMotoServer, glue: Any
) -> None:
    assert run_publish(production).exit_code == 0
    table = glue.get_table(DatabaseName="tiny_marts", Name="fct_orders")["Table"]
    from tests.publish.harness import _table_input

    new = _table_input(table)
    new["Parameters"]["steward:note"] = "checked by a person"
    # a build fact an earlier publisher version kept here: no longer table content
    new["Parameters"]["mesh:last_build_at"] = "2026-11-01T05:00:00Z"
    new["StorageDescriptor"]["Columns"][0]["Parameters"]["steward:pk"] = "yes"
    glue.update_table(DatabaseName="tiny_marts", TableInput=new)
    location = iceberg_commit_in_backend("tiny_marts", "fct_orders")
    aws.clear_calls()

    result = run_publish(production)

    assert result.exit_code == 0, result.output
    (item,) = plan_of(result)["actions"]
    assert item["changes"] == [
        {
            "field": "Parameters[mesh:last_build_at]",
            "before": "2026-11-01T05:00:00Z",
            "after": None,
        }
    ]
    params = glue.get_table(DatabaseName="tiny_marts", Name="fct_orders")["Table"]["Parameters"]
    assert params["steward:note"] == "checked by a person"
    assert "mesh:last_build_at" not in params
    assert params["metadata_location"] == location
    column = glue.get_table(DatabaseName="tiny_marts", Name="fct_orders")["Table"][
        "StorageDescriptor"
    ]["Columns"][0]
    assert column["Parameters"]["steward:pk"] == "yes"
    assert column["Parameters"]["iceberg.field.id"] == "1"


def test_iceberg_commit_between_read_and_write_is_kept(
    production: Path, aws: GlueLikeMotoServer, glue: Any
) -> None:
    """Glue's optimistic lock (added by the harness, as moto lacks it): an Iceberg commit lands
    after the publisher read the table and before its UpdateTable; the publisher must re-read,
    re-diff and retry, keeping the commit."""
    original = glue.get_table(DatabaseName="tiny_marts", Name="fct_orders")["Table"]
    committed: list[str] = []

    def commit_once(params: dict[str, Any]) -> None:
        if params["TableInput"]["Name"] == "fct_orders" and not committed:
            committed.append(iceberg_commit_in_backend("tiny_marts", "fct_orders"))

    aws.middleware.before_update_table = commit_once
    aws.clear_calls()
    result = run_publish(production)
    calls = aws.calls()

    assert result.exit_code == 0, result.output
    assert len(aws.middleware.rejected) == 1  # the stale write was refused ...
    assert plan_of(result)["applied"]["retries"] == 1
    table = glue.get_table(DatabaseName="tiny_marts", Name="fct_orders")["Table"]
    params = table["Parameters"]
    assert params["metadata_location"] == committed[0]  # ... the commit survived ...
    assert params["previous_metadata_location"] == original["Parameters"]["metadata_location"]
    assert params["mesh:unique_id"] == "model.tiny.fct_orders"  # ... and so did the publish
    assert table["Description"] == "One row per order. Amounts are in euros."
    gets = [c for c in calls if c.action == "GetTable" and c.params["Name"] == "fct_orders"]
    assert len(gets) == 2  # the check before the write, and the re-read after the conflict


def test_build_publish_build_publish_makes_no_write_in_the_second_publish(
    production: Path, aws: GlueLikeMotoServer, glue: Any, session: Any
) -> None:
    """dbt-athena's persist_docs (its own code, against moto) and the publisher agree."""
    manifest = _manifest(production)
    simulate_build(glue, session, manifest)
    assert run_publish(production).exit_code == 0
    simulate_build(glue, session, manifest)
    last_commit = glue.get_table(DatabaseName="tiny_marts", Name="fct_orders")["Table"][
        "Parameters"
    ]["metadata_location"]
    aws.clear_calls()

    result = run_publish(production)

    assert result.exit_code == 0, result.output
    assert _writes(aws) == []
    assert summary(plan_of(result), "table")["update"] == 0
    params = glue.get_table(DatabaseName="tiny_marts", Name="fct_orders")["Table"]["Parameters"]
    assert params["metadata_location"] == last_commit
    assert params["tier"] == "gold"  # dbt-athena's own meta parameter, kept
    assert params["mesh:tier"] == "gold"


def test_dry_run_writes_nothing(production: Path, aws: GlueLikeMotoServer) -> None:
    result = run_publish(production, "--dry-run")

    assert result.exit_code == 0, result.output
    assert _writes(aws) == []
    plan = plan_of(result)
    assert document(result)["dry_run"] is True
    assert summary(plan, "table")["update"] == 5
    ontology = plan_of(result, "lakeformation")["counts"]
    assert ontology["lf_tag.create"] == 2
    created = {
        a["name"] for a in plan_of(result, "lakeformation")["actions"] if a["op"] == "create"
    }
    assert created == {"sensitivity", "tier"}
    email = next(i for i in plan["actions"] if i["name"] == "tiny_marts.dim_customers_v2")
    assert any("truncated" in n for n in email["notes"])


def test_missing_table_is_reported_and_strict_fails_without_writing(
    production: Path, aws: GlueLikeMotoServer, glue: Any
) -> None:
    glue.delete_table(DatabaseName="tiny_marts", Name="dim_customers_v1")
    aws.clear_calls()

    strict = run_publish(production, "--strict")

    assert strict.exit_code == 3
    assert "dim_customers_v1" in strict.stderr and "--strict" in strict.stderr
    assert _writes(aws) == []

    relaxed = run_publish(production)

    assert relaxed.exit_code == 0
    missing = [s for s in plan_of(relaxed)["skipped"] if s["code"] == "no_glue_table"]
    assert [s["name"] for s in missing] == ["tiny_marts.dim_customers_v1"]
    assert "not been built" in missing[0]["reason"]
    assert ("glue", "CreateTable") not in _writes(aws)


def test_text_plan_for_people(production: Path, aws: GlueLikeMotoServer) -> None:
    from typer.testing import CliRunner

    from mesh.cli import app
    from tests.publish.cli_helpers import LF_TAGS

    result = CliRunner().invoke(
        app,
        [
            "publish",
            "glue",
            "--artifacts",
            str(production),
            "--lf-tags",
            str(LF_TAGS),
            "--domain",
            "tiny",
            "--dry-run",
        ],
    )

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "+ lf_tag sensitivity: new: public, internal, confidential, pii" in out
    assert "~ table tiny_marts.fct_orders  (model.tiny.fct_orders)" in out
    assert "Parameters[mesh:tier]: (absent) -> gold" in out
    assert "+ LF-tag sensitivity=confidential on column amount" in out
    assert "note: comment of email truncated to Glue's 255 bytes" in out
    assert "mesh publish glue (dry run)" in out
    assert _writes(aws) == []


def test_a_failing_table_is_reported_and_the_rest_applied(
    production: Path, aws: GlueLikeMotoServer, glue: Any
) -> None:
    aws.middleware.deny_update = {"tiny_marts.fct_orders"}

    result = run_publish(production)

    assert result.exit_code == 1
    applied = plan_of(result)["applied"]
    assert [f["name"] for f in applied["failures"]] == ["tiny_marts.fct_orders"]
    assert "AccessDeniedException" in applied["failures"][0]["error"]
    assert len(applied["done"]) == 2 + 4  # both databases and the four other tables
    params = glue.get_table(DatabaseName="tiny_marts", Name="dim_customers_v2")["Table"][
        "Parameters"
    ]
    assert params["mesh:unique_id"] == "model.tiny.dim_customers.v2"

    aws.middleware.deny_update = set()
    again = run_publish(production)  # converges
    assert again.exit_code == 0
    assert [i["name"] for i in plan_of(again)["actions"]] == ["tiny_marts.fct_orders"]


def test_a_failed_lf_tag_assignment_holds_back_only_its_tables_update(
    production: Path, aws: GlueLikeMotoServer, glue: Any
) -> None:
    """The Glue update that records a table's LF-tag fingerprint waits for the assignment: when
    that fails, that one update is skipped (so the next run assigns again), the rest applies."""
    aws.middleware.deny_tags = {"tiny_marts.fct_orders"}

    result = run_publish(production)

    assert result.exit_code == 1
    tags, tables = plan_of(result, "lakeformation")["applied"], plan_of(result)["applied"]
    assert [f["name"] for f in tags["failures"]] == ["tiny_marts.fct_orders"]
    assert tables["failures"] == []
    (skipped,) = tables["skipped"]
    assert skipped["name"] == "tiny_marts.fct_orders"
    assert "lakeformation:lf_tags:tiny:tiny_marts.fct_orders (failed)" in skipped["reason"]
    assert len(tables["done"]) == 2 + 4  # both databases and the four other tables
    params = glue.get_table(DatabaseName="tiny_marts", Name="fct_orders")["Table"]["Parameters"]
    assert "mesh:lf_tags" not in params

    aws.middleware.deny_tags = set()
    aws.clear_calls()
    again = run_publish(production)  # converges: the assignment, then the update
    assert again.exit_code == 0, again.output
    assert [a["name"] for a in plan_of(again, "lakeformation")["actions"]] == [
        "tiny_marts.fct_orders"
    ]
    assert [a["name"] for a in plan_of(again)["actions"]] == ["tiny_marts.fct_orders"]
    # one UpdateTable; the table's tag and its two columns' tag sets, one call each
    assert Counter(_writes(aws)) == {
        ("glue", "UpdateTable"): 1,
        ("lakeformation", "AddLFTagsToResource"): 3,
    }


def _hand_edit_table(glue: Any, description: str, comment: str) -> None:
    """What someone does in the Glue console: a new table description and a column comment."""
    table = glue.get_table(DatabaseName="tiny_marts", Name="fct_orders")["Table"]
    keep = ("Name", "Description", "StorageDescriptor", "PartitionKeys", "TableType", "Parameters")
    table_input = {k: v for k, v in table.items() if k in keep}
    table_input["Description"] = description
    for column in table_input["StorageDescriptor"]["Columns"]:
        if column["Name"] == "amount":
            column["Comment"] = comment
    glue.update_table(DatabaseName="tiny_marts", TableInput=table_input)


def test_hand_edited_descriptions_are_drift_and_the_policy_decides(
    production: Path, aws: GlueLikeMotoServer, glue: Any
) -> None:
    assert run_publish(production).exit_code == 0
    _hand_edit_table(glue, "Orders as finance reads them.", "Gross, in cents.")
    # a dbt change to another column still publishes: only the hand edits stay
    manifest = _manifest(production)
    manifest["nodes"]["model.tiny.fct_orders"]["columns"]["order_id"]["description"] = "The id."
    _write_manifest(production, manifest)
    aws.clear_calls()

    failed = run_publish(production, "--on-drift", "fail")
    assert failed.exit_code == 4, failed.output
    assert _writes(aws) == []
    assert "Glue holds hand edits" in failed.output and "tiny_marts.fct_orders" in failed.output
    assert "column amount comment: has 'Gross, in cents.'" in " ".join(failed.output.split())

    kept = run_publish(production)  # the default: keep
    assert kept.exit_code == 0, kept.output
    table = glue.get_table(DatabaseName="tiny_marts", Name="fct_orders")["Table"]
    comments = {c["Name"]: c.get("Comment") for c in table["StorageDescriptor"]["Columns"]}
    assert table["Description"] == "Orders as finance reads them."
    assert (comments["amount"], comments["order_id"]) == ("Gross, in cents.", "The id.")
    (warning,) = [w for w in plan_of(kept)["warnings"] if "hand edits in Glue kept" in w]
    assert "description: keeps 'Orders as finance reads them.'" in warning
    # shown on every run, and no write for it
    aws.clear_calls()
    again = run_publish(production)
    assert _writes(aws) == [] and any(
        "hand edits in Glue kept" in w for w in plan_of(again)["warnings"]
    )

    overwritten = run_publish(production, "--on-drift", "overwrite")
    assert overwritten.exit_code == 0, overwritten.output
    (item,) = plan_of(overwritten)["actions"]
    assert any(d.startswith("drift: column amount comment: replaces") for d in item["details"])
    table = glue.get_table(DatabaseName="tiny_marts", Name="fct_orders")["Table"]
    comments = {c["Name"]: c.get("Comment") for c in table["StorageDescriptor"]["Columns"]}
    assert table["Description"] != "Orders as finance reads them."
    assert comments["amount"] != "Gross, in cents."
    aws.clear_calls()
    assert run_publish(production).exit_code == 0 and _writes(aws) == []


def test_a_table_never_published_reports_what_its_first_publish_replaces(
    production: Path, aws: GlueLikeMotoServer, glue: Any
) -> None:
    _hand_edit_table(glue, "Typed in by hand before the mesh published.", "Cents.")
    result = run_publish(production, "--dry-run")
    (warning,) = [w for w in plan_of(result)["warnings"] if "hand edits in Glue kept" in w]
    assert warning.startswith("tiny_marts.fct_orders: ")
    assert "description: keeps 'Typed in by hand before the mesh published.'" in warning
    assert "column amount comment: keeps 'Cents.'" in warning
