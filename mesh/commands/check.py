"""`mesh check`: the mesh's governance rules on every domain's parsed manifest."""

from __future__ import annotations

from typing import Annotated

import typer

from mesh.console import console, reports_mesh_errors
from mesh.project import discover_domains, find_root


@reports_mesh_errors
def check(
    parse_first: Annotated[
        bool,
        typer.Option("--parse/--no-parse", help="Run `dbt parse` in each domain first."),
    ] = True,
) -> None:
    """Check governance: contracts, owners and docs on public models, 100% documentation,
    primary-key tests, layer naming, source() only in staging, known glossary terms and
    sensitivity labels, no deep chains of views. Exit code 1 lists every violation."""
    from rich.table import Table

    from mesh.build import parse_all
    from mesh.governance import check_domain, load_vocabulary

    root = find_root()
    if parse_first and not parse_all(root):
        raise typer.Exit(1)
    vocabulary = load_vocabulary(root)
    violations = [v for d in discover_domains(root).values() for v in check_domain(d, vocabulary)]
    if not violations:
        console.print("[green]Governance checks passed[/] for every domain.")
        return
    table = Table("rule", "node", "problem", "file", title=f"{len(violations)} violation(s)")
    for v in violations:
        table.add_row(v.rule, v.node, v.problem, v.file)
    console.print(table)
    raise typer.Exit(1)
