"""The IAM call recorder and evaluator (a test stand-in): which AWS calls a run made, and whether
a role's policy allows them.

`record_aws_calls` wraps botocore's `BaseClient._make_api_call`, so it sees every API call of every
boto3/botocore client in the process, whoever built it (the publisher, s3transfer,
dbt-athena/PyAthena, dbt-loom), together with its parameters. `required_permissions` turns a call
into the IAM (action, resource) pairs AWS authorizes it against, and `evaluate` checks them against
a policy parsed by `mesh.ci.iam.parse_policy`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import botocore.client
from botocore.exceptions import ClientError

from mesh.ci.iam import NO_PERMISSION_NEEDED, Policy, iam_actions, match

# --- calls -> IAM permissions -----------------------------------------------------------------


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
        actions = iam_actions("s3", call.operation)
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
            if not any(match(a, u, case=False) for u in self.used)
        )


def evaluate(policy: Policy, calls: Iterable[Call], ctx: Context) -> Evaluation:
    denied: list[Permission] = []
    used: set[str] = set()
    seen: set[tuple[str, str]] = set()
    for call in calls:
        if (call.service, call.operation) in NO_PERMISSION_NEEDED:
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
        if (call.service, call.operation) not in NO_PERMISSION_NEEDED
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
