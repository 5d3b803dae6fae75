"""Fast unit tests of the publisher's pure parts (no AWS, no dbt run)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import boto3
import pytest
from dbt.adapters.athena.utils import clean_sql_comment, ellipsis_comment

from publish.artifacts import read_artifact
from publish.desired import DesiredColumn, DesiredTable
from publish.errors import BadInputError, MeshError
from publish.mapping import COMMENT_LIMIT, DESCRIPTION_LIMIT, glue_text
from publish.plan import Deferred
from publish.targets.glue import _input_shape, diff_table, project

TEXTS = [
    "",
    "Short.",
    "  Several\n\n   lines\n  with   indentation \n",
    "x" * 255,
    "x" * 256,
    "word " * 600,
    "One row per order.\nAmounts are in euros.",
]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("limit", [COMMENT_LIMIT, DESCRIPTION_LIMIT])
def test_ascii_text_is_exactly_what_dbt_athena_writes(text: str, limit: int) -> None:
    assert glue_text(text, limit).value == ellipsis_comment(clean_sql_comment(text), limit)


@pytest.mark.parametrize(
    "text",
    [
        "é" * 300,  # 2-byte characters
        "数据" * 200,  # 3-byte characters
        "🙂" * 100,  # 4-byte characters
        "a" * 250 + "e\u0301" * 20,  # combining accents across the cut
        "—" + "x" * 253 + "ü",  # dbt-athena's cut fits in chars, not in bytes
    ],
)
@pytest.mark.parametrize("limit", [COMMENT_LIMIT, DESCRIPTION_LIMIT])
def test_non_ascii_text_fits_glue_bytes_and_cuts_cleanly(text: str, limit: int) -> None:
    result = glue_text(text, limit)
    clean = clean_sql_comment(text)
    assert len(result.value.encode("utf-8")) <= limit
    assert result.full == text
    assert result.athena == ellipsis_comment(clean, limit)
    if len(clean.encode()) <= limit:
        assert result.value == clean and not result.truncated
    else:
        assert result.truncated and result.value.endswith("...")
        kept = result.value[:-3]
        assert clean.startswith(kept)
        assert not kept or clean[len(kept)] not in "\u0301"  # no accent cut off its letter
        assert len(result.value.encode()) > limit - 8  # and not cut much shorter than needed


def test_project_strips_read_only_fields_and_keeps_the_rest() -> None:
    glue = boto3.client(
        "glue", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    table = {
        "Name": "t",
        "DatabaseName": "db",
        "CatalogId": "123",
        "VersionId": "7",
        "CreateTime": "2024-01-01",
        "UpdateTime": "2024-01-02",
        "CreatedBy": "arn:aws:iam::123:role/x",
        "IsRegisteredWithLakeFormation": False,
        "IsMultiDialectView": False,
        "FederatedTable": {"Identifier": "x"},
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"metadata_location": "s3://m/1.json", "table_type": "ICEBERG"},
        "StorageDescriptor": {
            "Columns": [{"Name": "c", "Type": "int", "Parameters": {"iceberg.field.id": "1"}}],
            "Location": "s3://w/t",
        },
        "ViewDefinition": {
            "IsProtected": False,
            "Representations": [{"Dialect": "ATHENA", "ViewOriginalText": "x", "IsStale": False}],
        },
    }
    result = project(table, _input_shape(glue, "UpdateTable", "TableInput"))
    # FederatedTable is accepted by TableInput in botocore's current Glue model, so it round-trips
    assert result == {
        "Name": "t",
        "FederatedTable": {"Identifier": "x"},
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"metadata_location": "s3://m/1.json", "table_type": "ICEBERG"},
        "StorageDescriptor": {
            "Columns": [{"Name": "c", "Type": "int", "Parameters": {"iceberg.field.id": "1"}}],
            "Location": "s3://w/t",
        },
        "ViewDefinition": {
            "IsProtected": False,
            "Representations": [{"Dialect": "ATHENA", "ViewOriginalText": "x"}],
        },
    }


def _desired_table(**parameters: str) -> DesiredTable:
    comment = glue_text("The customer's e-mail.", COMMENT_LIMIT)
    return DesiredTable(
        unique_id="model.sales.dim_customers",
        domain="sales",
        database="sales_marts",
        name="dim_customers",
        description=glue_text("One row per customer.", DESCRIPTION_LIMIT),
        columns=(
            DesiredColumn("EMAIL", "email", comment, {"sensitivity": "pii"}),
            DesiredColumn("missing", "missing", comment),
        ),
        parameters={"mesh:unique_id": "model.sales.dim_customers", **parameters},
    )


def test_table_diff_decides_lists_and_builds_the_input_alike() -> None:
    """The plan asks only whether a table changes; the changes are listed when printed and the
    UpdateTable input built when applied, all from the same walk of the table as read."""
    glue = boto3.client(
        "glue", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    shape = _input_shape(glue, "UpdateTable", "TableInput")
    table = {
        "Name": "dim_customers",
        "DatabaseName": "sales_marts",
        "VersionId": "3",
        "CreateTime": "2024-01-01",
        "Description": "One row per customer.",
        "Parameters": {"metadata_location": "s3://m/1.json", "mesh:retired": "x"},
        "StorageDescriptor": {
            "Columns": [
                {"Name": "email", "Type": "string"},
                {"Name": "Email", "Type": "string", "Comment": "kept: not the first of its name"},
            ],
        },
    }
    read = copy.deepcopy(table)
    diff = diff_table(_desired_table(), table, shape)
    assert diff.changed and diff.version_id == "3"
    assert [(c.field, c.before, c.after) for c in diff.changes()] == [
        ("Columns[email].Comment", None, "The customer's e-mail."),
        ("Parameters[mesh:unique_id]", None, "model.sales.dim_customers"),
        ("Parameters[mesh:retired]", "x", None),
        ("Parameters[mesh:lf_tags]", None, diff.fingerprint),
    ]
    assert diff.notes() == ["column missing is documented in dbt but not in the Glue table"]
    assert [(a.column, a.key, a.value) for a in diff.tags] == [("email", "sensitivity", "pii")]
    new = diff.table_input
    assert "DatabaseName" not in new and "VersionId" not in new  # projected onto TableInput
    assert [c.get("Comment") for c in new["StorageDescriptor"]["Columns"]] == [
        "The customer's e-mail.",
        "kept: not the first of its name",
    ]
    assert new["Parameters"] == {
        "metadata_location": "s3://m/1.json",
        "mesh:unique_id": "model.sales.dim_customers",
        "mesh:lf_tags": diff.fingerprint,
    }
    assert table == read  # the table as read is never modified

    # the same table once written: nothing changes, and nothing is listed
    written = {**new, "DatabaseName": "sales_marts", "VersionId": "4"}
    again = diff_table(_desired_table(), written, shape)
    assert not again.changed and not again.tags and list(again.changes()) == []


def test_deferred_lists_once_when_first_read() -> None:
    calls: list[int] = []

    def make() -> list[str]:
        calls.append(1)
        return ["a", "b"]

    listed = Deferred(make)
    assert calls == []
    assert len(listed) == 2 and listed[1] == "b" and list(listed) == ["a", "b"]
    assert listed == ["a", "b"] and calls == [1]


@pytest.mark.parametrize(
    ("kind", "url", "ok"),
    [
        ("manifest", "https://schemas.getdbt.com/dbt/manifest/v12.json", True),
        ("manifest", "https://schemas.getdbt.com/dbt/manifest/v11.json", True),
        ("manifest", "https://schemas.getdbt.com/dbt/manifest/v10.json", True),
        ("manifest", "https://schemas.getdbt.com/dbt/manifest/v9.json", True),
        ("manifest", "https://schemas.getdbt.com/dbt/manifest/v8.json", False),
        ("manifest", "https://schemas.getdbt.com/dbt/manifest/v13.json", False),
        ("manifest", "https://schemas.getdbt.com/dbt/manifest/v20.json", True),
        ("manifest", "https://schemas.getdbt.com/dbt/manifest/v21.json", False),
        ("catalog", "https://schemas.getdbt.com/dbt/catalog/v1.json", True),
        ("run-results", "https://schemas.getdbt.com/dbt/run-results/v3.json", False),
        ("run-results", "https://schemas.getdbt.com/dbt/run-results/v4.json", True),
        ("run-results", "https://schemas.getdbt.com/dbt/run-results/v5.json", True),
        ("run-results", "https://schemas.getdbt.com/dbt/run-results/v6.json", True),
        ("sources", "https://schemas.getdbt.com/dbt/sources/v3.json", True),
    ],
)
def test_schema_version_dispatch(tmp_path: Path, kind: str, url: str, ok: bool) -> None:
    path = tmp_path / "artifact.json"
    path.write_text(json.dumps({"metadata": {"dbt_schema_version": url}}))
    if ok:
        read_artifact(path, kind)  # type: ignore[arg-type]
    else:
        with pytest.raises(BadInputError, match="does not read"):
            read_artifact(path, kind)  # type: ignore[arg-type]


def test_not_an_artifact(tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    path.write_text('{"nodes": {}}')
    with pytest.raises(BadInputError, match=r"no metadata\.dbt_schema_version"):
        read_artifact(path, "manifest")


def test_mesh_error_is_one_paragraph() -> None:
    error = MeshError("the thing is broken", file="a/b.yml", fix="mend it")
    assert error.paragraph() == "a/b.yml: the thing is broken. Fix: mend it."
    assert error.exit_code == 1
    assert BadInputError("x").exit_code == 2


def test_aws_clients_are_configured_in_one_place(monkeypatch: pytest.MonkeyPatch) -> None:
    from publish.aws import AwsClients, AwsSettings

    for key in ("AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_MAX_ATTEMPTS"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL_GLUE", "http://127.0.0.1:1")

    clients = AwsClients(AwsSettings(concurrency=12))

    assert clients.region == "eu-central-1"
    assert clients.config.retries == {"mode": "adaptive", "total_max_attempts": 10}
    assert clients.config.max_pool_connections == 12 * 6 + 2  # per API operation, 6 at once
    assert clients.glue.meta.endpoint_url == "http://127.0.0.1:1"  # boto3's own env handling
    assert clients.lakeformation.meta.endpoint_url.startswith("https://lakeformation.eu-central-1")


def test_no_region_is_bad_input(monkeypatch: pytest.MonkeyPatch) -> None:
    from publish.aws import AwsClients

    for key in ("AWS_DEFAULT_REGION", "AWS_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    with pytest.raises(BadInputError, match="no AWS region"):
        AwsClients()


@pytest.mark.parametrize(
    ("region", "expected"),
    [
        ("us-east1", "'us-east1' is not an AWS region name (did you mean us-east-1?)"),
        ("EU-WEST-1", "'EU-WEST-1' is not an AWS region name (did you mean eu-west-1?)"),
        ("mars", "'mars' is not an AWS region name."),
    ],
)
def test_a_region_that_cannot_be_one_is_bad_input(region: str, expected: str) -> None:
    """A typo in the region surfaced as an unreachable endpoint after the artifacts were read."""
    from publish.aws import AwsClients, AwsSettings

    with pytest.raises(BadInputError) as refused:
        AwsClients(AwsSettings(region=region))
    assert expected in str(refused.value)
    assert "--region" in str(refused.value)


def test_a_well_formed_region_botocore_does_not_know_yet_is_let_through() -> None:
    from publish.aws import AwsClients, AwsSettings

    assert AwsClients(AwsSettings(region="eu-west-9")).region == "eu-west-9"


@pytest.mark.parametrize("given", ["directory", "binary"])
def test_a_yaml_option_naming_a_directory_or_a_binary_file_is_bad_input(
    tmp_path: Path, given: str
) -> None:
    """`--lf-tags catalog` (or `--config catalog`) was an IsADirectoryError traceback."""
    from publish.desired import load_ontology

    path = tmp_path
    if given == "binary":
        path = tmp_path / "lf_tags.yml"
        path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    with pytest.raises(BadInputError) as refused:
        load_ontology(path)
    message = str(refused.value)
    assert message.startswith(f"{path}: ")
    assert ("is a directory" if given == "directory" else "not UTF-8 text") in message
    assert "Fix:" in message
