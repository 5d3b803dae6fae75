"""`mesh publish` through the command line against the stand-ins: AWS failures are one paragraph
with their cause, dry runs write nothing, DataZone's inputs are checked before Glue is written,
and the bare `mesh publish` takes the options README gives it (issue 13, rows 11, 12, 17, 19)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import Result
from typer.testing import CliRunner

from mesh.cli import app
from tests.datazone.conftest import REGION, TODAY, Stage, edit_manifest

pytestmark = pytest.mark.integration


def publish(stage: Stage, *args: str) -> Result:
    return CliRunner().invoke(
        app,
        [
            "publish",
            *args,
            "--root",
            str(stage.root),
            "--artifacts",
            str(stage.artifacts),
            "--today",
            TODAY.isoformat(),
        ],
    )


def text(result: Result) -> str:
    return " ".join(result.output.split())


@pytest.fixture
def faults(stage: Stage) -> Iterator[Stage]:
    yield stage
    stage.admin.clear_faults()


@pytest.mark.parametrize("bootstrap", [False, True])
def test_no_credentials_is_one_paragraph_naming_the_cause(
    stage: Stage, monkeypatch: pytest.MonkeyPatch, bootstrap: bool
) -> None:
    """Row 11: a NoCredentialsError traceback; with --bootstrap, "set account_id" (the account
    lookup failed for want of credentials, not of an account id)."""
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance role to find here
    if bootstrap:
        monkeypatch.delenv("MESH_DATAZONE_ACCOUNT_ID")  # the account then comes from STS
    result = publish(stage, "datazone", "--dry-run", *(["--bootstrap"] if bootstrap else []))
    assert result.exit_code == 2, text(result)
    assert "no AWS credentials were found" in text(result)
    assert "mesh-standins up" in text(result)
    assert "account_id" not in text(result)
    assert stage.admin.writes() == {}


def test_an_unreachable_datazone_endpoint_is_one_paragraph(
    stage: Stage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Row 12: a 105-line traceback."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_DATAZONE", "http://127.0.0.1:9")  # nothing listens
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    result = publish(stage, "datazone", "--dry-run")
    assert result.exit_code == 1, text(result)
    assert text(result).startswith("error: ")
    assert "http://127.0.0.1:9" in text(result)
    assert "AWS_ENDPOINT_URL" in text(result)


@pytest.mark.parametrize(
    ("error", "words"),
    [
        ("ThrottlingException", "still throttled after every retry"),
        ("AccessDeniedException", "access denied"),
    ],
)
def test_datazone_errors_past_the_retries_are_one_paragraph(
    faults: Stage, monkeypatch: pytest.MonkeyPatch, error: str, words: str
) -> None:
    """Row 12: reads throttled past botocore's retries, or denied: 381-line tracebacks."""
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    faults.admin.inject("*", error, rate=1.0)
    result = publish(faults, "datazone", "--dry-run")
    assert result.exit_code == 1, text(result)
    assert text(result).startswith("error: ")
    assert words in text(result)
    assert "Fix:" in text(result)


def _long_description(manifest: dict[str, Any]) -> None:
    node = manifest["nodes"]["model.sales.dim_products"]
    node["description"] = "A very long product description. " * 105  # 3,464 characters stripped


def test_a_description_datazone_refuses_stops_publish_all_before_glue_is_written(
    stage: Stage,
) -> None:
    """Row 17: Glue was written, then DataZone stopped with a fix about glossary terms."""
    edit_manifest(stage.artifacts, "sales", _long_description)
    glue = boto3.client("glue", region_name=REGION)
    before = glue.get_table(DatabaseName="sales_marts", Name="dim_products")["Table"]
    result = publish(stage, "all")
    assert result.exit_code == 2, text(result)
    problem, _, fix = text(result).partition(" Fix: ")
    assert "model.sales.dim_products has 3464 characters; DataZone allows 2048" in problem
    assert "description" in fix
    assert "glossary" not in fix
    after = glue.get_table(DatabaseName="sales_marts", Name="dim_products")["Table"]
    assert after["VersionId"] == before["VersionId"], "Glue was written"
    assert stage.admin.writes() == {}


def test_a_dry_run_with_bootstrap_writes_nothing(stage: Stage) -> None:
    """Row 19: `--dry-run --bootstrap` created the domain and the projects."""
    stage.admin.reset()  # a DataZone without the mesh's domain and projects
    result = publish(stage, "datazone", "--dry-run", "--bootstrap")
    assert result.exit_code == 0, text(result)
    assert stage.admin.writes() == {}
    assert "would create the DataZone domain 'analytics-mesh'" in text(result)
    for project in ("customers", "sales", "marketing", "data-governance"):
        assert project in text(result)


def test_bare_mesh_publish_takes_the_options_of_publish_all(stage: Stage) -> None:
    """README's `mesh publish --dry-run`: "No such option"."""
    result = publish(stage, "--dry-run", "-o", "json")
    assert result.exit_code == 0, text(result)
    assert stage.admin.writes() == {}
    assert '"dry_run": true' in result.stdout
    result = CliRunner().invoke(app, ["publish", "--dry-run", "glue"])
    assert result.exit_code == 2, text(result)
    assert "after the sub-command" in text(result)


def test_target_and_strict_exist_on_every_publish_command(tmp_path: Path) -> None:
    for command in ("glue", "datazone", "all"):
        result = CliRunner().invoke(app, ["publish", command, "--help"])
        assert result.exit_code == 0
        assert "--target" in result.output
    for command in ("glue", "all"):
        result = CliRunner().invoke(app, ["publish", command, "--help"])
        assert "--strict" in result.output
