"""HTTP front of the emulator: a ThreadingHTTPServer speaking HTTP/1.1 keep-alive, run in the
foreground (CLI) or in a background thread (tests, demo, benchmarks).

Bad HTTP gets an answer in the service's error shape and a closed connection, never a dropped
one (FIDELITY.md, RQ-3): a `Content-Length` that is not a non-negative integer (400), a body
declared larger than MAX_BODY (413, refused before reading it), a chunked body (411), a body
that stops arriving (400 after the socket timeout), and http.server's own refusals.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from mesh_standins.datazone.app import DEFAULT_PAGE_SIZE, Emulator
from mesh_standins.datazone.client import EmulatorAdmin
from mesh_standins.datazone.errors import ServiceError
from mesh_standins.datazone.protocol import serialize_error

log = logging.getLogger(__name__)
#: largest request body read (the largest DataZone request, 10 forms of 500,000 characters, fits)
MAX_BODY = 10 * 2**20
#: seconds a connection may stay silent mid-request (and idle between keep-alive requests)
SOCKET_TIMEOUT = 60.0
#: what is read and thrown away after refusing a body, so the client can read the refusal
_DRAIN_LIMIT = 256 * 2**20
_DRAIN_SECONDS = 2.0
_DIGITS = re.compile(r"[0-9]+")
Response = tuple[int, dict[str, str], bytes]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: Emulator) -> None:
        super().__init__(address, _RequestHandler)
        self.app = app

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that vanished mid-response is not the server's error; no thread traceback.
        log.debug("connection from %s ended with an error", client_address, exc_info=True)


def _refusal(status: int, message: str) -> Response:
    code = "ValidationException" if status < 500 else "InternalServerException"
    return serialize_error(ServiceError(code, message, status))


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: botocore reuses pooled connections
    timeout = SOCKET_TIMEOUT
    server: _Server

    def setup(self) -> None:
        super().setup()
        # One write per response plus no Nagle: avoids 40 ms delayed-ACK stalls on loopback.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _body_length(self) -> int | Response:
        """The declared body length, or the refusal of a body that will not be read."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return _refusal(411, "Chunked request bodies are not accepted; send Content-Length")
        values = self.headers.get_all("Content-Length") or []
        if not values:
            return 0
        text = values[0].strip()
        if len(set(values)) > 1 or not _DIGITS.fullmatch(text):
            shown = ", ".join(repr(v) for v in values)
            return _refusal(400, f"Content-Length {shown} is not a non-negative integer")
        length = int(text)
        if length > MAX_BODY:
            return _refusal(
                413, f"Request body of {length} bytes is larger than the {MAX_BODY} bytes accepted"
            )
        return length

    def _serve(self) -> None:
        try:
            self._answer()
        except Exception:  # a bug here must still answer like the service, not drop the line
            log.exception("%s %s failed", self.command, self.path)
            self._send(*_refusal(500, "The emulator failed to answer this request"), close=True)

    def _answer(self) -> None:
        length = self._body_length()
        if not isinstance(length, int):
            self._send(*length, close=True)
            return
        body = self._read(length)
        if len(body) < length:
            self._send(*_refusal(400, f"Request body ended after {len(body)} of {length} bytes"))
            self.close_connection = True
            return
        self._send(*self.server.app.handle(self.command, self.path, dict(self.headers), body))

    def _read(self, length: int) -> bytes:
        """Up to `length` body bytes; fewer if the client stops sending (socket timeout)."""
        chunks: list[bytes] = []
        got = 0
        try:
            while got < length:
                chunk = self.rfile.read1(min(65536, length - got))  # type: ignore[attr-defined]
                if not chunk:
                    break
                chunks.append(chunk)
                got += len(chunk)
        except (TimeoutError, ConnectionError):
            pass
        return b"".join(chunks)

    def _send(
        self, status: int, headers: dict[str, str], payload: bytes, close: bool = False
    ) -> None:
        if self.command == "HEAD":
            payload = b""
        phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
        lines = [f"HTTP/1.1 {status} {phrase}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        lines += [f"Content-Length: {len(payload)}", "x-amzn-RequestId: emulator"]
        lines += ["Connection: close", "", ""] if close else ["", ""]
        try:
            self.wfile.write("\r\n".join(lines).encode("latin-1") + payload)
            self.wfile.flush()
        except OSError:
            self.close_connection = True
            return
        if close:
            self.close_connection = True
            self._drain()

    def _drain(self) -> None:
        """Read (and drop) what the client still sends, in small bounded reads, so closing the
        socket does not reset the connection before the client has read the refusal."""
        try:
            self.connection.shutdown(socket.SHUT_WR)
            self.connection.settimeout(_DRAIN_SECONDS)
            left = _DRAIN_LIMIT
            while left > 0:
                chunk = self.connection.recv(min(65536, left))
                if not chunk:
                    break
                left -= len(chunk)
        except OSError:
            pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (bad request line, too many headers, ...) in the
        service's error shape instead of an HTML page."""
        self.close_connection = True
        self._send(*_refusal(code, message or HTTPStatus(code).phrase), close=True)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: tests and benchmarks make many thousands of requests


def is_loopback(host: str) -> bool:
    """True if every address `host` names is a loopback address."""
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    addresses = {info[4][0] for info in infos}
    return bool(addresses) and all(
        ipaddress.ip_address(str(a).split("%")[0]).is_loopback for a in addresses
    )


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
