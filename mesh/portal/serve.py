"""Serve the portal on loopback (`mesh docs serve`): the standard library's static file server."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"  # loopback only: the portal is for this machine's browser


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".json": "application/json",
        ".css": "text/css",
        ".svg": "image/svg+xml",
    }

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        if not getattr(self.server, "quiet", False):
            super().log_message(format, *args)


def make_server(site: Path, port: int = 0, *, quiet: bool = False) -> ThreadingHTTPServer:
    """A server for `site` on 127.0.0.1:`port` (0 = a free port; see `server.server_port`)."""
    handler = functools.partial(_Handler, directory=str(site))
    server = ThreadingHTTPServer((HOST, port), handler)
    server.quiet = quiet  # type: ignore[attr-defined]
    server.daemon_threads = True
    return server


def serve_in_thread(site: Path, port: int = 0) -> tuple[ThreadingHTTPServer, str]:
    """Start serving in a background thread (tests); returns the server and its base URL."""
    server = make_server(site, port, quiet=True)
    threading.Thread(target=server.serve_forever, name="portal-server", daemon=True).start()
    return server, f"http://{HOST}:{server.server_port}/"
