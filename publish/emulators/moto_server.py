"""moto in server mode on a free loopback port: real HTTP for Glue, S3, STS, ... in tests."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from moto.server import ThreadedMotoServer


@contextmanager
def moto_server(host: str = "127.0.0.1") -> Iterator[str]:
    """Run ThreadedMotoServer on port 0 (the OS picks a free one) and yield its base URL."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one access-log line per request
    server = ThreadedMotoServer(ip_address=host, port=0, verbose=False)
    server.start()
    try:
        bound_host, port = server.get_host_and_port()
        yield f"http://{bound_host}:{port}"
    finally:
        server.stop()
