"""The shipped IAM policies are exactly what CI and the publisher call, proven by recording.

Every botocore API call of the end-to-end runs is recorded in-process (`record_aws_calls`, which
also sees dbt-athena's, dbt-loom's and s3transfer's clients), separately for each role:

* publisher role: `mesh publish glue` and `mesh publish datazone`, first run, no-op re-run and a
  re-run after dim_customers v1's deprecation date (unpublish path), against moto and the
  DataZone emulator. Setup (Glue seeded by the prod mirror, DataZone domain/projects, Glue data
  source runs) is not recorded: in production it is a build's or an administrator's work.
* CI build role: `mesh ci merge` (artifact upload), `mesh ci download`, `mesh ci build-from-store`
  (dbt-loom reading the upstream manifests from S3), `mesh ci publish-site`, and dbt-athena on
  the `prod` target against moto (compile, run of every model: views, Iceberg tables, the
  incremental merge; docs generate), with Glue seeded like production.

Then each recorded call is turned into the IAM (action, resource) pairs AWS authorizes it with,
and checked against the rendered policy; and every action the policy grants must have been
needed by some recorded call, except in statements whose Sid starts `AthenaEngineOnBehalfOfCaller`
(what Athena's engine does with the caller's credentials: DDL/CTAS catalog writes, table data).
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from typer.testing import CliRunner

from mesh.build import MeshInvocation, run_mesh
from mesh.ci.iam import ENGINE_SID_PREFIX, load_policy, parse_policy, render
from mesh.cli import app
from mesh.runner import DomainRun
from mesh_standins.datazone import start_background
from mesh_standins.demo import ACCOUNT, REGION, run_glue_data_sources, stand_in_env
from mesh_standins.iam import Call, Context, actions_of, evaluate, record_aws_calls
from mesh_standins.moto_server import moto_server
from mesh_standins.prodmirror import seed_glue
from publish.errors import BadInputError
from tests.meshcopy import copy_mesh

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

REPO = Path(__file__).resolve().parents[2]
DOMAINS = ("customers", "sales", "marketing")
ARTIFACT_BUCKET = "mesh-artifacts"
ARTIFACT_PREFIX = "dbt-artifacts/prod"
RESULTS_BUCKET = "mesh-athena-results"
WAREHOUSE_BUCKET = "mesh-warehouse-prod"
DOCS_BUCKET = "mesh-docs"
RAW_BUCKET = "mesh-raw"


def values(domain_id: str = "dzd_placeholder") -> dict[str, str]:
    return {
        "AWS_ACCOUNT_ID": ACCOUNT,
        "AWS_REGION": REGION,
        "GITHUB_REPOSITORY": "retail-example/analytics-mesh",
        "ATHENA_WORK_GROUP": "primary",
        "ATHENA_RESULTS_BUCKET": RESULTS_BUCKET,
        "WAREHOUSE_BUCKET": WAREHOUSE_BUCKET,
        "WAREHOUSE_CI_BUCKET": "mesh-warehouse-ci",
        "RAW_BUCKET": RAW_BUCKET,
        "ARTIFACT_BUCKET": ARTIFACT_BUCKET,
        "ARTIFACT_PREFIX": ARTIFACT_PREFIX,
        "DOCS_BUCKET": DOCS_BUCKET,
        "DATAZONE_DOMAIN_ID": domain_id,
    }


CTX = Context(account=ACCOUNT, region=REGION, athena_work_group="primary")


@dataclass
class Recording:
    calls: list[Call]
    domain_id: str = "dzd_placeholder"


def mesh(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def stand_ins() -> Iterator[tuple[str, Any]]:
    with moto_server() as moto_url, start_background(glue_endpoint=moto_url) as emulator:
        yield moto_url, emulator


def _fresh(moto_url: str, emulator: Any, patch: pytest.MonkeyPatch) -> None:
    emulator.admin.reset()
    urllib.request.urlopen(
        urllib.request.Request(f"{moto_url}/moto-api/reset", method="POST"), timeout=10
    )
    for key in [k for k in os.environ if k.startswith(("AWS_", "MESH_"))]:
        patch.delenv(key)
    for key, value in stand_in_env(_Urls(moto_url, emulator.url)).items():
        patch.setenv(key, value)


@dataclass(frozen=True)
class _Urls:
    moto_url: str
    datazone_url: str


# --- publisher role -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def publisher_recording(
    built_mesh: tuple[Path, list[DomainRun]],
    stand_ins: tuple[str, Any],
    tmp_path_factory: pytest.TempPathFactory,
) -> Recording:
    root, runs = built_mesh
    assert all(r.success for r in runs), [r.failures[:3] for r in runs]
    targets = {d: root / "domains" / d / "target" for d in DOMAINS}
    builds = {d: (t / "run_results.json").read_bytes() for d, t in targets.items()}
    if not all((t / "catalog.json").exists() for t in targets.values()):
        docs = run_mesh(root, MeshInvocation(("docs", "generate"), dbt_args=("--quiet",)))
        assert all(r.success for r in docs)
    artifacts = tmp_path_factory.mktemp("iam-artifacts")
    for domain, target in targets.items():
        (target / "run_results.json").write_bytes(builds[domain])  # as the build left it
        (artifacts / domain).mkdir()
        for name in ("manifest.json", "catalog.json", "run_results.json", "sources.json"):
            if (target / name).exists():
                shutil.copy(target / name, artifacts / domain / name)

    moto_url, emulator = stand_ins
    with pytest.MonkeyPatch.context() as patch:
        _fresh(moto_url, emulator, patch)
        # setup, not recorded: the build's tables, the domain, projects and imported assets
        mirror = seed_glue(boto3.client("glue", region_name=REGION), REPO, artifacts)
        from publish.aws import AwsClients, AwsSettings
        from publish.datazone.api import DataZoneApi
        from publish.datazone.config import load_config

        config = load_config(REPO / "catalog" / "datazone.yml")
        api = DataZoneApi.connect(AwsClients(AwsSettings(region=REGION)), config)
        names = {config.governance_project, *config.projects.values()}
        api.bootstrap(names)
        api.resolve_projects(names)
        run_glue_data_sources(
            api.client,
            api.domain_id,
            {d: api.projects[p] for d, p in config.projects.items()},
            {d: [db for db in mirror.databases if db == f"{d}_marts"] for d in config.projects},
        )
        # an administrator created the sensitivity LF-tag with one value (the publisher adds
        # the others: UpdateLFTag)
        boto3.client("lakeformation", region_name=REGION).create_lf_tag(
            TagKey="sensitivity", TagValues=["public"]
        )
        # an Iceberg commit lands between the publisher's read and its UpdateTable of
        # fct_orders: Glue answers ConcurrentModificationException once (re-read: GetTable)
        _conflict_once(patch, "sales_marts", "fct_orders")
        # as the merge workflow runs it: the domain by id, the account from STS
        patch.setenv("MESH_DATAZONE_DOMAIN_ID", api.domain_id)
        patch.delenv("MESH_DATAZONE_ACCOUNT_ID")
        common = ("--artifacts", str(artifacts), "--root", str(REPO))
        with record_aws_calls() as log:
            first = mesh("publish", "glue", *common, "--target", "local", "--output", "json")
            mesh("publish", "datazone", *common, "--today", "2026-11-02")
            again = mesh("publish", "glue", *common, "--target", "local", "--output", "json")
            mesh("publish", "datazone", *common, "--today", "2026-11-02")
            # after dim_customers v1's deprecation date: its listing is unpublished
            mesh("publish", "datazone", *common, "--today", "2027-07-01")
        glue_first = _target(first, "glue")
        assert glue_first["applied"]["retries"] == 1, first[-2000:]
        assert _target(again, "glue")["actions"] == []
        return Recording(log.calls, api.domain_id)


def _target(document: str, name: str) -> dict[str, Any]:
    """One target's part of the JSON document `mesh publish ... -o json` prints."""
    return next(t for t in json.loads(document)["targets"] if t["target"] == name)


def _conflict_once(patch: pytest.MonkeyPatch, database: str, table: str) -> None:
    from moto.core.exceptions import JsonRESTError
    from moto.glue.models import GlueBackend

    original = GlueBackend.update_table
    raised: list[bool] = []

    def update_table(self: Any, database_name: str, table_name: str, *args: Any, **kw: Any) -> Any:
        if (database_name, table_name) == (database, table) and not raised:
            raised.append(True)
            raise JsonRESTError(
                "ConcurrentModificationException",
                "Update table failed due to concurrent modifications.",
            )
        return original(self, database_name, table_name, *args, **kw)

    patch.setattr(GlueBackend, "update_table", update_table)


# --- CI build role ------------------------------------------------------------------------------


def _seed_raw_sources(glue: Any, root: Path) -> None:
    """The raw source tables (`raw_*` databases), as the ingestion leaves them in Glue."""
    seen: set[str] = set()
    for domain in DOMAINS:
        manifest = json.loads((root / "domains" / domain / "target/manifest.json").read_text())
        for source in manifest["sources"].values():
            database = source["schema"]
            if database not in seen:
                glue.create_database(DatabaseInput={"Name": database})
                seen.add(database)
            columns = [{"Name": c, "Type": "string"} for c in source["columns"]] or [
                {"Name": "id", "Type": "string"}
            ]
            glue.create_table(
                DatabaseName=database,
                TableInput={
                    "Name": source["identifier"],
                    "TableType": "EXTERNAL_TABLE",
                    "StorageDescriptor": {
                        "Columns": columns,
                        "Location": f"s3://{RAW_BUCKET}/{database}/{source['identifier']}/",
                    },
                },
            )


@pytest.fixture(scope="module")
def ci_recording(stand_ins: tuple[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Recording:
    moto_url, emulator = stand_ins
    root = copy_mesh(tmp_path_factory.mktemp("iam-ci") / "repo")
    site = tmp_path_factory.mktemp("iam-site")
    (site / "index.html").write_text("<html><body>mesh docs</body></html>")
    (site / "assets").mkdir()
    (site / "assets" / "search.json").write_text("[]")
    with pytest.MonkeyPatch.context() as patch:
        _fresh(moto_url, emulator, patch)
        patch.setenv("MESH_ROOT", str(root))
        patch.setenv("MESH_ARTIFACT_STORE", f"s3://{ARTIFACT_BUCKET}/{ARTIFACT_PREFIX}")
        s3 = boto3.client("s3", region_name=REGION)
        for bucket in (ARTIFACT_BUCKET, RESULTS_BUCKET, WAREHOUSE_BUCKET, DOCS_BUCKET):
            s3.create_bucket(Bucket=bucket)
        calls: list[Call] = []
        with record_aws_calls() as log:
            mesh("ci", "merge")  # the local build, docs, upload: only the upload calls AWS
            mesh("ci", "download", "--state", str(tmp_path_factory.mktemp("state")))
            for domain in ("customers", "sales"):  # only S3 can supply the upstream manifests
                manifest = root / "domains" / domain / "target" / "manifest.json"
                manifest.rename(manifest.with_suffix(".bak"))
            try:
                out = mesh("ci", "build-from-store", "--select", "marketing")
            finally:
                for domain in ("customers", "sales"):
                    backup = root / "domains" / domain / "target" / "manifest.bak"
                    backup.rename(backup.with_suffix(".json"))
            assert "marketing: OK" in out
            loom_reads = {
                c.params.get("Key")
                for c in log.calls
                if (c.service, c.operation) == ("s3", "GetObject")
            }
            for upstream in ("customers", "sales"):  # dbt-loom's own boto3 client, recorded
                assert f"{ARTIFACT_PREFIX}/{upstream}/manifest.json" in loom_reads
            mesh("ci", "publish-site", "--site", str(site), "--bucket", DOCS_BUCKET)
        calls += log.calls

        # dbt-athena on prod: Glue as a production build and the ingestion leave it
        glue = boto3.client("glue", region_name=REGION)
        seed_glue(glue, root)
        _seed_raw_sources(glue, root)
        with record_aws_calls() as log:
            for command in (("compile",), ("run",), ("docs", "generate")):
                runs = run_mesh(root, MeshInvocation(command, target="prod", dbt_args=("--quiet",)))
                assert all(r.success for r in runs), (command, [r.failures[:3] for r in runs])
        calls += log.calls
    return Recording(calls)


# --- the checks ---------------------------------------------------------------------------------


def _policy(role: str, recording: Recording) -> Any:
    return parse_policy(load_policy(role, values(recording.domain_id)), role)


def _report(role: str, recording: Recording) -> str:
    return f"{role}: " + ", ".join(sorted(actions_of(recording.calls, CTX)))


@pytest.mark.parametrize("role", ["publisher", "ci-build"])
def test_every_recorded_call_is_allowed_by_the_roles_policy(
    role: str, request: pytest.FixtureRequest
) -> None:
    recording = request.getfixturevalue(
        "publisher_recording" if role == "publisher" else "ci_recording"
    )
    print(_report(role, recording))
    result = evaluate(_policy(role, recording), recording.calls, CTX)
    denied = sorted({f"{p.action} on {p.resource} (by {p.call})" for p in result.denied})
    assert denied == [], "\n".join(denied)


@pytest.mark.parametrize("role", ["publisher", "ci-build"])
def test_the_roles_policy_grants_no_action_nothing_calls(
    role: str, request: pytest.FixtureRequest
) -> None:
    recording = request.getfixturevalue(
        "publisher_recording" if role == "publisher" else "ci_recording"
    )
    policy = _policy(role, recording)
    result = evaluate(policy, recording.calls, CTX)
    assert result.unused(policy) == [], _report(role, recording)


# --- documents, renderer, workflows (no stand-ins) ----------------------------------------------


@pytest.mark.parametrize(
    ("role", "subjects"),
    [
        ("publisher", ["repo:retail-example/analytics-mesh:ref:refs/heads/main"]),
        (
            "ci-build",
            [
                "repo:retail-example/analytics-mesh:pull_request",
                "repo:retail-example/analytics-mesh:ref:refs/heads/main",
            ],
        ),
    ],
)
def test_trust_policies_admit_only_githubs_oidc_tokens_of_the_repository(
    role: str, subjects: list[str]
) -> None:
    (statement,) = load_policy(role, values(), "trust")["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Principal"] == {
        "Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
    }
    condition = statement["Condition"]
    assert set(condition) == {"StringEquals"}  # no StringLike: no wildcard subject
    equals = condition["StringEquals"]
    assert equals["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
    sub = equals["token.actions.githubusercontent.com:sub"]
    assert sorted([sub] if isinstance(sub, str) else sub) == sorted(subjects)


def test_identity_policies_are_scoped_to_the_domains_databases_and_buckets() -> None:
    for role in ("publisher", "ci-build"):
        policy = parse_policy(load_policy(role, values("dzd_abc")), role)
        for statement in policy.statements:
            for resource in statement.resources:
                if resource == "*":  # only where IAM has no resource-level permissions
                    assert all(
                        a.split(":")[0] in {"lakeformation", "datazone"} for a in statement.actions
                    ), statement
        # one Glue database pattern per dbt domain, nothing catalog-wide
        glue = [r for s in policy.statements for r in s.resources if ":database/" in r]
        assert glue and not any(r.endswith(":database/*") for r in glue)
        for domain in DOMAINS:
            assert any(f":database/{domain}_*" in r for r in glue), (role, domain)
    publisher = parse_policy(load_policy("publisher", values("dzd_abc")), "publisher")
    assert publisher.allows(
        "datazone:GetDomain", f"arn:aws:datazone:{REGION}:{ACCOUNT}:domain/dzd_abc"
    )
    assert not publisher.allows(
        "datazone:GetDomain", f"arn:aws:datazone:{REGION}:{ACCOUNT}:domain/dzd_other"
    )
    assert not publisher.allows(
        "glue:UpdateTable", f"arn:aws:glue:{REGION}:{ACCOUNT}:table/finance_marts/ledger"
    )
    assert not any(s.actions and "s3" in a for s in publisher.statements for a in s.actions)
    engine = [
        s.sid
        for role in ("publisher", "ci-build")
        for s in parse_policy(load_policy(role, values()), role).statements
        if s.engine_only
    ]
    assert engine and all(sid.startswith(ENGINE_SID_PREFIX) for sid in engine)
    assert not any("publisher" in sid for sid in engine)


def test_rendering_fills_every_placeholder_and_names_a_missing_one(tmp_path: Path) -> None:
    from mesh.commands.ci_iam import iam_render

    runner = typer_app(iam_render)
    args = ["--out", str(tmp_path)]
    for name, value in values("dzd_abc").items():
        args += ["--set", f"{name}={value}"]
    result = CliRunner().invoke(runner, args, env={"MESH_ROOT": str(REPO)})
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == [
        "ci-build-role.policy.json",
        "ci-build-role.trust-policy.json",
        "publisher-role.policy.json",
        "publisher-role.trust-policy.json",
    ]
    for path in tmp_path.iterdir():
        text = path.read_text()
        assert "${" not in text, path
        json.loads(text)
    incomplete = ["--out", str(tmp_path)]
    for name, value in values().items():
        if name != "DATAZONE_DOMAIN_ID":
            incomplete += ["--set", f"{name}={value}"]
    result = CliRunner().invoke(
        runner, incomplete, env={"MESH_ROOT": str(REPO), "MESH_DATAZONE_DOMAIN_ID": ""}
    )
    assert result.exit_code == 2
    assert "DATAZONE_DOMAIN_ID" in result.output
    with pytest.raises(BadInputError, match="RAW_BUCKET"):
        render('{"a": "${RAW_BUCKET}"}', {})


def typer_app(command: Any) -> Any:
    import typer

    app_ = typer.Typer()
    app_.command()(command)
    return app_


def test_calls_map_to_the_iam_actions_and_resources_aws_authorizes() -> None:
    from mesh_standins.iam import required_permissions

    def perms(call: Call) -> set[tuple[str, str]]:
        return {(p.action, p.resource) for p in required_permissions(call, CTX)}

    head = Call("s3", "HeadObject", {"Bucket": "b", "Key": "p/sources.json"})
    assert perms(head) == {("s3:GetObject", "arn:aws:s3:::b/p/sources.json")}
    missing = Call("s3", "HeadObject", {"Bucket": "b", "Key": "k"}, error="404")
    assert ("s3:ListBucket", "arn:aws:s3:::b") in perms(missing)
    assert perms(Call("s3", "ListObjectsV2", {"Bucket": "b", "Prefix": "x/"})) == {
        ("s3:ListBucket", "arn:aws:s3:::b")
    }
    for op in ("PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload"):
        assert perms(Call("s3", op, {"Bucket": "b", "Key": "k"})) == {
            ("s3:PutObject", "arn:aws:s3:::b/k")
        }
    glue = f"arn:aws:glue:{REGION}:{ACCOUNT}"
    assert perms(Call("glue", "GetTables", {"DatabaseName": "Sales_Marts"})) == {
        ("glue:GetTables", f"{glue}:catalog"),
        ("glue:GetTables", f"{glue}:database/sales_marts"),
    }
    update = Call("glue", "UpdateTable", {"DatabaseName": "d", "TableInput": {"Name": "t"}})
    assert ("glue:UpdateTable", f"{glue}:table/d/t") in perms(update)
    dz = Call("datazone", "SearchListings", {"domainIdentifier": "dzd_1"})
    assert perms(dz) == {
        ("datazone:SearchListings", f"arn:aws:datazone:{REGION}:{ACCOUNT}:domain/dzd_1")
    }
    assert perms(Call("athena", "GetQueryResults", {"QueryExecutionId": "q"})) == {
        ("athena:GetQueryResults", f"arn:aws:athena:{REGION}:{ACCOUNT}:workgroup/primary")
    }


def test_workflows_assume_each_role_through_github_oidc_for_the_steps_it_covers() -> None:
    runs_under: dict[str, str] = {}
    for workflow in sorted((REPO / ".github" / "workflows").glob("*.yml")):
        document = yaml.safe_load(workflow.read_text())
        assert document["permissions"]["id-token"] == "write", workflow.name
        for job in document["jobs"].values():
            role = None
            for step in job["steps"]:
                if str(step.get("uses", "")).startswith("aws-actions/configure-aws-credentials"):
                    assert "aws-access-key-id" not in step["with"], "no stored keys"
                    role = step["with"]["role-to-assume"]
                elif "run" in step:
                    runs_under[step["run"]] = role or ""
    build, publisher = "${{ vars.MESH_CI_BUILD_ROLE_ARN }}", "${{ vars.MESH_PUBLISHER_ROLE_ARN }}"
    expected = {
        "ci/pull_request.sh": build,
        "ci/merge.sh build": build,
        "ci/merge.sh docs": build,
        "ci/merge.sh publish": publisher,
    }
    assert {cmd: runs_under.get(cmd) for cmd in expected} == expected
