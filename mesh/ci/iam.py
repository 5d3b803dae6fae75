"""Least-privilege IAM for CI: the shipped policy documents and their renderer.

The documents under `iam/` (one identity policy and one GitHub OIDC trust policy per role) hold
`${PLACEHOLDER}`s that `render` fills in (account, region, buckets, DataZone domain, repository).
`parse_policy` reads a rendered document into a small model (Allow statements, `Action` and
`Resource` with `*` and `?` wildcards; no `NotAction`, `NotResource`, `Deny` or conditions, which
the shipped documents do not use, and the loader refuses); the stand-ins' call recorder checks
calls against it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
