"""moto in server mode on a free loopback port: real HTTP for Glue, S3, STS, ... in tests."""

from __future__ import annotations

import logging
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from moto.server import ThreadedMotoServer


@contextmanager
def moto_server(host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Run ThreadedMotoServer on `port` (0: the OS picks a free one) and yield its base URL."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one access-log line per request
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    try:
        bound_host, port = server.get_host_and_port()
        yield f"http://{bound_host}:{port}"
    finally:
        server.stop()


def reset_moto(url: str) -> None:
    """Empty every moto backend: they live per process, so servers of one process share them."""
    request = urllib.request.Request(f"{url}/moto-api/reset", method="POST")
    urllib.request.urlopen(request, timeout=10).close()


def local_aws_env(moto_url: str, region: str = "us-east-1") -> dict[str, str]:
    """Environment that points boto3 (and everything built on it) at moto, with dummy keys."""
    return {
        "AWS_ENDPOINT_URL": moto_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",  # pragma: allowlist secret
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
    }
