"""`mesh-standins`: the local stand-ins for AWS (moto, the DataZone emulator) and the catalog demo.

A separate command from `mesh` because the stand-ins are a development install
(`standins/`, installed by `make install`); the product (`mesh`, `publish`) never imports them.
"""

from __future__ import annotations

import typer

from mesh_standins.cmd_demo import demo_catalog
from mesh_standins.cmd_emulator import datazone
from mesh_standins.cmd_up import mirror, up

app = typer.Typer(
    rich_markup_mode="markdown",
    name="mesh-standins",
    help=(
        "Local stand-ins for AWS: `up` runs moto and the Amazon DataZone emulator for the CI "
        "journey and prints the environment to use; `datazone` the emulator alone; "
        "`demo-catalog` publishes the built mesh into fresh stand-ins and shows what a consumer "
        "finds."
    ),
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.command("up")(up)
app.command("mirror")(mirror)
app.command("datazone")(datazone)
app.command("demo-catalog")(demo_catalog)
