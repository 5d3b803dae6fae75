"""Bad HTTP and bad starts get the model's error shape or one clear paragraph, never a dead
connection, a hang, a 500 or a traceback (FIDELITY.md, RQ-2 and RQ-3; issue 11, part 3)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.config import Config
from typer.testing import CliRunner

from mesh_standins.cli import app
from mesh_standins.datazone import start_background
from mesh_standins.datazone.server import MAX_BODY

pytestmark = pytest.mark.integration
CLI = [sys.executable, "-c", "from mesh_standins.cli import app; app()", "datazone"]


def _raw(url: str, head: bytes, body: bytes = b"", stream: int = 0) -> tuple[int, dict, dict]:
    """Send a hand-made request; (status, headers, JSON body) of the answer. `stream` bytes of
    zeros are sent after `body` (in 1 MiB writes) before the answer is read."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(head + body)
        chunk = b"\0" * 2**20
        sent = 0
        try:
            while sent < stream:
                sock.sendall(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may stop listening once it has answered
        data = b""
        while b"\r\n\r\n" not in data:
            more = sock.recv(65536)
            assert more, f"connection closed without an answer: {data!r}"
            data += more
        head_text, _, rest = data.partition(b"\r\n\r\n")
        lines = head_text.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        length = int(headers["content-length"])
        while len(rest) < length:
            more = sock.recv(65536)
            assert more, "connection closed in the middle of the answer"
            rest += more
    return status, headers, json.loads(rest[:length])


def _post(path: str, host: str, length: str) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


def _still_serving(url: str) -> None:
    with urllib.request.urlopen(f"{url}/_emulator/health", timeout=10) as resp:
        assert json.loads(resp.read())["status"] == "ok"


@pytest.mark.fidelity("RQ-3")
@pytest.mark.parametrize("length", ["abc", "-5", "1e3", "12, 13"])
def test_bad_content_length(emulator: Any, length: str) -> None:
    host = urlsplit(emulator.url).netloc
    status, headers, body = _raw(emulator.url, _post("/v2/domains", host, length), b"{}")
    assert (status, headers["x-amzn-errortype"]) == (400, "ValidationException")
    assert "is not a non-negative integer" in body["message"]
    assert headers["connection"] == "close"
    _still_serving(emulator.url)


@pytest.mark.fidelity("RQ-3")
def test_a_huge_declared_body_is_refused_before_reading(emulator: Any) -> None:
    host = urlsplit(emulator.url).netloc
    started = time.perf_counter()
    status, headers, body = _raw(emulator.url, _post("/v2/domains", host, str(10 * 2**30)))
    assert time.perf_counter() - started < 5  # answered without waiting for 10 GB
    assert (status, headers["x-amzn-errortype"]) == (413, "ValidationException")
    assert f"larger than the {MAX_BODY} bytes accepted" in body["message"]
    chunked = (
        f"POST /v2/domains HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()
    status, _, body = _raw(emulator.url, chunked, b"2\r\n{}\r\n0\r\n\r\n")
    assert status == 411 and "Content-Length" in body["message"]
    _still_serving(emulator.url)


@pytest.mark.fidelity("RQ-3")
def test_a_body_that_stops_arriving(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from mesh_standins.datazone import server

    monkeypatch.setattr(server._RequestHandler, "timeout", 0.5)
    host = urlsplit(emulator.url).netloc
    status, _, body = _raw(emulator.url, _post("/v2/domains", host, "100"), b'{"na')
    assert status == 400 and "ended after 4 of 100 bytes" in body["message"]


@pytest.mark.fidelity("RQ-2")
def test_deeply_nested_json_is_a_validation_error(dz: Any, emulator: Any) -> None:
    host = urlsplit(emulator.url).netloc
    depth = 100_000
    for body in (b"[" * depth + b"]" * depth, b'{"name": ' + b"[" * depth + b"]" * depth + b"}"):
        status, headers, answer = _raw(
            emulator.url, _post("/v2/domains", host, str(len(body))), body
        )
        assert (status, headers["x-amzn-errortype"]) == (400, "ValidationException")
        assert "nests JSON deeper" in answer["message"]
    status, headers, _ = _raw(emulator.url, _post("/v2/domains", host, "9"), b"not json!")
    assert (status, headers["x-amzn-errortype"]) == (400, "SerializationException")
    assert dz.list_domains()["items"] == []  # nothing half-done, and still serving


def _vm(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) // 1024
    raise AssertionError(field)


@pytest.fixture
def served() -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`mesh-standins datazone` in a child process (its memory is its own to measure)."""
    proc = subprocess.Popen([*CLI, "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        yield proc.stdout.readline().rsplit(" ", 1)[1].strip(), proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.fidelity("RQ-3")
def test_a_200_mb_body_is_not_read_into_memory(served: tuple[str, Any]) -> None:
    url, proc = served
    _still_serving(url)
    before = _vm(proc.pid, "VmHWM")
    host = urlsplit(url).netloc
    size = 200 * 2**20
    status, _, body = _raw(url, _post("/v2/domains", host, str(size)), stream=size)
    assert status == 413 and str(size) in body["message"]
    _still_serving(url)
    grown = _vm(proc.pid, "VmHWM") - before
    assert grown < 32, f"peak RSS grew by {grown} MiB for a refused 200 MB body"


@pytest.mark.fidelity("RQ-3")
def test_http_server_refusals_use_the_error_shape(emulator: Any) -> None:
    host = urlsplit(emulator.url).netloc
    status, headers, _ = _raw(
        emulator.url, f"BREW /v2/domains HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
    )
    assert (status, headers["x-amzn-errortype"]) == (501, "InternalServerException")
    many = "".join(f"X-H{i}: v\r\n" for i in range(150))
    status, headers, _ = _raw(emulator.url, f"GET /v2/domains HTTP/1.1\r\n{many}\r\n".encode())
    assert (status, headers["x-amzn-errortype"]) == (431, "ValidationException")
    _still_serving(emulator.url)


def _admin(url: str, body: Any) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        f"{url}/_emulator/faults",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"operation": "GetDomain", "rate": "abc"}, "rate: Input should be a valid number"),
        ({"operation": "GetDomain", "status": 999}, "status: Input should be less than or equal"),
        ({"operation": "GetDomain", "count": 0}, "count: Input should be greater than or equal"),
        ({"operation": "GetDomain", "every": 2, "rate": 0.5}, "at most one of count, every"),
        ({"operation": "GetDomians"}, "'GetDomians' is not a DataZone operation"),
        ({"operation": "GetDomain", "latency_ms": -1}, "latency_ms"),
        ({"operation": "GetDomain", "retries": 3}, "retries: Extra inputs are not permitted"),
        ([{"operation": "GetDomain"}], "a fault rule is a JSON object"),
    ],
)
def test_bad_fault_rules_are_refused_when_added(
    emulator: Any, dz: Any, rule: Any, expected: str
) -> None:
    status, body = _admin(emulator.url, rule)
    assert status == 400 and expected in body["message"], body
    assert emulator.admin.faults() == []
    assert dz.list_domains()["items"] == []  # no rule was left behind to fail calls


def _start(*args: str) -> Any:
    """Run `mesh-standins datazone` in-process, expecting it to refuse to start (it would serve
    forever otherwise): exit code 2, no exception escaping."""
    result = CliRunner().invoke(app, ["datazone", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 2, result.output
    return result


def test_state_on_an_unwritable_path_is_refused_at_start(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    state = blocker / "state.json"
    done = _start("--port", "0", "--state", str(state))
    assert f"state file {state} cannot be written" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{\n", "is not valid JSON (Expecting property name"),
        ("[1, 2, 3]", "holds a JSON list, not the emulator's state object"),
        ('{"version": 1, "tables": []}', "tables, keys, idempotency missing or not an object"),
        ('{"version": 99}', "has state version 99"),
    ],
)
def test_unusable_state_files_are_named(tmp_path: Path, content: str, expected: str) -> None:
    state = tmp_path / "state.json"
    state.write_text(content)
    done = _start("--port", "0", "--state", str(state))
    assert f"state file {state}" in done.stderr and expected in done.stderr
    assert "Traceback" not in done.stderr
    assert state.read_text() == content  # left as it was


def test_a_failing_save_never_fails_the_write(tmp_path: Path) -> None:
    state = tmp_path / "dir" / "state.json"
    with start_background(state_file=state) as running:
        dz = boto3.client(
            "datazone",
            endpoint_url=running.url,
            region_name="us-east-1",
            aws_access_key_id="AKID",
            aws_secret_access_key="x",
            config=Config(retries={"total_max_attempts": 1}),
        )
        for child in state.parent.iterdir():
            child.unlink()
        state.parent.rmdir()
        state.parent.write_text("the directory is gone")  # saving is impossible now
        created = dz.create_domain(
            name="kept", domainExecutionRole="arn:aws:iam::123456789012:role/r"
        )
        assert dz.get_domain(identifier=created["id"])["name"] == "kept"  # applied, and said so
        health = running.admin.health()
        assert health["persistError"] and str(state) in health["persistError"]
        with pytest.raises(urllib.error.HTTPError) as info:
            running.admin.save()
        assert info.value.code == 500
        state.parent.unlink()
        running.admin.save()  # saving works again
        assert running.admin.health()["persistError"] is None
    assert json.loads(state.read_text())["version"] == 1


def test_port_out_of_range_is_refused() -> None:
    done = _start("--port", "99999")
    assert "Invalid value for '--port'" in done.stderr and "65535" in done.stderr
    assert "Traceback" not in done.stderr and "OverflowError" not in done.stderr


def test_a_non_loopback_host_needs_allow_remote() -> None:
    done = _start("--host", "0.0.0.0", "--port", "0")
    assert "--host 0.0.0.0 is not a loopback address" in done.stderr
    assert "--allow-remote" in done.stderr
    proc = subprocess.Popen(
        [*CLI, "--host", "0.0.0.0", "--port", "0", "--allow-remote"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None
        line = proc.stdout.readline()
        assert line.startswith("DataZone emulator listening on http://0.0.0.0:")
        warning: list[str] = []
        reader = threading.Thread(target=lambda: warning.append(proc.stderr.readline()))
        reader.start()
        reader.join(timeout=10)
        assert warning and "warning: serving on 0.0.0.0" in warning[0]
        port = int(line.rsplit(":", 1)[1])
        _still_serving(f"http://127.0.0.1:{port}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
