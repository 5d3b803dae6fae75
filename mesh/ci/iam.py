"""Least-privilege IAM for CI: the roles, their shipped policy documents and the renderer.

`iam/roles.yml` names each role, the GitHub OIDC subject that may assume it, the CLI functions
its workflow steps run (the IAM check scans the code they reach, `mesh.ci.aws_calls`), the
actions only libraries call (dbt-athena, dbt-loom, s3transfer) and the calls the code can make
that the role deliberately does not get. The documents under `iam/` (one identity policy and one
trust policy per role) hold `${PLACEHOLDER}`s that `render` fills in (account, region, buckets,
DataZone domain, repository). `parse_policy` reads a document into a small model (Allow
statements, `Action` and `Resource` with `*` and `?` wildcards; no `NotAction`, `NotResource`,
`Deny` or conditions, which the shipped identity policies do not use, and the loader refuses);
the IAM check and the stand-ins' call recorder evaluate calls against it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from publish.errors import BadInputError
from publish.yamlfile import load_model

IAM_DIR = Path(__file__).resolve().parents[2] / "iam"
ROLES_FILE = IAM_DIR / "roles.yml"
#: Sid prefix of the statements granting what only Athena's engine does with the caller's
#: credentials (DDL/CTAS catalog writes, table data in S3): not observable against the stand-ins.
ENGINE_SID_PREFIX = "AthenaEngineOnBehalfOfCaller"
OIDC_PROVIDER = "token.actions.githubusercontent.com"

PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")  # ${aws:username}-style IAM variables stay
PLACEHOLDERS = {
    "AWS_ACCOUNT_ID": "the AWS account of the Glue catalog, Athena and the buckets",
    "AWS_REGION": "the region of Glue, Athena and DataZone",
    "GITHUB_REPOSITORY": "owner/name of the GitHub repository whose workflows assume the roles",
    "ATHENA_WORK_GROUP": "the Athena work group of production builds (MESH_ATHENA_WORK_GROUP)",
    "ATHENA_CI_WORK_GROUP": "the Athena work group of pull-request builds "
    "(MESH_ATHENA_CI_WORK_GROUP)",
    "ATHENA_RESULTS_BUCKET": "bucket of MESH_ATHENA_S3_STAGING_DIR on prod (query results)",
    "WAREHOUSE_BUCKET": "bucket of MESH_ATHENA_S3_DATA_DIR on prod (table data)",
    "CI_SCRATCH_BUCKET": "bucket of MESH_CI_SCRATCH (pull requests' query results and tables)",
    "CI_SCRATCH_PREFIX": "key prefix of MESH_CI_SCRATCH (e.g. pull-requests)",
    "RAW_BUCKET": "bucket of the raw source tables (Glue databases raw_*) the staging models read",
    "ARTIFACT_BUCKET": "bucket of MESH_ARTIFACT_STORE",
    "ARTIFACT_PREFIX": "key prefix of MESH_ARTIFACT_STORE (e.g. dbt-artifacts/prod)",
    "DOCS_BUCKET": "MESH_DOCS_BUCKET, the docs portal's bucket",
    "DATAZONE_DOMAIN_ID": "MESH_DATAZONE_DOMAIN_ID (dzd_...)",
}


# --- roles ----------------------------------------------------------------------------------


class RoleSpec(BaseModel):
    """One role of `iam/roles.yml`."""

    model_config = ConfigDict(extra="forbid")

    description: str
    #: the OIDC subject after `repo:<owner>/<name>:` (`pull_request`, `environment:production`)
    assumed_by: str
    #: what the workflows run under the role (`ci/merge.sh build`), for the workflow check
    workflow_steps: list[str] = Field(min_length=1)
    #: qualified names of the functions those steps run (`mesh.commands.ci.merge`)
    entry_points: list[str] = Field(min_length=1)
    #: actions libraries call that the scan of this repository cannot see -> who and why
    libraries: dict[str, str] = Field(default_factory=dict)
    #: actions the code can call that the role does not get -> why
    not_granted: dict[str, str] = Field(default_factory=dict)

    @property
    def subject(self) -> str:
        return "repo:${GITHUB_REPOSITORY}:" + self.assumed_by


class RolesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    roles: dict[str, RoleSpec] = Field(min_length=1)


@cache
def load_roles(path: Path = ROLES_FILE) -> dict[str, RoleSpec]:
    """The roles of `iam/roles.yml`; a malformed file is a clear error naming it."""
    fix = (
        "each role needs description, assumed_by, workflow_steps and entry_points; libraries "
        "and not_granted map an IAM action to a reason (see iam/README.md)"
    )
    roles = load_model(path, RolesFile, "the IAM roles file", fix=fix).roles
    for name, spec in roles.items():
        for action in (*spec.libraries, *spec.not_granted):
            if not re.fullmatch(r"[a-z0-9-]+:[A-Za-z0-9]+", action):
                raise BadInputError(
                    f"role {name}: {action!r} is not an IAM action (service:Action)",
                    file=path,
                    fix="write actions as in a policy, e.g. s3:GetObject",
                )
    return roles


# --- AWS operations -> IAM actions ----------------------------------------------------------

#: S3 operations whose IAM action is not named after them (the Service Authorization Reference)
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
NO_PERMISSION_NEEDED = {("sts", "GetCallerIdentity")}


@cache
def _iam_prefix(service: str) -> str:
    import botocore.session  # here, not at import: `mesh --help` stays fast (tests/test_startup)

    model = botocore.session.get_session().get_service_model(service)
    return str(model.signing_name or model.endpoint_prefix)


def iam_actions(service: str, operation: str) -> tuple[str, ...]:
    """The IAM actions AWS authorizes a botocore operation with (none for GetCallerIdentity)."""
    if (service, operation) in NO_PERMISSION_NEEDED:
        return ()
    if service == "s3":
        return S3_ACTIONS.get(operation, (f"s3:{operation}",))
    return (f"{_iam_prefix(service)}:{operation}",)


# --- policies --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]

    def allows(self, action: str, resource: str) -> bool:
        return any(match(p, action, case=False) for p in self.actions) and any(
            match(p, resource, case=True) for p in self.resources
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

    def grants(self, action: str, *, include_engine: bool = True) -> bool:
        """Whether some statement grants `action` on some resource."""
        return any(
            match(p, action, case=False)
            for s in self.statements
            if include_engine or not s.engine_only
            for p in s.actions
        )

    def actions(self, *, include_engine: bool = True) -> list[str]:
        """The action patterns the statements grant, as written, each once."""
        found = (
            a for s in self.statements if include_engine or not s.engine_only for a in s.actions
        )
        return list(dict.fromkeys(found))

    def granted_actions(self, *, include_engine: bool = True) -> set[str]:
        return {
            a.lower()
            for s in self.statements
            if include_engine or not s.engine_only
            for a in s.actions
        }


def match(pattern: str, value: str, *, case: bool) -> bool:
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
    if role not in load_roles():
        raise BadInputError(
            f"no role {role!r} in {ROLES_FILE.name}",
            file=ROLES_FILE,
            fix="use one of " + ", ".join(load_roles()),
        )
    return IAM_DIR / (
        f"{role}-role.policy.json" if kind == "policy" else f"{role}-role.trust-policy.json"
    )


def template_policy(role: str) -> Policy:
    """The role's identity policy as shipped (placeholders kept: enough to compare actions)."""
    path = template_path(role)
    return parse_policy(json.loads(path.read_text(encoding="utf-8")), path.name)


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
        "ATHENA_CI_WORK_GROUP": env.get("MESH_ATHENA_CI_WORK_GROUP", ""),
        "ATHENA_RESULTS_BUCKET": bucket(env.get("MESH_ATHENA_S3_STAGING_DIR"))[0],
        "WAREHOUSE_BUCKET": bucket(env.get("MESH_ATHENA_S3_DATA_DIR"))[0],
        "CI_SCRATCH_BUCKET": bucket(env.get("MESH_CI_SCRATCH"))[0],
        "CI_SCRATCH_PREFIX": bucket(env.get("MESH_CI_SCRATCH"))[1],
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
    """Write every role's rendered documents into `out`; every placeholder must have a value.

    All are rendered before the first is written: a missing value writes nothing.
    """
    documents = {
        out / template_path(role, kind).name: load_policy(role, values, kind, domains)
        for role in load_roles()
        for kind in ("policy", "trust")
    }
    if out.exists() and not out.is_dir():
        raise BadInputError(
            "is a file, not the folder the rendered documents go to",
            file=out,
            fix="pass --out a folder (default: iam/rendered)",
        )
    out.mkdir(parents=True, exist_ok=True)
    for path, document in documents.items():
        path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return list(documents)
