"""`mesh check`: the mesh's governance rules on every domain's parsed manifest."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mesh.console import console, reports_mesh_errors
from mesh.membership import Misfit, join_fix, outsiders
from mesh.project import Domain, discover_domains, find_root

if TYPE_CHECKING:
    from mesh.governance import Violation


@reports_mesh_errors
def check(
    parse_first: Annotated[
        bool,
        typer.Option("--parse/--no-parse", help="Run `dbt parse` in each domain first."),
    ] = True,
) -> None:
    """Check governance: contracts, owners and docs on public models, 100% documentation,
    primary-key tests, layer naming, source() only in staging, known glossary terms and
    sensitivity labels, no deep chains of views, column types Athena's Iceberg tables can
    hold, schemas named `<domain>_<layer>`. A domain outside the mesh (own profile, no mesh
    core, own schema naming, folder and project names differing) is reported for itself;
    the others are checked all the same. Exit code 1 lists every violation."""
    from rich.markup import escape
    from rich.table import Table

    from mesh.build import parse_all
    from mesh.governance import check_domain, load_vocabulary

    root = find_root()
    domains = discover_domains(root)
    outside = outsiders(domains.values(), root)
    blocked = _reading_outsiders(domains, set(outside))
    members = [name for name in domains if name not in outside and name not in blocked]
    if parse_first and not parse_all(root, members):
        raise typer.Exit(1)
    vocabulary = load_vocabulary(root)
    violations = [
        *(_as_violation(root, name, m) for name, found in outside.items() for m in found),
        *(v for name, upstream in blocked.items() for v in _blocked(domains[name], upstream)),
        *(v for name in members for v in check_domain(domains[name], vocabulary)),
    ]
    if not violations:
        console.print("[green]Governance checks passed[/] for every domain.")
        return
    table = Table("rule", "node", "problem", "file", title=f"{len(violations)} violation(s)")
    for v in violations:
        table.add_row(v.rule, v.node, escape(v.problem), v.file)
    console.print(table)
    for name, found in outside.items():
        console.print(
            f"Domain [bold]{name}[/] is a dbt project outside the mesh (outside-mesh rows "
            f"above), so it was not checked. Fix: {escape(join_fix(name, found))}.",
            soft_wrap=True,
        )
    raise typer.Exit(1)


def _reading_outsiders(domains: dict[str, Domain], outside: set[str]) -> dict[str, str]:
    """Members that read (directly or not) a domain outside the mesh -> that domain."""
    import networkx as nx

    from mesh.order import domain_graph

    graph = domain_graph(domains)
    blocked = {}
    for name in domains:
        upstream = sorted(nx.ancestors(graph, name) & outside)
        if name not in outside and upstream:
            blocked[name] = upstream[0]
    return blocked


def _as_violation(root: Path, name: str, misfit: Misfit) -> Violation:
    from mesh.governance import Violation

    file = _relative(root, misfit.file)
    return Violation(f"outside-mesh/{misfit.rule}", name, misfit.problem, file)


def _blocked(domain: Domain, upstream: str) -> list[Violation]:
    from mesh.governance import Violation

    return [
        Violation(
            "outside-mesh/upstream",
            domain.name,
            f"reads domain {upstream!r}, which is outside the mesh: not checked until it joins",
            f"domains/{domain.name}/dbt_loom.config.yml",
        )
    ]


def _relative(root: Path, path: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
