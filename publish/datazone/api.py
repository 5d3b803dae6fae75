"""The DataZone side of a publisher run: a paced boto3 client, the resolved domain and projects.

The client comes from `publish.aws.AwsClients` (region, credentials, endpoint from boto3's usual
configuration, e.g. `AWS_ENDPOINT_URL_DATAZONE`; adaptive retries), with a token bucket per
operation installed on it. Lookups by name (domain, projects) happen here, once per run.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import (
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
)

from publish.aws import AwsClients, aws_failure
from publish.datazone.config import DataZoneConfig
from publish.datazone.ratelimit import RateLimiter
from publish.errors import BadInputError, PublishError
from publish.hashing import content_hash
from publish.limits import maximum, operation_model

#: stands for an id DataZone gives while a plan applies (a glossary term, an asset, a form type
#: revision) in the requests checked before the apply: it fits every identifier pattern, and has
#: the 36 characters of the longest id, so a request checked with it is never longer than sent
PLANNED_ID = "planned-id-" + "0" * 25


def client_token(*parts: Any) -> str:
    """A deterministic idempotency token (64 hex chars) for a create derived from its content."""
    return content_hash(parts)


def glue_table_arn(region: str, account: str, database: str, table: str) -> str:
    return f"arn:aws:glue:{region}:{account}:table/{database}/{table}"


def paginate(client: Any, operation: str, key: str = "items", **params: Any) -> Iterator[Any]:
    """Every item of a paginated DataZone list or search operation (`nextToken` pages), in
    pages of the documented maximum size: the default is not documented, and each page is one
    request paced by the operation's rate limit."""
    request = operation_model("datazone", operation).input_shape
    if request is not None and "maxResults" in request.members:
        params.setdefault("maxResults", maximum("datazone", operation, "maxResults"))
    call = getattr(client, _snake(operation))
    token: str | None = None
    while True:
        page = call(**params, **({"nextToken": token} if token else {}))
        yield from page.get(key) or ()
        token = page.get("nextToken")
        if not token:
            return


def error_code(exc: BaseException) -> str | None:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code"))
    return None


@dataclass
class DataZoneApi:
    """A DataZone client bound to one domain, with its projects resolved by name."""

    client: Any
    config: DataZoneConfig
    limiter: RateLimiter
    domain_id: str = ""
    account_id: str = ""
    region: str = ""
    projects: dict[str, str] = field(default_factory=dict)  # project name -> id

    @classmethod
    def connect(cls, aws: AwsClients, config: DataZoneConfig) -> DataZoneApi:
        client = aws.client("datazone")
        limiter = RateLimiter(config.rate_limits)
        limiter.install(client)
        account = config.account_id or _caller_account(aws)
        return cls(client, config, limiter, account_id=account, region=aws.region)

    # --- reading -------------------------------------------------------------------------------

    def pages(self, operation: str, key: str = "items", **params: Any) -> Iterator[Any]:
        """Every item of a paginated list or search operation."""
        return paginate(self.client, operation, key, **params)

    def resolve_domain(self) -> str:
        ref = self.config.domain
        if ref.id:
            try:
                self.client.get_domain(identifier=ref.id)
            except ClientError as exc:
                if error_code(exc) in ("ResourceNotFoundException", "AccessDeniedException"):
                    raise BadInputError(
                        f"the DataZone domain {ref.id} does not exist or is not visible to the "
                        f"caller ({error_code(exc)})",
                        file=self.config.source,
                        fix="set domain.id (or MESH_DATAZONE_DOMAIN_ID) to the id of an existing "
                        "domain in this region",
                    ) from None
                raise
            self.domain_id = ref.id
            return ref.id
        found = [d["id"] for d in self.pages("ListDomains") if d["name"] == ref.name]
        if not found:
            raise BadInputError(
                f"no DataZone domain is named {ref.name!r} in {self.region}",
                file=self.config.source,
                fix="create the domain (or run with --bootstrap against the emulator), or set "
                "domain.id / MESH_DATAZONE_DOMAIN_ID",
            )
        self.domain_id = found[0]
        return self.domain_id

    def resolve_projects(self, names: set[str]) -> dict[str, str]:
        """Project ids by name; a missing mapped project is a clear error (nothing written)."""
        by_name = {
            p["name"]: p["id"]
            for p in self.pages("ListProjects", domainIdentifier=self.domain_id)
            if p["name"] in names
        }
        missing = sorted(names - set(by_name))
        if missing:
            raise BadInputError(
                f"DataZone project(s) {', '.join(missing)} do not exist in domain {self.domain_id}",
                file=self.config.source,
                fix="create the projects in DataZone (or run `mesh publish datazone --bootstrap` "
                "against the emulator), or correct `projects:` / `governance_project:`",
            )
        self.projects.update(by_name)
        return by_name

    # --- bootstrap (emulator and demo) ---------------------------------------------------------

    def missing_for_bootstrap(self, project_names: set[str]) -> tuple[str | None, list[str]]:
        """The domain (its name, if `bootstrap` would create it) and the projects it would
        create; reads only."""
        ref = self.config.domain
        if not ref.id and not any(d["name"] == ref.name for d in self.pages("ListDomains")):
            return ref.name, sorted(project_names)
        self.resolve_domain()
        existing = {p["name"] for p in self.pages("ListProjects", domainIdentifier=self.domain_id)}
        return None, sorted(project_names - existing)

    def bootstrap(self, project_names: set[str]) -> None:
        """Create the domain (by name) and the projects if missing; idempotent."""
        ref = self.config.domain
        if not ref.id:
            found = [d["id"] for d in self.pages("ListDomains") if d["name"] == ref.name]
            if not found:
                self.client.create_domain(
                    name=ref.name,
                    description="The analytics mesh: one project per dbt domain",
                    domainExecutionRole=f"arn:aws:iam::{self.account_id}:role/"
                    "AmazonDataZoneDomainExecution",
                    clientToken=client_token("CreateDomain", ref.name),
                )
        self.resolve_domain()
        existing = {p["name"] for p in self.pages("ListProjects", domainIdentifier=self.domain_id)}
        for name in sorted(project_names - existing):
            self.client.create_project(
                domainIdentifier=self.domain_id,
                name=name,
                description=f"Producer project of the {name} domain (dbt)",
            )


def _snake(operation: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")


def _caller_account(aws: AwsClients) -> str:
    try:
        return str(aws.client("sts").get_caller_identity()["Account"])
    except (NoCredentialsError, PartialCredentialsError, EndpointConnectionError) as exc:
        # the cause is the caller's setup, not a missing account id
        raise aws_failure(
            exc,
            "cannot ask STS for the AWS account of the Glue catalog",
            permissions="sts:GetCallerIdentity",
        ) from None
    except Exception as exc:  # no STS: the account must be configured
        raise PublishError(
            f"cannot find the AWS account of the Glue catalog ({exc})",
            fix="set account_id in catalog/datazone.yml or MESH_DATAZONE_ACCOUNT_ID",
        ) from exc


def forms_by_name(forms: Any) -> dict[str, Mapping[str, Any]]:
    return {f["formName"]: f for f in forms or ()}


def form_content(form: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The JSON content of a form as read from DataZone; None if absent or not a JSON object."""
    if form is None:
        return None
    try:
        content = json.loads(form.get("content") or "{}")
    except ValueError:
        return None
    return content if isinstance(content, dict) else None
