"""`mesh-standins up`: one command starts the stand-ins of the CI journey, prepares them as
production has them, prints the environment to use, and stops cleanly."""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest
from typer.testing import CliRunner

from mesh_standins.cli import app as standins_app

pytestmark = pytest.mark.integration

STANDINS = Path(sys.executable).parent / "mesh-standins"


def read_env(path: Path) -> dict[str, str]:
    env = {}
    for line in path.read_text().splitlines():
        if line.startswith("export "):
            key, _, value = line.removeprefix("export ").partition("=")
            env[key] = shlex.split(value)[0] if value else ""
    return env


def test_up_prepares_the_stand_ins_and_prints_the_environment(
    built_copy: Path, tmp_path: Path
) -> None:
    env_file = tmp_path / "standins.env"
    process = subprocess.Popen(
        [STANDINS, "up", "--moto-port", "0", "--datazone-port", "0", "--env-file", env_file],
        env={**os.environ, "MESH_ROOT": str(built_copy)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not env_file.exists():
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            assert time.monotonic() < deadline, "mesh-standins up did not come up in 120 s"
            time.sleep(0.5)
        env = read_env(env_file)
        assert env["MESH_ARTIFACT_STORE"] == "s3://mesh-artifacts/dbt-artifacts/prod"
        assert env["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
        assert env["AWS_ENDPOINT_URL_DATAZONE"].startswith("http://127.0.0.1:")
        session = boto3.session.Session(
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
            region_name=env["AWS_REGION"],
        )
        s3 = session.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"])
        assert {b["Name"] for b in s3.list_buckets()["Buckets"]} >= {"mesh-artifacts", "mesh-docs"}
        glue = session.client("glue", endpoint_url=env["AWS_ENDPOINT_URL"])
        marts = glue.get_tables(DatabaseName="sales_marts")["TableList"]
        assert {t["Name"] for t in marts} >= {"fct_orders", "dim_products"}
        dz = session.client("datazone", endpoint_url=env["AWS_ENDPOINT_URL_DATAZONE"])
        (domain,) = [d for d in dz.list_domains()["items"] if d["name"] == "analytics-mesh"]
        projects = {p["name"] for p in dz.list_projects(domainIdentifier=domain["id"])["items"]}
        assert projects >= {"customers", "sales", "marketing", "data-governance"}
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    for key in ("AWS_ENDPOINT_URL", "MESH_ARTIFACT_STORE", "MESH_DOCS_BUCKET"):
        assert f"export {key}=" in output
    assert "stand-ins stopped" in output
    assert not env_file.exists(), "a stale environment file was left behind"


def test_up_refuses_a_port_in_use(built_copy: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(standins_app, ["up", "--moto-port", str(port)])
    output = " ".join(result.output.split())
    assert result.exit_code == 2, output
    assert f"127.0.0.1:{port}" in output
    assert "--moto-port" in output


def test_mirror_refuses_to_seed_real_aws(built_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    result = CliRunner().invoke(standins_app, ["mirror"])
    output = " ".join(result.output.split())
    assert result.exit_code == 2, output
    assert "AWS_ENDPOINT_URL is not set" in output
    assert "mesh-standins up" in output


def test_up_refuses_a_port_out_of_range() -> None:
    """Before: OverflowError traceback from bind()."""
    result = CliRunner().invoke(standins_app, ["up", "--moto-port", "99999"])
    assert result.exit_code == 2, result.output
    assert "--moto-port" in result.output and "65535" in result.output


def test_up_refuses_an_env_file_that_is_a_folder_before_starting(tmp_path: Path) -> None:
    """Before: the stand-ins started and prepared, then an IsADirectoryError traceback."""
    result = CliRunner().invoke(
        standins_app,
        ["up", "--moto-port", "0", "--datazone-port", "0", "--env-file", str(tmp_path)],
    )
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    assert f"{tmp_path}: is a folder, not the file the environment is written to" in message
    assert "moto:" not in message  # nothing was started
