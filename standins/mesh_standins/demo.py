"""The local catalog demo: the DataZone hands-on, replayed on the locally built mesh.

In one process: start moto (Glue, S3, LF, STS) and the DataZone emulator on loopback, seed Glue
as a production build would have it (`mesh_standins.prodmirror`), create the DataZone domain and
projects, import each domain's marts with a Glue data source run, publish Glue then DataZone, and
show what a consumer finds by glossary term. The stand-ins stop at the end.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from rich.console import Console
from rich.table import Table

from mesh_standins.prodmirror import seed_glue
from publish.artifacts import load_domains
from publish.aws import AwsClients, AwsSettings
from publish.datazone.api import DataZoneApi, client_token, paginate
from publish.datazone.config import load_config
from publish.model import Domain
from publish.run import PublishOptions, publish

REGION = "us-east-1"
#: the glossary terms a consumer searches for, unless `--term` names others
DEFAULT_TERMS = ("Customer", "Net Revenue")
ACCOUNT = "123456789012"  # moto's default account, also the emulator's


@dataclass(frozen=True)
class StandIns:
    moto_url: str
    datazone_url: str


@contextmanager
def stand_ins() -> Iterator[StandIns]:
    """moto server and the DataZone emulator (reading Glue from moto), both on free ports."""
    from mesh_standins.datazone import start_background
    from mesh_standins.moto_server import moto_server

    with moto_server() as moto_url, start_background(glue_endpoint=moto_url) as emulator:
        yield StandIns(moto_url, emulator.url)


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def stand_in_env(urls: StandIns) -> dict[str, str]:
    return {
        "AWS_ACCESS_KEY_ID": "AKIDPRODUCER",
        "AWS_SECRET_ACCESS_KEY": "testing",  # pragma: allowlist secret
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ENDPOINT_URL": urls.moto_url,
        "AWS_ENDPOINT_URL_DATAZONE": urls.datazone_url,
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "MESH_DATAZONE_ACCOUNT_ID": ACCOUNT,
    }


def run_glue_data_sources(
    dz: Any, domain_id: str, projects: Mapping[str, str], databases: Mapping[str, list[str]]
) -> dict[str, dict[str, int]]:
    """For each dbt domain: a GLUE data source of its project over its databases, run once.

    This is the "import the Glue tables" step of the hands-on; it creates the assets that the
    publisher then adopts. Returns the run statistics by domain.
    """
    stats = {}
    for domain, project_id in projects.items():
        name = f"{domain}-glue"
        existing = [
            d["dataSourceId"]
            for d in dz.list_data_sources(
                domainIdentifier=domain_id, projectIdentifier=project_id, name=name
            )["items"]
        ]
        source_id = existing[0] if existing else None
        if source_id is None:
            source_id = dz.create_data_source(
                domainIdentifier=domain_id,
                projectIdentifier=project_id,
                name=name,
                type="GLUE",
                configuration={
                    "glueRunConfiguration": {
                        "relationalFilterConfigurations": [
                            {
                                "databaseName": db,
                                "filterExpressions": [{"type": "INCLUDE", "expression": "*"}],
                            }
                            for db in databases.get(domain, [])
                        ]
                    }
                },
                publishOnImport=False,
                clientToken=client_token("CreateDataSource", domain_id, project_id, name),
            )["id"]
        run = dz.start_data_source_run(domainIdentifier=domain_id, dataSourceIdentifier=source_id)
        stats[domain] = run.get("runStatisticsForAssets") or {}
    return stats


def publish_glue(root: Path, domains: Sequence[Domain], aws: AwsClients) -> int:
    """`mesh publish glue`, called in-process; returns the tables updated."""
    report = publish("glue", PublishOptions(root=root), clients=aws, loaded=domains)
    return sum(a.kind == "table" for a in report.results["glue"].done)


def _quality(points: Any) -> str:
    """The Data Quality tab's score: `100% of 8` from the latest dbt-tests point, if any."""
    for point in points or ():
        if point.get("formName") == "dbt_tests":
            summary = json.loads(point.get("contentSummary") or "{}")
            score, count = summary.get("passingPercentage"), summary.get("evaluationsCount")
            return f"{score:g}% of {count}" if isinstance(score, int | float) else ""
    return ""


def consumer_view(dz: Any, domain_id: str, term: str) -> list[dict[str, Any]]:
    """What a consumer finds for a glossary term: data products and assets, with their forms."""
    found = []
    for hit in paginate(
        dz,
        "SearchListings",
        domainIdentifier=domain_id,
        searchText=term,
        additionalAttributes=["FORMS", "TIME_SERIES_DATA_POINT_FORMS"],
    ):
        kind, item = next(iter(hit.items()))
        extra = item.get("additionalAttributes") or {}
        forms = json.loads(extra.get("forms") or "{}")
        dbt = forms.get("dbt_model") or forms.get("dbt_data_product") or {}
        found.append(
            {
                "kind": "data product" if kind == "dataProductListing" else "asset",
                "name": item["name"],
                "owner": dbt.get("owner", ""),
                "terms": ", ".join(t["name"] for t in item.get("glossaryTerms") or ()),
                # a listing names them `latestTimeSeriesDataPointForms` (Search: `...Output`)
                "tests": _quality(extra.get("latestTimeSeriesDataPointForms")),
                "listing_id": item["listingId"],
            }
        )
    return found


def run_demo(
    root: Path,
    console: Console,
    *,
    artifacts: Path | None = None,
    terms: tuple[str, ...] = DEFAULT_TERMS,
) -> int:
    started = time.monotonic()
    config = load_config(root / "catalog/datazone.yml", env={})
    with stand_ins() as urls, environment(stand_in_env(urls)):
        console.print(f"stand-ins: moto {urls.moto_url}, DataZone emulator {urls.datazone_url}")
        aws = AwsClients(AwsSettings(region=REGION))
        domains = load_domains(root, artifacts)  # once, for the mirror and both publishers
        mirror = seed_glue(aws.glue, root, artifacts, loaded=domains)
        console.print(
            f"Glue (prod mirror): {len(mirror.databases)} databases, {len(mirror.tables)} tables"
        )
        console.print(f"Glue publish: {publish_glue(root, domains, aws)} tables documented")

        api = DataZoneApi.connect(aws, config)
        domain_projects = config.domain_projects(d.name for d in domains)
        projects = {config.governance_project, *domain_projects.values()}
        api.bootstrap(projects)
        api.resolve_projects(projects)
        marts = {
            d: [f"{d}_marts"] if f"{d}_marts" in mirror.databases else [] for d in domain_projects
        }
        stats = run_glue_data_sources(
            api.client,
            api.domain_id,
            {d: api.projects[p] for d, p in domain_projects.items()},
            marts,
        )
        imported = sum(s.get("added", 0) for s in stats.values())
        console.print(f"DataZone data source runs: {imported} Glue tables imported as assets")

        options = PublishOptions(root=root, artifacts=artifacts)
        report = publish("datazone", options, clients=aws, loaded=domains)
        plan, result = report.plan("datazone"), report.results["datazone"]
        counts = Counter(f"{action.kind} {action.op}" for action in plan.actions)
        console.print(
            "DataZone publish: "
            + ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
            + (f"; {len(result.failures)} failures" if result.failures else "")
        )
        options.dry_run = True
        again = publish("datazone", options, clients=aws, loaded=domains).plan("datazone")
        console.print(f"second publish would make {len(again.actions)} writes")

        consumer = boto3.client(
            "datazone",
            region_name=REGION,
            aws_access_key_id="AKIDCONSUMER",
            aws_secret_access_key="testing",  # pragma: allowlist secret
        )
        for term in terms:
            table = Table(title=f"a consumer searches DataZone for {term!r}")
            for column in ("kind", "name", "owner", "glossary terms", "tests"):
                table.add_column(column)
            for row in consumer_view(consumer, api.domain_id, term):
                table.add_row(row["kind"], row["name"], row["owner"], row["terms"], row["tests"])
            console.print(table)
    console.print(f"demo finished in {time.monotonic() - started:.1f} s; stand-ins stopped")
    return 0 if result.ok else 1
