"""Fixtures of the DataZone publisher's tests: the built mesh's artifacts, moto server and the
DataZone emulator on loopback, and a "stage" that seeds Glue like production and imports the
marts with Glue data source runs, as the hands-on does before the publisher runs."""

from __future__ import annotations

import json
import os
import shutil
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from botocore.config import Config

from mesh.build import MeshInvocation, run_mesh
from mesh.runner import DomainRun
from mesh_standins.datazone import EmulatorAdmin, RunningEmulator, start_background
from mesh_standins.demo import ACCOUNT, REGION, StandIns, run_glue_data_sources, stand_in_env
from mesh_standins.moto_server import moto_server
from mesh_standins.prodmirror import seed_glue
from publish.aws import AwsClients, AwsSettings
from publish.datazone.config import load_config
from publish.plan import ApplyResult, Plan, Report
from publish.run import PublishOptions, apply, build_targets, prepare
from publish.targets import Target
from tests.meshcopy import domain_names

REPO = Path(__file__).resolve().parents[2]
DOMAINS = tuple(domain_names())  # as domains/ holds them
PAGE_SIZE = 25  # every list and search of a publish pages
TODAY = date(2026, 11, 2)  # before dim_customers v1's deprecation date (2027-06-30)


@pytest.fixture(scope="session")
def mesh_artifacts(
    built_mesh: tuple[Path, list[DomainRun]], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """Artifacts of the built mesh as CI uploads them: <dir>/<domain>/{manifest,catalog,...}.json,
    run_results.json from the build (docs generate would overwrite it)."""
    root, _runs = built_mesh
    saved = {
        d: (root / "domains" / d / "target" / "run_results.json").read_bytes() for d in DOMAINS
    }
    # always: `dbt source freshness` (run by other tests in the built mesh) rewrites manifest.json
    # without the compiled SQL column lineage needs; `docs generate` compiles
    run_mesh(root, MeshInvocation(("docs", "generate"), dbt_args=("--quiet",)))
    out = tmp_path_factory.mktemp("dz-artifacts")
    for domain in DOMAINS:
        target = root / "domains" / domain / "target"
        (target / "run_results.json").write_bytes(saved[domain])  # leave the build as it was
        dest = out / domain
        dest.mkdir()
        for name in ("manifest.json", "catalog.json", "run_results.json", "sources.json"):
            if (target / name).exists():
                shutil.copy(target / name, dest / name)
    return out


@pytest.fixture
def artifacts(mesh_artifacts: Path, tmp_path: Path) -> Path:
    """A private copy of the artifacts, which a test may edit."""
    copy = tmp_path / "artifacts"
    shutil.copytree(mesh_artifacts, copy)
    return copy


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """The repository's catalog/ and data product YAMLs in a scratch root a test may edit."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "catalog", root / "catalog")
    for domain in DOMAINS:
        (root / "domains" / domain).mkdir(parents=True)
        shutil.copy(
            REPO / "domains" / domain / "data_products.yml",
            root / "domains" / domain / "data_products.yml",
        )
    return root


@pytest.fixture(scope="session")
def stand_ins() -> Iterator[tuple[StandIns, RunningEmulator]]:
    with (
        moto_server() as moto_url,
        start_background(glue_endpoint=moto_url, page_size=PAGE_SIZE) as emulator,
    ):
        yield StandIns(moto_url, emulator.url), emulator


@dataclass
class Prepared:
    """A DataZone publish validated, read and planned, not yet applied."""

    targets: list[Target]
    report: Report

    @property
    def plan(self) -> Plan:
        return self.report.plan("datazone")

    def apply(self) -> ApplyResult:
        apply(self.report, self.targets)
        return self.report.results["datazone"]


@dataclass
class Stage:
    urls: StandIns
    admin: EmulatorAdmin
    artifacts: Path
    root: Path
    domain_id: str
    projects: dict[str, str]  # project name -> id

    def clients(self) -> AwsClients:
        return AwsClients(AwsSettings(region=REGION, max_attempts=10))

    def prepare(self, **options: Any) -> Prepared:
        opts = {"root": self.root, "artifacts": self.artifacts, "today": TODAY, **options}
        publish = PublishOptions(**opts)
        targets = build_targets("datazone", publish, self.clients())
        return Prepared(targets, prepare("datazone", targets, publish))

    def publish(self, **options: Any) -> tuple[Plan, ApplyResult]:
        prepared = self.prepare(**options)
        return prepared.plan, prepared.apply()

    def dz(self, access_key: str = "AKIDPRODUCER") -> Any:
        return boto3.client(
            "datazone",
            endpoint_url=self.urls.datazone_url,
            region_name=REGION,
            aws_access_key_id=access_key,
            aws_secret_access_key="testing",  # pragma: allowlist secret
            config=Config(retries={"mode": "standard", "max_attempts": 1}),
        )

    def pages(self, method: str, key: str = "items", **params: Any) -> list[Any]:
        client, items, token = self.dz(), [], None
        while True:
            page = getattr(client, method)(
                domainIdentifier=self.domain_id, **params, **({"nextToken": token} if token else {})
            )
            items += page.get(key) or []
            token = page.get("nextToken")
            if not token:
                return items


@pytest.fixture
def stage(
    stand_ins: tuple[StandIns, RunningEmulator],
    artifacts: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Stage:
    """Fresh moto + emulator; Glue seeded like a production build; DataZone domain and projects
    created; each domain's marts imported by a Glue data source run."""
    urls, emulator = stand_ins
    emulator.admin.reset()
    urllib.request.urlopen(
        urllib.request.Request(f"{urls.moto_url}/moto-api/reset", method="POST"), timeout=10
    )
    for key in [k for k in os.environ if k.startswith(("AWS_", "MESH_DATAZONE"))]:
        monkeypatch.delenv(key)
    for key, value in stand_in_env(urls).items():
        monkeypatch.setenv(key, value)
    glue = boto3.client("glue", region_name=REGION)
    mirror = seed_glue(glue, REPO, artifacts)
    config = load_config(REPO / "catalog" / "datazone.yml")
    from publish.datazone.api import DataZoneApi

    api = DataZoneApi.connect(AwsClients(AwsSettings(region=REGION)), config)
    projects = config.domain_projects(DOMAINS)
    names = {config.governance_project, *projects.values()}
    api.bootstrap(names)
    api.resolve_projects(names)
    run_glue_data_sources(
        api.client,
        api.domain_id,
        {d: api.projects[p] for d, p in projects.items()},
        {d: [db for db in mirror.databases if db == f"{d}_marts"] for d in projects},
    )
    emulator.admin.reset_calls()
    return Stage(urls, emulator.admin, artifacts, REPO, api.domain_id, dict(api.projects))


def published_models(artifacts: Path) -> int:
    """Public models with an enforced contract in the artifacts: the assets a publish owns."""
    count = 0
    for path in artifacts.glob("*/manifest.json"):
        manifest = json.loads(path.read_text())
        count += sum(
            node["resource_type"] == "model"
            and node["package_name"] == path.parent.name
            and node["access"] == "public"
            and node["contract"]["enforced"]
            for node in manifest["nodes"].values()
        )
    return count


def data_products(root: Path) -> int:
    """Data products the domains declare in their data_products.yml."""
    files = (root / "domains" / d / "data_products.yml" for d in DOMAINS)
    return sum(len(yaml.safe_load(f.read_text())["data_products"]) for f in files if f.is_file())


def edit_manifest(artifacts: Path, domain: str, edit: Callable[[dict[str, Any]], None]) -> None:
    path = artifacts / domain / "manifest.json"
    manifest = json.loads(path.read_text())
    edit(manifest)
    path.write_text(json.dumps(manifest))


def arn(database: str, table: str) -> str:
    return f"arn:aws:glue:{REGION}:{ACCOUNT}:table/{database}/{table}"
