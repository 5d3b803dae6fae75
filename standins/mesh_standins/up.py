"""The stand-ins of the CI journey, up until Ctrl-C: moto (S3, Glue, Lake Formation, STS) and the
DataZone emulator on loopback, prepared as production has them before a merge.

Prepared means: the artifact store's and the docs site's buckets exist, the DataZone domain and
the projects of `catalog/datazone.yml` exist (production creates them once, by hand or IaC), and
Glue holds the tables a production build of the current artifacts would have created
(`mesh_standins.prodmirror`; `mesh-standins mirror` refreshes them after a new build). The
environment that points `mesh`, `ci/*.sh`, boto3 and dbt-loom at them is printed as `export`
lines and written to a file that a shell can `source`.
"""

from __future__ import annotations

import os
import shlex
import socket
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from mesh.project import STATE_DIR
from mesh_standins.demo import REGION, StandIns, environment, stand_in_env
from mesh_standins.prodmirror import MirrorResult, seed_glue
from publish.aws import AwsClients, AwsSettings, aws_failure
from publish.datazone.api import DataZoneApi
from publish.datazone.config import load_config
from publish.errors import BadInputError

ARTIFACT_BUCKET = "mesh-artifacts"
ARTIFACT_STORE = f"s3://{ARTIFACT_BUCKET}/dbt-artifacts/prod"
DOCS_BUCKET = "mesh-docs"
ENV_FILE = Path(STATE_DIR) / "standins.env"


@dataclass(frozen=True)
class Prepared:
    buckets: tuple[str, ...]
    datazone_domain: str
    projects: tuple[str, ...]
    mirror: MirrorResult | None  # None: nothing built yet


def journey_env(urls: StandIns) -> dict[str, str]:
    """What `mesh`, the CI scripts and boto3 need to use the stand-ins instead of AWS."""
    return {
        **stand_in_env(urls),
        "MESH_ARTIFACT_STORE": ARTIFACT_STORE,
        "MESH_DOCS_BUCKET": DOCS_BUCKET,
    }


def export_lines(env: Mapping[str, str]) -> list[str]:
    return [f"export {key}={shlex.quote(value)}" for key, value in sorted(env.items())]


def check_port(host: str, port: int, option: str) -> None:
    """A taken port would leave moto's server thread dead and its start() waiting forever."""
    if port == 0:
        return
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise BadInputError(
                f"cannot listen on {host}:{port} ({exc.strerror})",
                fix=f"pass {option} another port, or 0 for a free one; or stop what uses it "
                "(another `mesh-standins up`?)",
            ) from None


@contextmanager
def running(host: str, moto_port: int, datazone_port: int) -> Iterator[StandIns]:
    from mesh_standins.datazone import start_background
    from mesh_standins.moto_server import moto_server

    check_port(host, moto_port, "--moto-port")
    check_port(host, datazone_port, "--datazone-port")
    with (
        moto_server(host, moto_port) as moto_url,
        start_background(host=host, port=datazone_port, glue_endpoint=moto_url) as emulator,
    ):
        yield StandIns(moto_url, emulator.url)


def mirror(root: Path, aws: AwsClients) -> MirrorResult | None:
    """Glue tables as a production build of the current artifacts creates them."""
    if not any((d / "manifest.json").is_file() for d in (root / "domains").glob("*/target")):
        return None
    return seed_glue(aws.glue, root)


def prepare(root: Path, urls: StandIns) -> Prepared:
    """Buckets, the DataZone domain and projects, and the Glue mirror (idempotent)."""
    with environment(journey_env(urls)):
        aws = AwsClients(AwsSettings(region=REGION))
        s3 = aws.client("s3")
        for bucket in (ARTIFACT_BUCKET, DOCS_BUCKET):
            s3.create_bucket(Bucket=bucket)
        config = load_config(root / "catalog/datazone.yml")
        api = DataZoneApi.connect(aws, config)
        projects = {config.governance_project, *config.projects.values()}
        api.bootstrap(projects)
        return Prepared(
            buckets=(ARTIFACT_BUCKET, DOCS_BUCKET),
            datazone_domain=api.domain_id,
            projects=tuple(sorted(projects)),
            mirror=mirror(root, aws),
        )


def write_env_file(path: Path, env: Mapping[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# written by `mesh-standins up`; valid while it runs", *export_lines(env)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def mirror_running(root: Path) -> MirrorResult:
    """`mesh-standins mirror`: seed the Glue of the running stand-ins (from the environment)."""
    if not os.environ.get("AWS_ENDPOINT_URL"):
        raise BadInputError(
            "AWS_ENDPOINT_URL is not set, so this would seed the real AWS Glue",
            fix="start the stand-ins with `mesh-standins up` and `source` the environment file "
            f"it writes ({ENV_FILE}) in this shell",
        )
    try:
        return seed_glue(AwsClients(AwsSettings()).glue, root)
    except (BotoCoreError, ClientError) as exc:
        raise aws_failure(
            exc, "cannot seed the stand-ins' Glue", permissions="glue:CreateTable"
        ) from None
