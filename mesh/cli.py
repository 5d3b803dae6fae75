"""The `mesh` command line: one entry point for building domains and publishing their metadata."""

from __future__ import annotations

import typer

from mesh.commands import build as build_commands
from mesh.commands.check import check
from mesh.commands.ci import app as ci_app
from mesh.commands.new import app as new_app
from mesh.commands.portal import portal_build
from mesh.commands.portal import serve as docs_serve
from mesh.commands.publish import app as publish_app

app = typer.Typer(
    rich_markup_mode="markdown",
    name="mesh",
    help=(
        "Build the dbt domains of the analytics mesh and publish their metadata "
        "to the Glue Data Catalog and Amazon DataZone."
    ),
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)

_PASS_THROUGH = {"allow_extra_args": True, "ignore_unknown_options": True}
app.command("data")(build_commands.data)
app.command("build", context_settings=_PASS_THROUGH)(build_commands.build)
docs_app = typer.Typer(
    rich_markup_mode="markdown",
    help="Documentation: dbt docs per domain, and the mesh docs portal for consumers.",
    no_args_is_help=True,
)
docs_app.command("generate", context_settings=_PASS_THROUGH)(build_commands.docs)
docs_app.command("portal")(portal_build)
docs_app.command("serve")(docs_serve)
app.add_typer(docs_app, name="docs")
app.command("parse", context_settings=_PASS_THROUGH)(build_commands.parse)
app.command("freshness", context_settings=_PASS_THROUGH)(build_commands.freshness)
app.command("check")(check)
app.add_typer(publish_app, name="publish")
app.add_typer(ci_app, name="ci")
app.add_typer(new_app, name="new")
