"""The admin surface: call counters, deterministic faults seen through botocore retries,
reset; persistence across restarts; the `mesh-standins datazone` command."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.handlers import generate_idempotent_uuid

from mesh_standins.datazone import EmulatorAdmin, start_background

pytestmark = pytest.mark.integration


def test_counters_separate_reads_from_writes(
    dz: Any, admin: Any, domain_id: str, project_id: str
) -> None:
    dz.get_project(domainIdentifier=domain_id, identifier=project_id)
    dz.get_project(domainIdentifier=domain_id, identifier=project_id)
    assert admin.calls() == {"CreateDomain": 1, "CreateProject": 1, "GetProject": 2}
    assert admin.writes() == {"CreateDomain": 1, "CreateProject": 1}
    assert admin.reads() == {"GetProject": 2}
    admin.reset_calls()
    assert admin.calls() == {}


def test_one_throttle_is_retried_transparently(
    make_datazone: Any, admin: Any, domain_id: str
) -> None:
    dz = make_datazone(retries={"mode": "standard", "max_attempts": 3})
    admin.reset_calls()
    admin.inject("GetDomain", "ThrottlingException", count=1)
    response = dz.get_domain(identifier=domain_id)
    assert response["ResponseMetadata"]["RetryAttempts"] == 1
    assert admin.calls() == {"GetDomain": 2}
    assert admin.faults() == []  # a count rule goes away once spent


def test_fault_shapes(make_datazone: Any, admin: Any, domain_id: str) -> None:
    dz = make_datazone()  # no retries: every injected fault surfaces
    admin.inject("GetDomain", "InternalServerException", every=3)
    outcomes = []
    for _ in range(9):
        try:
            dz.get_domain(identifier=domain_id)
            outcomes.append("ok")
        except ClientError as err:
            outcomes.append(
                (err.response["Error"]["Code"], err.response["ResponseMetadata"]["HTTPStatusCode"])
            )
    assert outcomes == ["ok", "ok", ("InternalServerException", 500)] * 3
    admin.clear_faults()

    def run(seed: int) -> list[bool]:
        admin.clear_faults()
        admin.inject("GetDomain", "ThrottlingException", rate=0.5, seed=seed, status=400)
        results = []
        for _ in range(20):
            try:
                dz.get_domain(identifier=domain_id)
                results.append(True)
            except ClientError as err:
                assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 400
                results.append(False)
        return results

    assert run(7) == run(7)  # seeded: the same calls fail every time
    assert 0 < run(7).count(False) < 20
    admin.clear_faults()
    admin.inject("GetDomain", "none", latency_ms=150, count=1)
    started = time.perf_counter()
    dz.get_domain(identifier=domain_id)
    assert time.perf_counter() - started >= 0.15
    with pytest.raises(Exception, match="400"):
        admin.inject("GetDomain", "NoSuchError")


def _asset(domain_id: str, project_id: str, name: str) -> dict[str, Any]:
    form = json.dumps({"tableName": name, "tableArn": f"arn:{name}"})
    return {
        "domainIdentifier": domain_id,
        "owningProjectIdentifier": project_id,
        "name": name,
        "typeIdentifier": "amazon.datazone.GlueTableAssetType",
        "formsInput": [{"formName": "GlueTableForm", "content": form}],
    }


def _lineage_event() -> bytes:
    return json.dumps(
        {
            "eventTime": "2025-01-01T10:00:00Z",
            "producer": "https://github.com/dbt",
            "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
            "run": {"runId": "r1"},
            "job": {"namespace": "dbt", "name": "job"},
        }
    ).encode()


def test_after_fault_keeps_the_write_and_the_retry_replays_it(
    make_datazone: Any, admin: Any, domain_id: str, project_id: str
) -> None:
    """The write succeeded but its response was lost: botocore retries with the clientToken it
    filled in, and gets the original asset back instead of a duplicate."""
    dz = make_datazone(retries={"mode": "standard", "max_attempts": 3})
    admin.inject("CreateAsset", "InternalServerException", count=1, after=True)
    assert admin.faults()[0]["after"] is True
    created = dz.create_asset(**_asset(domain_id, project_id, "orders"))
    assert created["ResponseMetadata"]["RetryAttempts"] == 1
    assert admin.calls()["CreateAsset"] == 2
    found = dz.search(domainIdentifier=domain_id, searchScope="ASSET")["items"]
    assert [i["assetItem"]["identifier"] for i in found] == [created["id"]]
    assert admin.faults() == []


def test_after_fault_without_client_token_repeats_the_write(
    make_datazone: Any, admin: Any, domain_id: str, project_id: str
) -> None:
    """Without a clientToken the retry is handled as a new request: a duplicate lineage event,
    and for CreateAsset a ConflictException on the name its own lost first attempt took."""
    dz = make_datazone(retries={"mode": "standard", "max_attempts": 3})
    dz.meta.events.unregister("before-parameter-build", generate_idempotent_uuid)
    admin.inject("PostLineageEvent", "ThrottlingException", count=1, after=True)
    dz.post_lineage_event(domainIdentifier=domain_id, event=_lineage_event())
    assert len(dz.list_lineage_events(domainIdentifier=domain_id)["items"]) == 2
    admin.inject("CreateAsset", "InternalServerException", count=1, after=True)
    with pytest.raises(ClientError, match="ConflictException"):
        dz.create_asset(**_asset(domain_id, project_id, "orders"))
    assert len(dz.search(domainIdentifier=domain_id, searchScope="ASSET")["items"]) == 1
    with pytest.raises(Exception, match="400"):
        admin.inject("GetDomain", after="yes")


def test_reset_drops_state(dz: Any, admin: Any, domain_id: str) -> None:
    admin.reset()
    with pytest.raises(ClientError):
        dz.get_domain(identifier=domain_id)
    assert admin.calls() == {"GetDomain": 1}


def test_state_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "datazone.json"

    def client(url: str) -> Any:
        return boto3.client(
            "datazone",
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id="AKID",
            aws_secret_access_key="x",
        )

    with start_background(state_file=state) as first:
        domain = client(first.url).create_domain(
            name="kept", domainExecutionRole="arn:aws:iam::123456789012:role/r"
        )
        dz = client(first.url)
        project = dz.create_project(domainIdentifier=domain["id"], name="p")["id"]
        dz.create_glossary(
            domainIdentifier=domain["id"],
            name="searchable glossary",
            owningProjectIdentifier=project,
            clientToken="tok",
        )
    with start_background(state_file=state) as second:
        dz = client(second.url)
        assert dz.get_domain(identifier=domain["id"])["name"] == "kept"
        found = dz.search(
            domainIdentifier=domain["id"], searchScope="GLOSSARY", searchText="searchable"
        )
        assert len(found["items"]) == 1  # indexes are rebuilt on load
        again = dz.create_glossary(
            domainIdentifier=domain["id"],
            name="searchable glossary",
            owningProjectIdentifier=project,
            clientToken="tok",
        )
        assert again["id"] == found["items"][0]["glossaryItem"]["id"]


def test_cli_starts_the_emulator() -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from mesh_standins.cli import app; app()",
            "datazone",
            "--port",
            "0",
            "--page-size",
            "5",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("DataZone emulator listening on http://127.0.0.1:")
        url = line.rsplit(" ", 1)[1].strip()
        assert EmulatorAdmin(url).health()["pageSize"] == 5
        dz = boto3.client(
            "datazone",
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id="AKID",
            aws_secret_access_key="x",
            config=Config(retries={"max_attempts": 1}),
        )
        assert dz.list_domains()["items"] == []
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_env_endpoint_is_enough(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The publisher's code path: no endpoint_url argument, only AWS_ENDPOINT_URL_DATAZONE."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_DATAZONE", emulator.url)
    session = boto3.session.Session(
        aws_access_key_id="AKID", aws_secret_access_key="x", region_name="eu-west-1"
    )
    created = session.client("datazone").create_domain(name="env")
    assert created["arn"].startswith("arn:aws:datazone:eu-west-1:123456789012:domain/dzd_")
