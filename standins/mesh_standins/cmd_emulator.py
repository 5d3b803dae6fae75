"""`mesh-standins datazone`: the local Amazon DataZone emulator (moto has no DataZone)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def datazone(
    port: Annotated[int, typer.Option(help="Port to listen on (0 picks a free one).")] = 8765,
    host: Annotated[str, typer.Option(help="Interface to bind; keep loopback.")] = "127.0.0.1",
    state: Annotated[
        Path | None, typer.Option(help="JSON file to load state from and save it to.")
    ] = None,
    glue_endpoint: Annotated[
        str | None,
        typer.Option(help="Glue endpoint (e.g. moto server URL) that data source runs read."),
    ] = None,
    page_size: Annotated[
        int, typer.Option(min=1, help="Largest page any list or search returns.")
    ] = 50,
) -> None:
    """Serve an Amazon DataZone emulator; point boto3 at it with AWS_ENDPOINT_URL_DATAZONE."""
    from mesh_standins.datazone.server import serve_forever

    try:
        serve_forever(
            host=host,
            port=port,
            state_file=state,
            glue_endpoint=glue_endpoint,
            page_size=page_size,
            on_ready=lambda url: typer.echo(f"DataZone emulator listening on {url}", err=False),
        )
    except (OSError, ValueError) as err:
        typer.echo(f"mesh-standins datazone: cannot start: {err}", err=True)
        raise typer.Exit(2) from err
