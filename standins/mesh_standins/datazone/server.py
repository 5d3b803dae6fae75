"""HTTP front of the emulator: a ThreadingHTTPServer speaking HTTP/1.1 keep-alive, run in the
foreground (CLI) or in a background thread (tests, demo, benchmarks)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

from mesh_standins.datazone.app import DEFAULT_PAGE_SIZE, Emulator
from mesh_standins.datazone.client import EmulatorAdmin


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: Emulator) -> None:
        super().__init__(address, _RequestHandler)
        self.app = app


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: botocore reuses pooled connections
    server: _Server

    def setup(self) -> None:
        super().setup()
        # One write per response plus no Nagle: avoids 40 ms delayed-ACK stalls on loopback.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, headers, payload = self.server.app.handle(
            self.command, self.path, dict(self.headers.items()), body
        )
        if self.command == "HEAD":
            payload = b""
        lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        lines += [f"Content-Length: {len(payload)}", "x-amzn-RequestId: emulator", "", ""]
        self.wfile.write("\r\n".join(lines).encode("latin-1") + payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: tests and benchmarks make many thousands of requests


@dataclass
class RunningEmulator:
    """A started emulator: its base URL, the app inside it, and how to stop it."""

    url: str
    app: Emulator
    _server: _Server
    _thread: threading.Thread = field(repr=False)

    @property
    def admin(self) -> EmulatorAdmin:
        return EmulatorAdmin(self.url)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
        self.app.persist()

    def __enter__(self) -> RunningEmulator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _url(server: _Server) -> str:
    host, port = server.server_address[:2]
    return f"http://{host.decode() if isinstance(host, bytes) else host}:{port}"


def _make_server(
    host: str, port: int, state_file: Path | None, glue_endpoint: str | None, page_size: int
) -> _Server:
    app = Emulator(state_file=state_file, glue_endpoint=glue_endpoint, page_size=page_size)
    return _Server((host, port), app)


def start_background(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    state_file: Path | None = None,
    glue_endpoint: str | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> RunningEmulator:
    """Start on a (by default free, loopback) port in a daemon thread; returns once it listens."""
    server = _make_server(host, port, state_file, glue_endpoint, page_size)
    thread = threading.Thread(target=server.serve_forever, name="datazone-emulator", daemon=True)
    thread.start()
    return RunningEmulator(_url(server), server.app, server, thread)


def serve_forever(
    *,
    host: str,
    port: int,
    state_file: Path | None = None,
    glue_endpoint: str | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve in the foreground until interrupted; the state file is written on the way out."""
    server = _make_server(host, port, state_file, glue_endpoint, page_size)
    if on_ready is not None:
        on_ready(_url(server))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        server.app.persist()
