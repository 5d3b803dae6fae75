"""Every role's policy is what its code calls, proven by recording the calls of real runs.

Every botocore API call of the end-to-end runs is recorded in-process (`record_aws_calls`, which
also sees dbt-athena's, dbt-loom's and s3transfer's clients), separately for each role of
iam/roles.yml, against moto and the DataZone emulator:

* publisher: `mesh publish glue` and `mesh publish datazone` as the merge workflow runs them (the
  domain by id, the account from STS): a first publish where a Glue data source imported the
  sales and customers marts (adopted: CreateAssetRevision) and not marketing's (CreateAsset),
  with one ConcurrentModificationException and an LF-tag with fewer values; a no-op re-run; a
  publish after editing the glossary (UpdateGlossary, UpdateGlossaryTerm) and a data product
  (CreateDataProductRevision); one after dim_customers v1's deprecation date (unpublish).
* ci-build: `mesh ci merge` (the artifact upload) and dbt-athena on `prod` with Glue seeded like
  production: compile, run of every model (views, Iceberg tables and their swap, the
  incremental merge), docs generate.
* pull-request: `mesh ci download` (a missing sources.json: the 404) and the slim build of a
  changed staging model on `ci_athena` (dbt-athena in `ci_pr7_*` databases, deferring to the
  production relations and reading them), models only (moto's Athena returns no rows, which a
  data test cannot read).
* docs: `mesh docs portal` and `mesh ci publish-site`.

Each recorded call is turned into the IAM (action, resource) pairs AWS authorizes it with and
checked against the rendered policy. The scan of the code (`mesh ci iam-check`) says which actions
each role's code needs: every one of them (less `not_granted`) and every action iam/roles.yml puts
on a library must have been recorded, so the scenarios reach every call site; and every action the
policy grants must have been needed by a recorded call (Sids starting `AthenaEngineOnBehalfOfCaller`
excepted: Athena's engine, invisible here).
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from typer.testing import CliRunner

from mesh.build import MeshInvocation, run_mesh
from mesh.ci.aws_calls import Scan, scan_packages
from mesh.ci.iam import (
    ENGINE_SID_PREFIX,
    load_policy,
    load_roles,
    match,
    parse_policy,
    render,
    template_path,
)
from mesh.ci.iam_check import PACKAGES, needed_actions
from mesh.ci.slim import slim_build
from mesh.cli import app
from mesh.runner import DomainRun
from mesh_standins.datazone import start_background
from mesh_standins.demo import ACCOUNT, REGION, run_glue_data_sources, stand_in_env
from mesh_standins.iam import (
    Call,
    Context,
    actions_of,
    evaluate,
    record_aws_calls,
    required_permissions,
)
from mesh_standins.moto_server import moto_server
from mesh_standins.prodmirror import seed_glue
from tests.iam.values import (
    ARTIFACT_BUCKET,
    ARTIFACT_PREFIX,
    DOCS_BUCKET,
    RAW_BUCKET,
    RESULTS_BUCKET,
    SCRATCH_BUCKET,
    SCRATCH_PREFIX,
    WAREHOUSE_BUCKET,
    values,
)
from tests.meshcopy import copy_mesh, domain_names

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

REPO = Path(__file__).resolve().parents[2]
DOMAINS = tuple(domain_names())  # as domains/ holds them
CTX = Context(account=ACCOUNT, region=REGION, athena_work_group=values()["ATHENA_WORK_GROUP"])
#: a query's later calls (GetQueryExecution, GetQueryResults) name no work group: the role's own
PR_CTX = Context(ACCOUNT, REGION, athena_work_group=values()["ATHENA_CI_WORK_GROUP"])
PR_SCHEMA = "ci_pr7"


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


def _edited_root(dest: Path) -> Path:
    """The repository's catalog/ and domains/ YAML, with a glossary and a data product edited."""
    shutil.copytree(REPO / "catalog", dest / "catalog")
    for domain in DOMAINS:
        shutil.copytree(
            REPO / "domains" / domain,
            dest / "domains" / domain,
            ignore=shutil.ignore_patterns("target", "dbt_packages", "logs"),
        )
    glossary_path = dest / "catalog" / "glossary.yml"
    glossary = yaml.safe_load(glossary_path.read_text())
    glossary["glossary"]["description"] += " Reviewed by the governance board."
    glossary["terms"][0]["short_description"] += " (reviewed)"
    glossary_path.write_text(yaml.safe_dump(glossary, sort_keys=False))
    products_path = dest / "domains" / "sales" / "data_products.yml"
    products = yaml.safe_load(products_path.read_text())
    products["data_products"][0]["description"] += " Refreshed daily."
    products_path.write_text(yaml.safe_dump(products, sort_keys=False))
    return dest


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
    edited = _edited_root(tmp_path_factory.mktemp("iam-edited"))

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
        # a Glue data source imported the marts of customers and sales (their assets are
        # adopted), not marketing's (its assets are created)
        imported = [d for d in config.projects if d != "marketing"]
        run_glue_data_sources(
            api.client,
            api.domain_id,
            {d: api.projects[config.projects[d]] for d in imported},
            {d: [db for db in mirror.databases if db == f"{d}_marts"] for d in imported},
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
        common = ("--artifacts", str(artifacts))
        with record_aws_calls() as log:
            first = mesh(
                "publish", "glue", *common, "--root", str(REPO), "--target", "local", "-o", "json"
            )
            mesh("publish", "datazone", *common, "--root", str(REPO), "--today", "2026-11-02")
            assert {("datazone", "CreateAsset"), ("datazone", "CreateAssetRevision")} <= (
                log.operations()
            )
            again = mesh(
                "publish", "glue", *common, "--root", str(REPO), "--target", "local", "-o", "json"
            )
            mesh("publish", "datazone", *common, "--root", str(REPO), "--today", "2026-11-02")
            # the glossary and a data product edited in git
            mesh("publish", "datazone", *common, "--root", str(edited), "--today", "2026-11-02")
            # after dim_customers v1's deprecation date: its listing is unpublished
            mesh("publish", "datazone", *common, "--root", str(edited), "--today", "2027-07-01")
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


# --- production build and pull-request roles ----------------------------------------------------


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


def _earlier_pushes(glue: Any, tables: Iterable[str], pushes: int = 5) -> None:
    """Table versions as earlier pushes of the pull request leave them (each replacement is a
    new Glue version), beyond the 4 dbt-athena keeps: the next build prunes them. Tables only:
    the prod mirror's views carry no storage location, which dbt-athena's pruning reads."""
    read_only = {
        "DatabaseName",
        "CreateTime",
        "UpdateTime",
        "CreatedBy",
        "IsRegisteredWithLakeFormation",
        "CatalogId",
        "VersionId",
        "FederatedTable",
        "IsMultiDialectView",
    }
    for qualified in tables:
        database, name = qualified.split(".", 1)
        if glue.get_table(DatabaseName=database, Name=name)["Table"]["TableType"] == "VIRTUAL_VIEW":
            continue
        for push in range(pushes):
            table = glue.get_table(DatabaseName=database, Name=name)["Table"]
            table_input = {k: v for k, v in table.items() if k not in read_only}
            table_input["Parameters"] = {**table.get("Parameters", {}), "push": str(push)}
            glue.update_table(DatabaseName=database, TableInput=table_input)


@dataclass
class CiRecordings:
    build: Recording
    pull_request: Recording


@pytest.fixture(scope="module")
def ci_recordings(
    stand_ins: tuple[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> CiRecordings:
    moto_url, emulator = stand_ins
    root = copy_mesh(tmp_path_factory.mktemp("iam-ci") / "repo")
    with pytest.MonkeyPatch.context() as patch:
        _fresh(moto_url, emulator, patch)
        patch.setenv("MESH_ROOT", str(root))
        patch.setenv("MESH_ARTIFACT_STORE", f"s3://{ARTIFACT_BUCKET}/{ARTIFACT_PREFIX}")
        s3 = boto3.client("s3", region_name=REGION)
        for bucket in (ARTIFACT_BUCKET, RESULTS_BUCKET, WAREHOUSE_BUCKET, SCRATCH_BUCKET):
            s3.create_bucket(Bucket=bucket)

        # the merge workflow's build step
        build: list[Call] = []
        with record_aws_calls() as log:
            mesh("ci", "merge")  # the local build, docs, upload: only the upload calls AWS
        build += log.calls
        glue = boto3.client("glue", region_name=REGION)
        seed_glue(glue, root)  # Glue as production builds and the ingestion leave it
        _seed_raw_sources(glue, root)
        with record_aws_calls() as log:
            for command in (("compile",), ("run",), ("docs", "generate")):
                runs = run_mesh(root, MeshInvocation(command, target="prod", dbt_args=("--quiet",)))
                assert all(r.success for r in runs), (command, [r.failures[:3] for r in runs])
        build += log.calls
        # the production (prod-target) artifacts, for the pull request: a target other than
        # local keeps its artifacts in .mesh-state/<target>/
        mesh("ci", "upload", "--target", "prod")

        # a pull request changes a staging model of sales; its CI runs on ci_athena
        staging = root / "domains" / "sales" / "models" / "staging" / "pos"
        model = next(iter(sorted(staging.glob("stg_*orders.sql"))))
        model.write_text(model.read_text() + "\n-- a pull request's change\n")
        patch.setenv("MESH_CI_SCHEMA", PR_SCHEMA)
        patch.setenv("MESH_ATHENA_WORK_GROUP", values()["ATHENA_CI_WORK_GROUP"])
        scratch = f"s3://{SCRATCH_BUCKET}/{SCRATCH_PREFIX}"
        patch.setenv("MESH_ATHENA_S3_STAGING_DIR", f"{scratch}/athena-results/")
        patch.setenv("MESH_ATHENA_S3_DATA_DIR", f"{scratch}/warehouse/")
        boto3.client("athena", region_name=REGION).create_work_group(
            Name=values()["ATHENA_CI_WORK_GROUP"]
        )
        # the PR's databases as Athena's engine leaves them after an earlier push (moto's
        # Athena runs no DDL); not recorded
        parsed = run_mesh(root, MeshInvocation(("parse",), target="ci_athena"))
        assert all(r.success for r in parsed)
        seeded = seed_glue(
            glue,
            root,
            root / ".mesh-state" / "ci_athena",  # what the ci_athena parse wrote
            bucket=f"{SCRATCH_BUCKET}/{SCRATCH_PREFIX}/warehouse",
        )
        _earlier_pushes(glue, seeded.tables)
        state = tmp_path_factory.mktemp("state")
        with record_aws_calls() as log:
            mesh("ci", "download", "--state", str(state))
            result = slim_build(
                root,
                state,
                target="ci_athena",
                dbt_args=(
                    "--quiet",
                    "--exclude-resource-type",
                    "test",
                    "--exclude-resource-type",
                    "unit_test",
                ),
            )
        assert result.success, [r.failures[:3] for r in result.runs]
        assert result.nodes_built > 0 and "sales" in result.selections
        pull_request = log.calls
    return CiRecordings(Recording(build), Recording(pull_request))


@pytest.fixture(scope="module")
def docs_recording(
    docs_portal_mesh: Path, stand_ins: tuple[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Recording:
    moto_url, emulator = stand_ins
    site = tmp_path_factory.mktemp("iam-site") / "site"
    with pytest.MonkeyPatch.context() as patch:
        _fresh(moto_url, emulator, patch)
        patch.setenv("MESH_ROOT", str(docs_portal_mesh))
        boto3.client("s3", region_name=REGION).create_bucket(Bucket=DOCS_BUCKET)
        with record_aws_calls() as log:
            mesh("docs", "portal", "--out", str(site))
            mesh("ci", "publish-site", "--site", str(site), "--bucket", DOCS_BUCKET)
    return Recording(log.calls)


@pytest.fixture(scope="module")
def docs_portal_mesh(built_mesh: tuple[Path, list[DomainRun]]) -> Path:
    root, runs = built_mesh
    assert all(r.success for r in runs)
    targets = [root / "domains" / d / "target" for d in DOMAINS]
    if not all((t / "catalog.json").is_file() and (t / "index.html").is_file() for t in targets):
        docs = run_mesh(
            root, MeshInvocation(("docs", "generate"), dbt_args=("--quiet", "--no-write-json"))
        )
        assert all(r.success for r in docs)
    return root


# --- the checks ---------------------------------------------------------------------------------

ROLES = ("publisher", "ci-build", "pull-request", "docs")


def _recording(role: str, request: pytest.FixtureRequest) -> Recording:
    if role == "publisher":
        return request.getfixturevalue("publisher_recording")  # type: ignore[no-any-return]
    if role == "docs":
        return request.getfixturevalue("docs_recording")  # type: ignore[no-any-return]
    ci: CiRecordings = request.getfixturevalue("ci_recordings")
    return ci.build if role == "ci-build" else ci.pull_request


def _ctx(role: str) -> Context:
    return PR_CTX if role == "pull-request" else CTX


def _policy(role: str, recording: Recording) -> Any:
    return parse_policy(load_policy(role, values(recording.domain_id)), role)


def _report(role: str, recording: Recording) -> str:
    return f"{role}: " + ", ".join(sorted(actions_of(recording.calls, _ctx(role))))


def test_the_roles_are_the_ones_recorded_here() -> None:
    assert sorted(load_roles()) == sorted(ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_every_recorded_call_is_allowed_by_the_roles_policy(
    role: str, request: pytest.FixtureRequest
) -> None:
    recording = _recording(role, request)
    print(_report(role, recording))
    result = evaluate(_policy(role, recording), recording.calls, _ctx(role))
    denied = sorted({f"{p.action} on {p.resource} (by {p.call})" for p in result.denied})
    assert denied == [], "\n".join(denied)


@pytest.fixture(scope="module")
def code_scan() -> Scan:
    return scan_packages(REPO, PACKAGES)


@pytest.mark.parametrize("role", ROLES)
def test_the_scenarios_reach_every_action_the_roles_code_and_libraries_need(
    role: str, request: pytest.FixtureRequest, code_scan: Scan
) -> None:
    spec = load_roles()[role]
    needed = set(needed_actions(code_scan.sites_of(spec.entry_points))) - set(spec.not_granted)
    recorded = actions_of(_recording(role, request).calls, _ctx(role))
    assert sorted(needed - recorded) == [], "code paths no scenario reached"
    assert sorted(set(spec.libraries) - recorded) == [], "library calls no scenario made"


@pytest.mark.parametrize("role", ROLES)
def test_the_roles_policy_grants_no_action_nothing_calls(
    role: str, request: pytest.FixtureRequest
) -> None:
    recording = _recording(role, request)
    policy = _policy(role, recording)
    result = evaluate(policy, recording.calls, _ctx(role))
    assert result.unused(policy) == [], _report(role, recording)


def test_a_pull_request_reads_production_and_writes_only_its_own_databases(
    request: pytest.FixtureRequest,
) -> None:
    calls = _recording("pull-request", request).calls
    writes = {"UpdateTable", "DeleteTable", "CreateTable", "DeleteTableVersion", "BatchDeleteTable"}
    glue_writes = {
        str(c.params.get("DatabaseName"))
        for c in calls
        if c.service == "glue" and c.operation in writes
    }
    assert glue_writes and all(db.startswith(f"{PR_SCHEMA}_") for db in glue_writes), glue_writes
    # deferred relations are read by Athena's engine; the role's own Glue calls on production
    # databases, if any, only read
    production = {
        c.operation
        for c in calls
        if c.service == "glue" and str(c.params.get("DatabaseName", "")).split("_")[0] in DOMAINS
    }
    assert production <= {"GetTable", "GetTables", "GetDatabase", "GetPartitions"}, production
    assert ("glue", "DeleteTableVersion") in {(c.service, c.operation) for c in calls}
    s3_writes = {
        (str(c.params.get("Bucket")), str(c.params.get("Key", "")))
        for c in calls
        if c.service == "s3" and c.operation in {"PutObject", "DeleteObject", "DeleteObjects"}
    }
    assert all(
        bucket == SCRATCH_BUCKET and key.startswith(f"{SCRATCH_PREFIX}/")
        for bucket, key in s3_writes
    ), s3_writes


@pytest.mark.parametrize("role", ROLES)
def test_every_resource_the_roles_policy_names_is_used_by_a_recorded_call(
    role: str, request: pytest.FixtureRequest
) -> None:
    """Resource level: each resource of a statement (Athena's engine excepted) was needed by
    some call of one of the statement's actions; a `${DOMAIN}` resource counts as used when any
    domain's was (the scenarios change one domain; every domain's pull request is alike)."""
    recording = _recording(role, request)
    template = json.loads(template_path(role).read_text())
    rendered = json.loads(render(json.dumps(template), values(recording.domain_id)))
    needed = {
        (perm.action.lower(), perm.resource)
        for call in recording.calls
        for perm in required_permissions(call, _ctx(role))
    }
    unused = []
    for statement in rendered["Statement"]:
        if statement["Sid"].startswith(ENGINE_SID_PREFIX):
            continue
        resources = statement["Resource"]
        for resource in [resources] if isinstance(resources, str) else resources:
            expanded = [resource.replace("${DOMAIN}", d) for d in DOMAINS]
            if not any(
                match(action, a, case=False) and match(pattern, r, case=True)
                for a, r in needed
                for action in statement["Action"]
                for pattern in expanded
            ):
                unused.append(f"{statement['Sid']}: {resource}")
    assert unused == []
