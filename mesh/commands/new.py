"""`mesh new domain`: scaffold a domain in the house style."""

from __future__ import annotations

from typing import Annotated

import typer

from mesh.console import console, reports_mesh_errors
from mesh.project import find_root

app = typer.Typer(
    rich_markup_mode="markdown",
    help="Scaffold new parts of the mesh.",
    no_args_is_help=True,
)


@app.command("domain")
@reports_mesh_errors
def domain(
    name: Annotated[
        str,
        typer.Argument(
            metavar="NAME",
            help="The domain's name: its folder under domains/, its dbt project and the prefix "
            "of its schemas (`NAME_staging`, `NAME_marts`, ...). Lower case, digits and `_`.",
        ),
    ],
    reads: Annotated[
        list[str] | None,
        typer.Option(
            "--reads",
            metavar="DOMAIN[.MODEL]",
            help="An upstream domain whose public model the new domain imports (its first "
            "public, contracted model by name, or MODEL). Repeat for several. The upstream "
            "must be parsed or built (`mesh parse -s +DOMAIN`).",
        ),
    ] = None,
    owner: Annotated[
        str | None,
        typer.Option(help="Email of the owning team. Default: `NAME-team@example.com`."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List the files it would write; write nothing.")
    ] = False,
) -> None:
    """Write domains/NAME/ in the house style: shared profile, mesh core, schema naming,
    dbt-loom config, group, staging over example rows, one private `int_` import per
    `--reads`, a documented, contracted and tested public mart, a data product and an
    overview doc. It builds, passes `mesh check`, shows in the portal and publishes as
    written (DataZone project: NAME, unless catalog/datazone.yml maps it)."""
    from mesh.scaffold import plan_domain, write_scaffold  # jinja2 and the loader: when it runs

    root = find_root()
    scaffold = plan_domain(root, name, reads or (), owner)
    where = scaffold.folder.relative_to(root)
    verb = "Would write" if dry_run else "Wrote"
    console.print(f"{verb} domain [bold]{name}[/] in {where}/ (owner {scaffold.spec.owner}):")
    for path in scaffold.paths():
        link = scaffold.links.get(path)
        console.print(f"  {where}/{path}" + (f" -> {link}" if link else ""))
    for item in scaffold.spec.imports:
        console.print(f"  reads {item.model.label} through {item.name} (key {item.fk})")
    if dry_run:
        return
    write_scaffold(scaffold)
    console.print(
        f"Next: `mesh build -s +{name}`, `mesh check`, `mesh docs generate -s {name}` and "
        f"`mesh docs portal`; then replace the example rows of {scaffold.spec.staging} with "
        "the domain's sources.",
        soft_wrap=True,
    )
