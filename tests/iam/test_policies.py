"""The shipped IAM documents and workflows, without stand-ins: who may assume each role, what a
pull request cannot do, rendering, and the workflows that assume the roles."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from typer.testing import CliRunner

from mesh.ci.iam import (
    ENGINE_SID_PREFIX,
    OIDC_PROVIDER,
    load_policy,
    load_roles,
    parse_policy,
    render,
    repo_domains,
)
from mesh_standins.demo import ACCOUNT, REGION
from publish.errors import BadInputError
from tests.iam.values import (
    ARTIFACT_BUCKET,
    ARTIFACT_PREFIX,
    DOCS_BUCKET,
    REPOSITORY,
    RESULTS_BUCKET,
    SCRATCH_BUCKET,
    SCRATCH_PREFIX,
    WAREHOUSE_BUCKET,
    values,
)

REPO = Path(__file__).resolve().parents[2]
DOMAINS = repo_domains(REPO)
GLUE = f"arn:aws:glue:{REGION}:{ACCOUNT}"
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))


def policy(role: str, domain_id: str = "dzd_abc") -> Any:
    return parse_policy(load_policy(role, values(domain_id)), role)


# --- trust ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(load_roles()))
def test_trust_policies_admit_only_githubs_oidc_tokens_of_one_subject(role: str) -> None:
    (statement,) = load_policy(role, values(), "trust")["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Principal"] == {
        "Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{OIDC_PROVIDER}"
    }
    condition = statement["Condition"]
    assert set(condition) == {"StringEquals"}  # no StringLike: no wildcard subject
    equals = condition["StringEquals"]
    assert equals[f"{OIDC_PROVIDER}:aud"] == "sts.amazonaws.com"
    assert equals[f"{OIDC_PROVIDER}:sub"] == f"repo:{REPOSITORY}:{load_roles()[role].assumed_by}"


def test_production_roles_trust_only_the_protected_environment_and_pull_requests_their_own() -> (
    None
):
    subjects = {role: spec.assumed_by for role, spec in load_roles().items()}
    assert subjects == {
        "pull-request": "pull_request",
        "ci-build": "environment:production",
        "publisher": "environment:production",
        "docs": "environment:production",
    }


# --- what a pull request cannot do --------------------------------------------------------------


@pytest.mark.parametrize("domain", DOMAINS)
def test_a_pull_request_cannot_change_production_tables(domain: str) -> None:
    pr = policy("pull-request")
    for layer in ("staging", "intermediate", "marts"):
        database = f"{domain}_{layer}"
        table = f"{GLUE}:table/{database}/any_table"
        for action in (
            "glue:UpdateTable",
            "glue:DeleteTable",
            "glue:CreateTable",
            "glue:DeleteTableVersion",
            "glue:BatchCreatePartition",
            "glue:BatchDeletePartition",
        ):
            assert not pr.allows(action, table), (action, table)
        assert not pr.allows("glue:CreateDatabase", f"{GLUE}:database/{database}")
        assert not pr.allows("glue:UpdateDatabase", f"{GLUE}:database/{database}")
        # what it may: read production (for --defer), write its own ci_pr<N>_ databases
        assert pr.allows("glue:GetTable", table)
        ci_table = f"{GLUE}:table/ci_pr7_{database}/any_table"
        assert pr.allows("glue:UpdateTable", ci_table)
        assert pr.allows("glue:DeleteTable", ci_table)
        assert pr.allows("glue:CreateTable", ci_table)


def test_a_pull_request_cannot_write_production_objects() -> None:
    pr = policy("pull-request")
    for bucket, key in (
        (WAREHOUSE_BUCKET, "sales_marts/fct_orders/data/0.parquet"),
        (ARTIFACT_BUCKET, f"{ARTIFACT_PREFIX}/sales/manifest.json"),
        (DOCS_BUCKET, "index.html"),
        (RESULTS_BUCKET, "prod/query.csv"),
        (SCRATCH_BUCKET, "elsewhere/x"),  # the scratch bucket, outside the CI prefix
    ):
        arn = f"arn:aws:s3:::{bucket}/{key}"
        for action in ("s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"):
            assert not pr.allows(action, arn), (action, arn)
    assert pr.allows("s3:GetObject", f"arn:aws:s3:::{ARTIFACT_BUCKET}/{ARTIFACT_PREFIX}/x.json")
    assert pr.allows("s3:GetObject", f"arn:aws:s3:::{WAREHOUSE_BUCKET}/sales_marts/x.parquet")
    scratch = f"arn:aws:s3:::{SCRATCH_BUCKET}/{SCRATCH_PREFIX}/warehouse/t/0.parquet"
    assert pr.allows("s3:PutObject", scratch) and pr.allows("s3:DeleteObject", scratch)


def test_a_pull_request_gets_no_catalog_publishing_and_no_production_queries() -> None:
    pr = policy("pull-request")
    assert not any(a.startswith(("datazone:", "lakeformation:")) for a in pr.granted_actions())
    prod_group = f"arn:aws:athena:{REGION}:{ACCOUNT}:workgroup/primary"
    assert not pr.allows("athena:GetQueryResults", prod_group)
    assert not pr.allows("athena:StartQueryExecution", prod_group)


def test_production_roles_never_write_pull_request_databases_or_scratch() -> None:
    for role in ("ci-build", "publisher", "docs"):
        p = policy(role)
        assert not p.allows("glue:UpdateTable", f"{GLUE}:table/ci_pr7_sales_marts/t"), role
        assert not p.allows("s3:PutObject", f"arn:aws:s3:::{SCRATCH_BUCKET}/{SCRATCH_PREFIX}/x")
    docs = policy("docs")
    assert docs.granted_actions() == {"s3:putobject"}
    assert docs.allows("s3:PutObject", f"arn:aws:s3:::{DOCS_BUCKET}/index.html")


# --- scoping ------------------------------------------------------------------------------------


def test_identity_policies_are_scoped_to_the_domains_databases_and_buckets() -> None:
    for role in load_roles():
        p = policy(role)
        for statement in p.statements:
            for resource in statement.resources:
                if resource == "*":  # only where IAM has no resource-level permissions
                    assert all(
                        a.split(":")[0] in {"lakeformation", "datazone"} for a in statement.actions
                    ), statement
        glue = [r for s in p.statements for r in s.resources if ":database/" in r]
        assert not any(r.endswith(":database/*") for r in glue), role
        if role in ("ci-build", "publisher", "pull-request"):
            for domain in DOMAINS:
                assert any(f":database/{domain}_*" in r for r in glue), (role, domain)
    publisher = policy("publisher")
    assert publisher.allows(
        "datazone:GetDomain", f"arn:aws:datazone:{REGION}:{ACCOUNT}:domain/dzd_abc"
    )
    assert not publisher.allows(
        "datazone:GetDomain", f"arn:aws:datazone:{REGION}:{ACCOUNT}:domain/dzd_other"
    )
    assert not publisher.allows("glue:UpdateTable", f"{GLUE}:table/finance_marts/ledger")
    assert not any(a.startswith("s3:") for a in publisher.granted_actions())
    engine = [s.sid for role in load_roles() for s in policy(role).statements if s.engine_only]
    assert engine and all(sid.startswith(ENGINE_SID_PREFIX) for sid in engine)


# --- rendering ----------------------------------------------------------------------------------


def test_rendering_fills_every_placeholder_and_names_a_missing_one(tmp_path: Path) -> None:
    from mesh.commands.ci_iam import iam_render

    app = typer.Typer()
    app.command()(iam_render)
    args = ["--out", str(tmp_path)]
    for name, value in values("dzd_abc").items():
        args += ["--set", f"{name}={value}"]
    result = CliRunner().invoke(app, args, env={"MESH_ROOT": str(REPO)})
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(
        f"{role}-role.{kind}.json" for role in load_roles() for kind in ("policy", "trust-policy")
    )
    for path in tmp_path.iterdir():
        text = path.read_text()
        assert "${" not in text, path
        json.loads(text)
    incomplete = ["--out", str(tmp_path)]
    for name, value in values().items():
        if name != "DATAZONE_DOMAIN_ID":
            incomplete += ["--set", f"{name}={value}"]
    result = CliRunner().invoke(
        app, incomplete, env={"MESH_ROOT": str(REPO), "MESH_DATAZONE_DOMAIN_ID": ""}
    )
    assert result.exit_code == 2
    assert "DATAZONE_DOMAIN_ID" in result.output
    with pytest.raises(BadInputError, match="RAW_BUCKET"):
        render('{"a": "${RAW_BUCKET}"}', {})


# --- workflows ----------------------------------------------------------------------------------

PINNED = re.compile(r"^[\w.-]+/[\w.-]+(?:/[\w./-]+)?@[0-9a-f]{40}$")


def _workflow(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())  # type: ignore[no-any-return]


def test_workflows_pin_every_action_to_a_full_commit_sha_with_its_tag() -> None:
    uses = []
    for path in WORKFLOWS:
        for line in path.read_text().splitlines():
            found = re.match(r"\s*-?\s*uses:\s*(\S+)(.*)", line)
            if found:
                uses.append((path.name, found.group(1), found.group(2)))
    assert uses
    for name, action, rest in uses:
        assert PINNED.match(action), f"{name}: {action} is not pinned to a commit SHA"
        assert re.search(r"#\s*v\d+\.\d+\.\d+", rest), f"{name}: {action} names no tag"


def test_workflows_assume_each_role_through_github_oidc_for_the_steps_it_covers() -> None:
    runs_under: dict[str, str] = {}
    for workflow in WORKFLOWS:
        document = _workflow(workflow)
        assert document["permissions"]["id-token"] == "write", workflow.name
        triggers = document.get(True) or document.get("on")  # YAML 1.1 reads `on` as True
        assert "pull_request_target" not in triggers, "never run PR code with base secrets"
        for job in document["jobs"].values():
            role = None
            for step in job["steps"]:
                if str(step.get("uses", "")).startswith("aws-actions/configure-aws-credentials"):
                    assert "aws-access-key-id" not in step["with"], "no stored keys"
                    role = step["with"]["role-to-assume"]
                elif "run" in step:
                    runs_under[step["run"]] = role or ""
    variables = {
        "pull-request": "MESH_PULL_REQUEST_ROLE_ARN",
        "ci-build": "MESH_CI_BUILD_ROLE_ARN",
        "publisher": "MESH_PUBLISHER_ROLE_ARN",
        "docs": "MESH_DOCS_ROLE_ARN",
    }
    expected = {
        step: "${{ vars.%s }}" % variables[role]  # noqa: UP031 - the braces are GitHub's
        for role, spec in load_roles().items()
        for step in spec.workflow_steps
    }
    assert {step: runs_under.get(step) for step in expected} == expected
    # nothing runs with AWS credentials it does not need (install, secrets scan run before)
    for step, role in runs_under.items():
        if step not in expected:
            assert role == "", f"{step} runs with {role}"


def test_production_roles_are_assumed_only_in_the_production_environment() -> None:
    production = {
        "${{ vars.MESH_CI_BUILD_ROLE_ARN }}",
        "${{ vars.MESH_PUBLISHER_ROLE_ARN }}",
        "${{ vars.MESH_DOCS_ROLE_ARN }}",
    }
    for workflow in WORKFLOWS:
        document = _workflow(workflow)
        triggers = document.get(True) or document.get("on")
        for job in document["jobs"].values():
            roles = {
                step["with"]["role-to-assume"]
                for step in job["steps"]
                if str(step.get("uses", "")).startswith("aws-actions/configure-aws-credentials")
            }
            if roles & production:
                assert job.get("environment") == "production", workflow.name
                assert triggers == {"push": {"branches": ["main"]}}, workflow.name
            else:
                assert "environment" not in job, workflow.name


def test_workflows_scan_for_secrets_before_any_aws_step() -> None:
    for workflow in WORKFLOWS:
        for job in _workflow(workflow)["jobs"].values():
            steps = [s.get("run") or s.get("uses", "") for s in job["steps"]]
            assert "ci/scan_secrets.sh" in steps, workflow.name
            first_aws = next(
                i for i, s in enumerate(steps) if s.startswith("aws-actions/configure-aws")
            )
            assert steps.index("ci/scan_secrets.sh") < first_aws, workflow.name


def test_rendering_writes_nothing_unless_every_document_renders(tmp_path: Path) -> None:
    """Before: the roles before the one missing a value were written, then the error (a folder of
    half the policies); an --out that is a file was a FileExistsError traceback."""
    from mesh.commands.ci_iam import iam_render

    app = typer.Typer()
    app.command()(iam_render)
    out = tmp_path / "rendered"
    incomplete = ["--out", str(out)]
    for name, value in values().items():
        if name != "DATAZONE_DOMAIN_ID":  # read by a later role only
            incomplete += ["--set", f"{name}={value}"]
    env = {"MESH_ROOT": str(REPO), "MESH_DATAZONE_DOMAIN_ID": ""}
    result = CliRunner().invoke(app, incomplete, env=env)
    assert result.exit_code == 2, result.output
    assert "DATAZONE_DOMAIN_ID" in result.output
    assert not out.exists() or not any(out.iterdir()), "some documents were written"

    out.write_text("a file")
    complete = ["--out", str(out)]
    for name, value in values("dzd_abc").items():
        complete += ["--set", f"{name}={value}"]
    result = CliRunner().invoke(app, complete, env={"MESH_ROOT": str(REPO)})
    assert result.exit_code == 2, result.output
    assert "is a file, not the folder the rendered documents go to" in " ".join(
        result.output.split()
    )
    assert out.read_text() == "a file"
