"""Least-privilege IAM for CI: the shipped policy documents, a renderer, and a call recorder.

The documents under `iam/` (one identity policy and one GitHub OIDC trust policy per role) hold
`${PLACEHOLDER}`s that `render` fills in (account, region, buckets, DataZone domain, repository).
The recorder (`record_aws_calls`) wraps botocore's `BaseClient._make_api_call`, so it sees every
API call of every boto3/botocore client in the process, whoever built it (the publisher, s3transfer,
dbt-athena/PyAthena, dbt-loom), together with its parameters. `required_permissions` turns a call
into the IAM (action, resource) pairs AWS authorizes it against, and `evaluate` checks them against
a policy: a small evaluator of identity policies (Allow statements, `Action`/`Resource` with `*` and
`?` wildcards; no `NotAction`, `NotResource`, `Deny` or conditions, which the shipped documents
do not use, and the loader refuses).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import botocore.client
from botocore.exceptions import ClientError

from publish.errors import BadInputError

IAM_DIR = Path(__file__).resolve().parents[2] / "iam"
ROLES = {
    "ci-build": "ci-build-role",
    "publisher": "publisher-role",
}
#: Sid prefix of the statements granting what only Athena's engine does with the caller's
#: credentials (DDL/CTAS catalog writes, table data in S3): not observable against the stand-ins.
ENGINE_SID_PREFIX = "AthenaEngineOnBehalfOfCaller"

PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")  # ${aws:username}-style IAM variables stay
PLACEHOLDERS = {
    "AWS_ACCOUNT_ID": "the AWS account of the Glue catalog, Athena and the buckets",
    "AWS_REGION": "the region of Glue, Athena and DataZone",
    "GITHUB_REPOSITORY": "owner/name of the GitHub repository whose workflows assume the roles",
    "ATHENA_WORK_GROUP": "the Athena work group of the builds (MESH_ATHENA_WORK_GROUP)",
    "ATHENA_RESULTS_BUCKET": "bucket of MESH_ATHENA_S3_STAGING_DIR (query results)",
    "WAREHOUSE_BUCKET": "bucket of MESH_ATHENA_S3_DATA_DIR on prod (table data)",
    "WAREHOUSE_CI_BUCKET": "bucket of MESH_ATHENA_S3_DATA_DIR on pull requests (CI tables)",
    "RAW_BUCKET": "bucket of the raw source tables (Glue databases raw_*) the staging models read",
    "ARTIFACT_BUCKET": "bucket of MESH_ARTIFACT_STORE",
    "ARTIFACT_PREFIX": "key prefix of MESH_ARTIFACT_STORE (e.g. dbt-artifacts/prod)",
    "DOCS_BUCKET": "MESH_DOCS_BUCKET, the docs portal's bucket",
    "DATAZONE_DOMAIN_ID": "MESH_DATAZONE_DOMAIN_ID (dzd_...)",
}


# --- policies --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]

    def allows(self, action: str, resource: str) -> bool:
        return any(_match(p, action, case=False) for p in self.actions) and any(
            _match(p, resource, case=True) for p in self.resources
        )

    @property
    def engine_only(self) -> bool:
        return self.sid.startswith(ENGINE_SID_PREFIX)


@dataclass(frozen=True)
class Policy:
    name: str
    statements: tuple[Statement, ...]

    def allows(self, action: str, resource: str) -> bool:
        return any(s.allows(action, resource) for s in self.statements)

    def granted_actions(self, *, include_engine: bool = True) -> set[str]:
        return {
            a.lower()
            for s in self.statements
            if include_engine or not s.engine_only
            for a in s.actions
        }


def _match(pattern: str, value: str, *, case: bool) -> bool:
    # IAM wildcards: `*` any run of characters (also across `/` and `:`), `?` one character
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, 0 if case else re.IGNORECASE) is not None


def _as_tuple(value: Any) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def parse_policy(document: Mapping[str, Any], name: str = "policy") -> Policy:
    statements = []
    for i, raw in enumerate(document.get("Statement") or ()):
        unsupported = {"NotAction", "NotResource", "Condition", "Principal"} & set(raw)
        if raw.get("Effect") != "Allow" or unsupported:
            raise BadInputError(
                f"statement {raw.get('Sid', i)} of {name} uses "
                f"{', '.join(sorted(unsupported)) or 'Effect ' + str(raw.get('Effect'))}, "
                "which the recorded-calls check cannot evaluate",
                fix="keep the identity policies to Allow statements with Action and Resource",
            )
        statements.append(
            Statement(
                sid=str(raw.get("Sid") or f"#{i}"),
                actions=_as_tuple(raw["Action"]),
                resources=_as_tuple(raw["Resource"]),
            )
        )
    return Policy(name, tuple(statements))


def template_path(role: str, kind: str = "policy") -> Path:
    """`kind` is `policy` (identity policy) or `trust` (the GitHub OIDC trust policy)."""
    base = ROLES[role]
    return IAM_DIR / (f"{base}.policy.json" if kind == "policy" else f"{base}.trust-policy.json")


def render(text: str, values: Mapping[str, str], *, source: str = "policy") -> str:
    """Fill every `${NAME}` placeholder; an unknown or missing one is a clear error.

    `${DOMAIN}` is left for `expand_domains` (one resource per dbt domain).
    """
    missing = sorted({m for m in PLACEHOLDER.findall(text) if m != "DOMAIN" and not values.get(m)})
    if missing:
        raise BadInputError(
            f"{source} needs value(s) for {', '.join(missing)}",
            fix="pass them with --set NAME=VALUE (or the environment, see iam/README.md): "
            + "; ".join(f"{m}: {PLACEHOLDERS.get(m, 'unknown placeholder')}" for m in missing),
        )
    return PLACEHOLDER.sub(
        lambda m: m.group(0) if m.group(1) == "DOMAIN" else values[m.group(1)], text
    )


def repo_domains(root: Path = IAM_DIR.parent) -> list[str]:
    """The dbt domains of the repository (folders of domains/ holding a dbt_project.yml)."""
    return sorted(p.parent.name for p in (root / "domains").glob("*/dbt_project.yml"))


def expand_domains(document: dict[str, Any], domains: Iterable[str]) -> dict[str, Any]:
    """Each Resource holding `${DOMAIN}` becomes one resource per domain (sorted, deduplicated)."""
    names = list(domains)
    if not names:
        raise BadInputError(
            "no dbt domain to scope the policies to",
            fix="run from the repository, which holds domains/<name>/dbt_project.yml",
        )
    for statement in document.get("Statement") or ():
        resources = _as_tuple(statement.get("Resource", ()))
        expanded: list[str] = []
        for resource in resources:
            for one in (
                [resource.replace("${DOMAIN}", d) for d in names]
                if "${DOMAIN}" in resource
                else [resource]
            ):
                if one not in expanded:
                    expanded.append(one)
        if resources:
            statement["Resource"] = expanded if len(expanded) > 1 else expanded[0]
    return document


def load_policy(
    role: str,
    values: Mapping[str, str],
    kind: str = "policy",
    domains: Iterable[str] | None = None,
) -> dict[str, Any]:
    """A shipped document with its placeholders filled in and `${DOMAIN}` expanded."""
    path = template_path(role, kind)
    rendered = render(path.read_text(encoding="utf-8"), values, source=str(path))
    document: dict[str, Any] = json.loads(rendered)
    return expand_domains(document, repo_domains() if domains is None else domains)


def values_from_env(env: Mapping[str, str]) -> dict[str, str]:
    """Placeholder values from the variables the workflows set (explicit names win)."""
    values = {k: v for k, v in env.items() if k in PLACEHOLDERS and v}

    def bucket(url: str | None) -> tuple[str, str]:
        if not url or not url.startswith("s3://"):
            return "", ""
        name, _, prefix = url[len("s3://") :].partition("/")
        return name, prefix.strip("/")

    derived = {
        "AWS_REGION": env.get("AWS_DEFAULT_REGION", ""),
        "ATHENA_WORK_GROUP": env.get("MESH_ATHENA_WORK_GROUP", "primary"),
        "ATHENA_RESULTS_BUCKET": bucket(env.get("MESH_ATHENA_S3_STAGING_DIR"))[0],
        "WAREHOUSE_BUCKET": bucket(env.get("MESH_ATHENA_S3_DATA_DIR"))[0],
        "WAREHOUSE_CI_BUCKET": bucket(env.get("MESH_ATHENA_S3_DATA_CI_DIR"))[0],
        "ARTIFACT_BUCKET": bucket(env.get("MESH_ARTIFACT_STORE"))[0],
        "ARTIFACT_PREFIX": bucket(env.get("MESH_ARTIFACT_STORE"))[1] or "dbt-artifacts/prod",
        "DOCS_BUCKET": env.get("MESH_DOCS_BUCKET", ""),
        "DATAZONE_DOMAIN_ID": env.get("MESH_DATAZONE_DOMAIN_ID", ""),
        "AWS_ACCOUNT_ID": env.get("MESH_DATAZONE_ACCOUNT_ID", ""),
    }
    return {k: v for k, v in {**derived, **values}.items() if v}


def render_all(
    values: Mapping[str, str], out: Path, domains: Iterable[str] | None = None
) -> list[Path]:
    """Write the four rendered documents into `out`; every placeholder must have a value."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for role in ROLES:
        for kind in ("policy", "trust"):
            document = load_policy(role, values, kind, domains)
            path = out / template_path(role, kind).name
            path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
            written.append(path)
    return written


# --- calls -> IAM permissions -----------------------------------------------------------------

#: botocore operation -> IAM actions, where the action's name is not the operation's
S3_ACTIONS: dict[str, tuple[str, ...]] = {
    "HeadObject": ("s3:GetObject",),
    "GetObject": ("s3:GetObject",),
    "ListObjectsV2": ("s3:ListBucket",),
    "ListObjects": ("s3:ListBucket",),
    "HeadBucket": ("s3:ListBucket",),
    "PutObject": ("s3:PutObject",),
    "CreateMultipartUpload": ("s3:PutObject",),
    "UploadPart": ("s3:PutObject",),
    "CompleteMultipartUpload": ("s3:PutObject",),
    "AbortMultipartUpload": ("s3:AbortMultipartUpload",),
    "CopyObject": ("s3:PutObject", "s3:GetObject"),
    "DeleteObject": ("s3:DeleteObject",),
    "DeleteObjects": ("s3:DeleteObject",),
    "ListObjectVersions": ("s3:ListBucketVersions",),
    "ListMultipartUploads": ("s3:ListBucketMultipartUploads",),
}
#: operations every principal may call whatever its policies say (no IAM check)
UNAUTHORIZED_OK = {("sts", "GetCallerIdentity")}


@dataclass(frozen=True)
class Call:
    """One API call as botocore made it."""

    service: str  # the IAM prefix (botocore's signing name): glue, s3, datazone, ...
    operation: str  # botocore's operation name: GetTables, HeadObject, ...
    params: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    error: str | None = None  # the error code AWS (the stand-in) answered, if any


@dataclass(frozen=True)
class Context:
    """What the ARNs need that a request does not carry."""

    account: str
    region: str
    athena_work_group: str = "primary"


@dataclass(frozen=True)
class Permission:
    action: str
    resource: str
    call: str  # `service:Operation` of the call that needs it, for messages


def required_permissions(call: Call, ctx: Context) -> list[Permission]:
    """The IAM (action, resource) pairs AWS authorizes `call` against."""
    name = f"{call.service}:{call.operation}"
    p = call.params
    if call.service == "s3":
        bucket = str(p.get("Bucket", ""))
        actions = S3_ACTIONS.get(call.operation, (name,))
        perms = []
        for action in actions:
            object_level = action in {
                "s3:GetObject",
                "s3:PutObject",
                "s3:DeleteObject",
                "s3:AbortMultipartUpload",
            }
            if call.operation == "DeleteObjects" and object_level:
                keys = [o["Key"] for o in (p.get("Delete") or {}).get("Objects", ())]
                perms += [Permission(action, f"arn:aws:s3:::{bucket}/{k}", name) for k in keys]
                continue
            if call.operation == "CopyObject" and action == "s3:GetObject":
                source = p.get("CopySource")
                src = (
                    f"{source['Bucket']}/{source['Key']}"
                    if isinstance(source, Mapping)
                    else str(source).lstrip("/")
                )
                perms.append(Permission(action, f"arn:aws:s3:::{src}", name))
                continue
            key = p.get("Key")
            resource = f"arn:aws:s3:::{bucket}/{key}" if object_level else f"arn:aws:s3:::{bucket}"
            perms.append(Permission(action, resource, name))
        # A GetObject/HeadObject of a missing key answers 404 only with s3:ListBucket on the
        # bucket (403 otherwise); the artifact store relies on that 404 for optional artifacts.
        if call.operation in {"GetObject", "HeadObject"} and call.error in {"404", "NoSuchKey"}:
            perms.append(Permission("s3:ListBucket", f"arn:aws:s3:::{bucket}", name))
        return perms
    if call.service == "glue":
        return [Permission(name, r, name) for r in _glue_resources(call, ctx)]
    if call.service == "athena":
        work_group = str(p.get("WorkGroup") or p.get("Name") or ctx.athena_work_group)
        if call.operation in {
            "GetDataCatalog",
            "GetTableMetadata",
            "ListTableMetadata",
            "GetDatabase",
            "ListDatabases",
        }:
            catalog = str(p.get("CatalogName") or p.get("Name") or "AwsDataCatalog")
            return [
                Permission(
                    name, f"arn:aws:athena:{ctx.region}:{ctx.account}:datacatalog/{catalog}", name
                )
            ]
        return [
            Permission(
                name, f"arn:aws:athena:{ctx.region}:{ctx.account}:workgroup/{work_group}", name
            )
        ]
    if call.service == "datazone":
        domain = p.get("domainIdentifier") or (
            p.get("identifier") if call.operation == "GetDomain" else None
        )
        if domain:
            return [
                Permission(
                    name, f"arn:aws:datazone:{ctx.region}:{ctx.account}:domain/{domain}", name
                )
            ]
        return [Permission(name, "*", name)]
    # lakeformation (LF-tag actions take no resource in IAM; Lake Formation's own grants
    # decide), sts
    return [Permission(name, "*", name)]


_GLUE_DB_OPS = {"GetDatabase", "UpdateDatabase", "CreateDatabase", "DeleteDatabase"}
_GLUE_CATALOG_ONLY = {"GetDatabases"}


def _glue_resources(call: Call, ctx: Context) -> list[str]:
    """Glue authorizes catalog objects hierarchically: the catalog, the database, the table.

    `Get*` list operations return only what the caller may see, so GetDatabases needs the catalog
    (and filters by database), GetTables the catalog and the database (and filters by table).
    """
    p = call.params
    arn = f"arn:aws:glue:{ctx.region}:{p.get('CatalogId') or ctx.account}"
    catalog = f"{arn}:catalog"
    if call.operation in _GLUE_CATALOG_ONLY:
        return [catalog]
    if call.operation in _GLUE_DB_OPS:
        name = p.get("Name") or (p.get("DatabaseInput") or {}).get("Name")
        return [catalog, f"{arn}:database/{str(name).lower()}"]
    database = str(p.get("DatabaseName", "")).lower()
    resources = [catalog, f"{arn}:database/{database}"]
    if call.operation == "GetTables":
        return resources
    tables: list[str] = []
    if "TableInput" in p:
        tables.append(p["TableInput"]["Name"])
    for key in ("Name", "TableName"):
        if p.get(key):
            tables.append(p[key])
    # BatchDeleteTable; partitions (BatchGetPartition, ...) are authorized on their table
    tables += [str(t) for t in p.get("TablesToDelete") or ()]
    return resources + [f"{arn}:table/{database}/{str(t).lower()}" for t in tables]


# --- evaluation ---------------------------------------------------------------------------------


@dataclass
class Evaluation:
    denied: list[Permission]
    used: set[str]  # actions (lower case) some recorded call needs

    def unused(self, policy: Policy) -> list[str]:
        """Actions the policy grants that no recorded call needed (engine-only Sids excluded)."""
        return sorted(
            a
            for a in policy.granted_actions(include_engine=False)
            if not any(_match(a, u, case=False) for u in self.used)
        )


def evaluate(policy: Policy, calls: Iterable[Call], ctx: Context) -> Evaluation:
    denied: list[Permission] = []
    used: set[str] = set()
    seen: set[tuple[str, str]] = set()
    for call in calls:
        if (call.service, call.operation) in UNAUTHORIZED_OK:
            continue
        for perm in required_permissions(call, ctx):
            used.add(perm.action.lower())
            if (perm.action, perm.resource) in seen:
                continue
            seen.add((perm.action, perm.resource))
            if not policy.allows(perm.action, perm.resource):
                denied.append(perm)
    return Evaluation(denied, used)


def actions_of(calls: Iterable[Call], ctx: Context) -> set[str]:
    return {
        perm.action
        for call in calls
        if (call.service, call.operation) not in UNAUTHORIZED_OK
        for perm in required_permissions(call, ctx)
    }


# --- recorder -------------------------------------------------------------------------------


class CallLog:
    """The calls recorded while a `record_aws_calls` block was active (thread-safe)."""

    def __init__(self) -> None:
        self._calls: list[Call] = []
        self._lock = threading.Lock()

    def add(self, call: Call) -> None:
        with self._lock:
            self._calls.append(call)

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def operations(self) -> set[tuple[str, str]]:
        return {(c.service, c.operation) for c in self.calls}


_active: list[CallLog] = []
_patch_lock = threading.Lock()
_CLIENT: Any = botocore.client.BaseClient  # botocore-stubs do not declare _make_api_call
_original = _CLIENT._make_api_call


def _recording_make_api_call(
    self: botocore.client.BaseClient, operation_name: str, api_params: dict[str, Any]
) -> Any:
    service = self.meta.service_model.signing_name or self.meta.service_model.endpoint_prefix
    params = dict(api_params)
    try:
        result = _original(self, operation_name, api_params)
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code"))
        for log in list(_active):
            log.add(Call(service, operation_name, params, code))
        raise
    for log in list(_active):
        log.add(Call(service, operation_name, params))
    return result


@contextmanager
def record_aws_calls() -> Iterator[CallLog]:
    """Record every botocore API call made in this process (any thread) inside the block.

    Each call is recorded once, however many HTTP attempts its retries made; a call that failed
    with a service error is recorded with its error code (IAM authorized it all the same).
    """
    log = CallLog()
    with _patch_lock:
        if not _active:
            _CLIENT._make_api_call = _recording_make_api_call
        _active.append(log)
    try:
        yield log
    finally:
        with _patch_lock:
            _active.remove(log)
            if not _active:
                _CLIENT._make_api_call = _original
