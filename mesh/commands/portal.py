"""`mesh docs portal` and `mesh docs serve`: the mesh-wide docs portal for consumers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mesh.console import console, err_console, reports_mesh_errors
from mesh.membership import refuse_outsiders_named
from mesh.profile import current_domains, target_artifacts
from mesh.project import find_root
from publish.errors import BadInputError

OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out",
        "-o",
        help="Folder of the site. Default: site/ in the repository.",
        show_default=False,
    ),
]


def _out(out: Path | None, root: Path | None = None) -> Path:
    return out if out is not None else (root or find_root()) / "site"


@reports_mesh_errors
def portal_build(
    out: OutOption = None,
    artifacts: Annotated[
        Path | None,
        typer.Option(
            help="Read artifacts from `<dir>/<domain>/manifest.json` instead of each "
            "`domains/<domain>/target/`.",
        ),
    ] = None,
    target: Annotated[
        str | None,
        typer.Option(
            "--target",
            "-t",
            help="Show the artifacts of this dbt target: `local` (default) reads each "
            "`domains/<domain>/target/`, any other `.mesh-state/<target>/` (ci/merge.sh passes "
            "the production build's target).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write the mesh docs portal: one static page for every domain, data product and
    public model, the cross-domain lineage graph, and each domain's own dbt docs.

    Reads each domain's target/ (run `mesh build` and `mesh docs generate` first), its
    data_products.yml and catalog/glossary.yml. Open the result with `mesh docs serve`.
    """
    from mesh.portal.collect import collect
    from mesh.portal.quality import read_history
    from mesh.portal.render import render_site

    root = find_root()
    if artifacts is None:
        refuse_outsiders_named(root)  # a dropped-in project is not the mesh's to show
    domains: tuple[str, ...] = ()
    if artifacts is None and target is not None:
        artifacts = target_artifacts(root, target)
        if artifacts is not None and artifacts.is_dir():
            domains = current_domains(root, artifacts, left_out="shown")
    site = _out(out, root)
    portal = collect(root, artifacts=artifacts, domains=domains, history=read_history(site))
    # after the load: the spinner is a thread, and the loader forks only without one
    with err_console.status(f"writing the portal ({len(portal.models)} public models)"):
        index = render_site(portal, site)
    for warning in portal.warnings:
        err_console.print(f"[yellow]warning:[/] {warning}", soft_wrap=True)
    console.print(
        f"Portal written to {index.parent}: {len(portal.domains)} domains, "
        f"{len(portal.products)} data products, {len(portal.models)} public models, "
        f"{sum(e.cross_domain for e in portal.edges)} cross-domain edges.",
        soft_wrap=True,  # the path stays whole, whatever the terminal's width
    )


@reports_mesh_errors
def serve(
    port: Annotated[
        int, typer.Option("--port", "-p", min=0, max=65535, help="Port on 127.0.0.1.")
    ] = 8580,
    out: OutOption = None,
) -> None:
    """Serve the portal written by `mesh docs portal` on http://127.0.0.1:PORT (Ctrl-C stops)."""
    from mesh.portal.render import MARKER
    from mesh.portal.serve import HOST, make_server

    site = _out(out)
    if not (site / "index.html").is_file() or not (site / MARKER).exists():
        raise BadInputError(
            "no docs portal here",
            file=site,
            fix="run `mesh docs portal` first (or pass --out the folder it wrote)",
        )
    try:
        server = make_server(site, port)
    except OSError as exc:
        raise BadInputError(
            f"cannot listen on {HOST}:{port} ({exc.strerror})",
            fix="pass another --port, or stop what uses that one",
        ) from None
    console.print(f"Serving {site} on http://{HOST}:{server.server_port}/ (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
