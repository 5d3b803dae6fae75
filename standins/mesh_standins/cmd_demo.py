"""`mesh-standins demo-catalog`: the DataZone hands-on on the locally built mesh, on stand-ins."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mesh.console import console, reports_mesh_errors
from mesh.project import find_root


@reports_mesh_errors
def demo_catalog(
    root: Annotated[
        Path | None,
        typer.Option(
            help="Repository root (holds domains/ and catalog/). Default: found from here."
        ),
    ] = None,
    artifacts: Annotated[
        Path | None,
        typer.Option(
            help="Directory of artifacts, `<dir>/<domain>/manifest.json` (default: each "
            "domain's target/)"
        ),
    ] = None,
    term: Annotated[
        list[str] | None,
        typer.Option("--term", help="Glossary term a consumer searches for (repeatable)."),
    ] = None,
) -> None:
    """Start moto and the DataZone emulator, mirror the built tables into Glue, import them with a
    Glue data source, publish Glue then DataZone, and show what a consumer finds by glossary term.
    Needs the domains built and documented (`make demo` / `mesh build` + `mesh docs generate`)."""
    from mesh_standins.demo import DEFAULT_TERMS, run_demo

    terms = tuple(term) if term else DEFAULT_TERMS
    raise typer.Exit(run_demo(root or find_root(), console, artifacts=artifacts, terms=terms))
