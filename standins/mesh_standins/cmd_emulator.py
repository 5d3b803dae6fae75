"""`mesh-standins datazone`: the local Amazon DataZone emulator (moto has no DataZone)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def datazone(
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="Port to listen on (0 picks a free one).")
    ] = 8765,
    host: Annotated[
        str,
        typer.Option(
            help="Interface to bind. Only loopback unless --allow-remote: the admin routes "
            "(/_emulator/: reset, faults, state) have no authentication."
        ),
    ] = "127.0.0.1",
    allow_remote: Annotated[
        bool,
        typer.Option(
            "--allow-remote",
            help="Allow a --host other machines can reach (anyone there can reset the state).",
        ),
    ] = False,
    state: Annotated[
        Path | None,
        typer.Option(help="JSON file to load state from and save it to (checked at start)."),
    ] = None,
    glue_endpoint: Annotated[
        str | None,
        typer.Option(help="Glue endpoint (e.g. moto server URL) that data source runs read."),
    ] = None,
    page_size: Annotated[
        int, typer.Option(min=1, max=50, help="Largest page any list or search returns.")
    ] = 50,
) -> None:
    """Serve an Amazon DataZone emulator; point boto3 at it with AWS_ENDPOINT_URL_DATAZONE."""
    from mesh_standins.datazone.server import is_loopback, serve_forever

    if not is_loopback(host):
        if not allow_remote:
            typer.echo(
                f"mesh-standins datazone: --host {host} is not a loopback address, and the "
                "emulator's admin routes (/_emulator/: reset, faults, save) have no "
                "authentication; keep the default 127.0.0.1, or pass --allow-remote to serve "
                "other machines anyway.",
                err=True,
            )
            raise typer.Exit(2)
        typer.echo(
            f"mesh-standins datazone: warning: serving on {host}; anyone who can reach it can "
            "reset the state and inject faults (/_emulator/ has no authentication).",
            err=True,
        )
    try:
        serve_forever(
            host=host,
            port=port,
            state_file=state,
            glue_endpoint=glue_endpoint,
            page_size=page_size,
            on_ready=lambda url: typer.echo(f"DataZone emulator listening on {url}", err=False),
        )
    except (OSError, ValueError, OverflowError) as err:
        typer.echo(f"mesh-standins datazone: cannot start: {err}", err=True)
        raise typer.Exit(2) from err
