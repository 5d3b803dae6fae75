"""Fixtures: moto server (Glue) and the DataZone emulator, both on loopback, reset per test."""

from __future__ import annotations

import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from mesh_standins.datazone import EmulatorAdmin, RunningEmulator, start_background
from mesh_standins.moto_server import moto_server


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "fidelity(*ids): the rows of standins/mesh_standins/datazone/FIDELITY.md a test proves",
    )


PAGE_SIZE = 10  # small on purpose: every list and search in these tests pages
REGION = "us-east-1"
CREDENTIALS = {"aws_access_key_id": "AKIDPRODUCER", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture(scope="session")
def datazone_server(moto_url: str) -> Iterator[RunningEmulator]:
    with start_background(glue_endpoint=moto_url, page_size=PAGE_SIZE) as running:
        yield running


@pytest.fixture
def emulator(datazone_server: RunningEmulator, moto_url: str) -> RunningEmulator:
    """The shared emulator, emptied (state, counters, faults) along with moto before each test."""
    datazone_server.admin.reset()
    urllib.request.urlopen(urllib.request.Request(f"{moto_url}/moto-api/reset", method="POST"))
    return datazone_server


@pytest.fixture
def admin(emulator: RunningEmulator) -> EmulatorAdmin:
    return emulator.admin


@pytest.fixture
def make_datazone(emulator: RunningEmulator) -> Callable[..., Any]:
    """DataZone clients without client-side validation (the server must validate) or retries."""

    def make(access_key: str = "AKIDPRODUCER", **config: Any) -> Any:
        options = {
            "parameter_validation": False,
            "retries": {"mode": "standard", "total_max_attempts": 1},
        }
        return boto3.client(
            "datazone",
            endpoint_url=emulator.url,
            region_name=REGION,
            aws_access_key_id=access_key,
            aws_secret_access_key="testing",
            config=Config(**{**options, **config}),
        )

    return make


@pytest.fixture
def dz(make_datazone: Callable[..., Any]) -> Any:
    return make_datazone()


@pytest.fixture
def glue(moto_url: str, emulator: RunningEmulator) -> Any:
    return boto3.client("glue", endpoint_url=moto_url, region_name=REGION, **CREDENTIALS)


@pytest.fixture
def domain_id(dz: Any) -> str:
    return dz.create_domain(
        name="mesh", domainExecutionRole="arn:aws:iam::123456789012:role/dz-exec"
    )["id"]


@pytest.fixture
def project_id(dz: Any, domain_id: str) -> str:
    return dz.create_project(domainIdentifier=domain_id, name="sales")["id"]
