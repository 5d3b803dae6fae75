"""`mesh data`, `mesh build`, `mesh parse` and `mesh docs generate`: raw data and dbt across
every domain."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mesh.console import console, print_failures, reports_mesh_errors
from mesh.project import Domain, find_root
from publish.errors import BadInputError

if TYPE_CHECKING:
    from mesh.build import MeshInvocation
    from mesh.runner import DomainRun

SelectOption = Annotated[
    list[str] | None,
    typer.Option(
        "--select",
        "-s",
        "--domain",
        "-d",
        help="Domain to include; `+name` adds its upstream domains, `name+` its downstream "
        "ones. Repeat for several. Default: every domain. (`--domain`/`-d` are aliases.)",
        show_default=False,
    ),
]
TargetOption = Annotated[
    str | None,
    typer.Option(
        "--target",
        "-t",
        help="dbt target from profiles.yml: local (DuckDB, default), dev or prod (Athena).",
        envvar="MESH_TARGET",
    ),
]

#: 1,000 times the base counts is 8 million orders: past that a laptop runs out of memory
MAX_SCALE = 1000.0


@reports_mesh_errors
def data(
    scale: Annotated[float, typer.Option(help="Multiplies every row count; 1 is small.")] = 1.0,
    seed: Annotated[int, typer.Option(help="Random seed; same seed, same files.")] = 42,
    as_of: Annotated[
        str | None,
        typer.Option(help="Day the extracts are 'as of' (YYYY-MM-DD). Default: today (UTC)."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Output folder. Default: data/raw in the repository."),
    ] = None,
) -> None:
    """Generate the raw retail data (Parquet) that the domains' sources read."""
    from rich.table import Table

    from mesh.rawdata import RawDataSpec, write_raw_data

    if not (math.isfinite(scale) and 0 < scale <= MAX_SCALE):
        raise BadInputError(
            f"--scale {scale} is not a multiple of the base row counts between 0 and {MAX_SCALE}",
            fix=f"pass --scale greater than 0 and at most {MAX_SCALE} (1 is small, 10 ten times "
            "more); the raw data was left as it was",
        )
    day = _day(as_of) if as_of else datetime.now(UTC).date()
    target = out or find_root() / "data" / "raw"
    _output_folder(target)
    counts = write_raw_data(RawDataSpec(seed=seed, scale=scale, as_of=day), target)
    table = Table("raw table", "rows", title=f"Raw data in {target} (as of {day}, seed {seed})")
    for name, rows in counts.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)
    console.print(
        "Raw data replaced: build with `mesh build --full-refresh`, since incremental models "
        "(sales.fct_orders) would keep rows merged from the previous files."
    )


def _output_folder(target: Path) -> None:
    """The folder the raw files go to, made before any file is generated."""
    fix = "pass --out a folder (new or existing), or leave it out for data/raw"
    if target.exists() and not target.is_dir():
        raise BadInputError("--out names a file, not a folder", file=target, fix=fix)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BadInputError(
            f"cannot create the output folder ({exc.strerror})", file=target, fix=fix
        ) from None


def _day(value: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise BadInputError(
            f"--as-of {value!r} is not a day",
            fix="pass --as-of as YYYY-MM-DD (e.g. 2026-11-01), or leave it out for today (UTC); "
            "the raw data was left as it was",
        ) from None


def _announce(index: int, total: int, domain: Domain, args: list[str]) -> None:
    console.rule(f"[bold][{index}/{total}] {domain.name}[/]  dbt {' '.join(args)}")


def _report(run: DomainRun) -> None:
    mark = "[green]OK[/]" if run.success else "[red]FAILED[/]"
    console.print(f"{mark} {run.domain} in {run.seconds:.1f}s")


def _summary(runs: list[DomainRun], planned: int) -> None:
    from rich.table import Table

    table = Table("domain", "models", "tests", "unit tests", "failed", "seconds", title="Mesh")
    for run in runs:
        table.add_row(
            run.domain,
            str(run.count("model")),
            str(run.count("test")),
            str(run.count("unit_test")),
            str(len(run.failures)) if run.failures else "-",
            f"{run.seconds:.1f}",
        )
    console.print(table)
    if len(runs) < planned:
        console.print(f"[yellow]{planned - len(runs)} downstream domain(s) not run.[/]")


def _run(invocation: MeshInvocation) -> None:
    from mesh.build import run_mesh

    root = find_root()
    planned: list[int] = [0]

    def start(index: int, total: int, domain: Domain, args: list[str]) -> None:
        planned[0] = total
        _announce(index, total, domain, args)

    runs = run_mesh(root, invocation, on_start=start, on_done=_report)
    _summary(runs, planned[0])
    if not all(run.success for run in runs):
        print_failures(runs)
        raise typer.Exit(1)


@reports_mesh_errors
def build(
    ctx: typer.Context,
    select: SelectOption = None,
    target: TargetOption = None,
    full_refresh: Annotated[
        bool, typer.Option("--full-refresh", help="Rebuild incremental models from scratch.")
    ] = False,
) -> None:
    """Run `dbt build` in every selected domain, upstream domains first.

    The order comes from each domain's dbt_loom.config.yml. Arguments after `--` go to
    dbt unchanged, e.g. `mesh build -s sales -- --select fct_orders+`.
    """
    from mesh.build import MeshInvocation

    extra = list(ctx.args) + (["--full-refresh"] if full_refresh else [])
    _run(MeshInvocation(("build",), target, tuple(select or ()), tuple(extra)))


@reports_mesh_errors
def docs(ctx: typer.Context, select: SelectOption = None, target: TargetOption = None) -> None:
    """Run `dbt docs generate` in every selected domain (catalog.json + the docs site).

    Each domain's site is written to `domains/<name>/target/index.html`; `dbt docs serve`
    inside a domain shows it.
    """
    from mesh.build import MeshInvocation

    _run(MeshInvocation(("docs", "generate"), target, tuple(select or ()), tuple(ctx.args)))


@reports_mesh_errors
def parse(ctx: typer.Context, select: SelectOption = None, target: TargetOption = None) -> None:
    """Run `dbt parse` in every selected domain: fast, writes each target/manifest.json.

    Enough for `mesh check`, sqlfluff's dbt templater and dbt-loom's downstream parses.
    """
    from mesh.build import MeshInvocation

    _run(MeshInvocation(("parse",), target, tuple(select or ()), tuple(ctx.args)))


@reports_mesh_errors
def freshness(ctx: typer.Context, select: SelectOption = None, target: TargetOption = None) -> None:
    """Run `dbt source freshness` in every selected domain (writes target/sources.json).

    The publisher and the docs portal show each model's freshness from it. Exit code 1 when
    a source is past its `error_after`; every domain is checked either way.
    """
    from mesh.build import MeshInvocation

    _run(
        MeshInvocation(
            ("source", "freshness"),
            target,
            tuple(select or ()),
            tuple(ctx.args),
            stop_on_failure=False,
        )
    )
