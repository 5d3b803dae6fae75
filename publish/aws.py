"""AWS clients, built in one place.

The region, credentials and endpoints come from boto3's usual configuration (environment, shared
config files, `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_GLUE` ...), so the same code runs against AWS
and against the local stand-ins. Retries use botocore's adaptive mode (client-side rate limiting on
top of the standard retry policy); the connection pool matches the publisher's concurrency (per
API operation, see `publish.apply`).
"""

from __future__ import annotations

import difflib
import os
import re
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
    ReadTimeoutError,
)
from pydantic import BaseModel, Field

from publish import __version__, limits
from publish.errors import BadInputError, MeshError, PublishError

if TYPE_CHECKING:
    from mypy_boto3_glue import GlueClient
    from mypy_boto3_lakeformation import LakeFormationClient


#: API operations a publish typically writes at once (assets, listings, lineage, products, ...)
LANES = 6


class AwsSettings(BaseModel):
    """How the publisher talks to AWS; unset fields fall back to boto3's own configuration."""

    region: str | None = None
    profile: str | None = None
    concurrency: int = Field(default=8, ge=1, le=64)
    #: botocore's AWS_MAX_ATTEMPTS when set, else 10 (adaptive mode backs off between attempts)
    max_attempts: int = Field(
        default_factory=lambda: int(os.environ.get("AWS_MAX_ATTEMPTS") or 10), ge=1, le=20
    )


class AwsClients:
    """The boto3 clients of one publisher run (thread-safe once built)."""

    def __init__(self, settings: AwsSettings | None = None) -> None:
        self.settings = settings or AwsSettings()
        # botocore reads AWS_DEFAULT_REGION; AWS_REGION is what the other SDKs (and CI) set
        region = self.settings.region or os.environ.get("AWS_REGION") or None
        self.session = boto3.session.Session(profile_name=self.settings.profile)
        if region or not self.session.region_name:
            self.session = boto3.session.Session(
                profile_name=self.settings.profile, region_name=region
            )
        if not self.session.region_name:
            raise BadInputError(
                "no AWS region is configured",
                fix="set AWS_REGION (or AWS_DEFAULT_REGION, a profile's region, or --region)",
            )
        check_region(self.session)
        self.config = Config(
            retries={"mode": "adaptive", "total_max_attempts": self.settings.max_attempts},
            # the apply engine runs `concurrency` calls per API operation, several at once
            max_pool_connections=self.settings.concurrency * LANES + 2,
            user_agent_extra=f"analytics-mesh/{__version__}",
        )
        # clients are created here, in one thread: boto3 sessions are not thread-safe, clients are
        self.glue: GlueClient = self.client("glue")
        self.lakeformation: LakeFormationClient = self.client("lakeformation")

    @property
    def region(self) -> str:
        return str(self.session.region_name)

    def client(self, service: str) -> Any:
        try:
            client = self.session.client(service, config=self.config)  # type: ignore[call-overload]
        except ValueError as exc:  # botocore: "Invalid endpoint: <url>"
            variable = f"AWS_ENDPOINT_URL_{service.upper()}"
            named = variable if os.environ.get(variable) else "AWS_ENDPOINT_URL"
            raise BadInputError(
                f"the {service} endpoint cannot be used ({exc}): {named} is "
                f"{os.environ.get(named)!r}",
                fix=f"set {named} to a URL with its scheme (http://127.0.0.1:5050 for the "
                "stand-ins, which `mesh-standins up` prints), or unset it to reach AWS",
            ) from None
        limits.adopt(client.meta.service_model)  # the request checker reads the same model
        return client


#: the shape of every AWS region name (`eu-west-1`, `us-gov-east-1`, `ap-southeast-5`)
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")


def check_region(session: boto3.session.Session) -> None:
    """A region name that cannot be an AWS region is refused before any call (a typo would
    otherwise surface as an unreachable endpoint); a well-formed name botocore does not know
    yet (a region newer than the installed botocore) is let through."""
    region = str(session.region_name)
    if _REGION.match(region):
        return
    known = sorted(
        {
            name
            for partition in session.get_available_partitions()
            for name in session.get_available_regions("glue", partition_name=partition)
        }
    )
    close = difflib.get_close_matches(region.lower(), known, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    raise BadInputError(
        f"{region!r} is not an AWS region name{hint}",
        fix="set --region, AWS_REGION (or AWS_DEFAULT_REGION, or the profile's region) to a "
        "region such as eu-west-1",
    )


#: error codes of a caller the policy does not allow
ACCESS_DENIED = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "403", "Forbidden"}
)
#: error codes that botocore's retries gave up on
THROTTLED = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "SlowDown",
        "RequestLimitExceeded",
    }
)


def aws_failure(exc: Exception, doing: str, *, permissions: str) -> MeshError:
    """One paragraph for a failed AWS call: its cause (no credentials, unreachable endpoint,
    denied, throttled past every retry, or the service's own error) and what to check."""
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return BadInputError(
            f"{doing}: no AWS credentials were found ({exc})",
            fix="set credentials as boto3 reads them (AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY; in CI the workflow's role), or, on a laptop, start the "
            "stand-ins with `mesh-standins up` and export the environment it prints",
        )
    if isinstance(exc, EndpointConnectionError | ConnectTimeoutError | ReadTimeoutError):
        return PublishError(
            f"{doing}: {exc}",
            fix="check the endpoint (AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>), the "
            "region and the network; on a laptop, check that `mesh-standins up` still runs",
        )
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        message = str(error.get("Message") or exc)
        if code in ACCESS_DENIED:
            return PublishError(
                f"{doing}: access denied ({code}: {message})",
                fix=f"run with a role that may call {permissions} (the policies are in iam/)",
            )
        if code in THROTTLED:
            return PublishError(
                f"{doing}: still throttled after every retry ({code}: {message})",
                fix="run again later (writes already made are kept), or lower --concurrency",
            )
        return PublishError(
            f"{doing}: {code}: {message}",
            fix="read the service's message above; run again once it is fixed (writes "
            "already made are kept)",
        )
    return PublishError(
        f"{doing}: {exc}", fix="check the AWS credentials, region and endpoint, then run again"
    )
