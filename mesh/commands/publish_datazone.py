"""`mesh publish datazone` and `mesh publish all`: publish the mesh's business metadata to DataZone.

Mounted by `mesh/commands/publish.py` (`app.command("datazone")(datazone)`,
`app.command("all")(publish_all)`).
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mesh.project import find_root
from publish.datazone.config import DEFAULT_CONFIG
from publish.errors import EXIT_ERROR, EXIT_OK, BadInputError, MeshError

if TYPE_CHECKING:
    from rich.console import Console

    from publish.aws import AwsSettings
    from publish.datazone.publisher import PublishOptions
    from publish.model import Domain

# The publisher (boto3, openlineage, ...) is imported when a command runs, so that
# `mesh publish datazone --help` starts fast.

EXIT_CODES = """
Exit codes: 0 = published, nothing to change, or a dry run; 1 = error while reading or writing
DataZone (writes already made are correct; run again to converge); 2 = bad input (artifacts,
datazone.yml, glossary.yml, data_products.yml, form types, a missing project), nothing written.
"""

DomainOpt = Annotated[
    list[str] | None, typer.Option("--domain", "-d", help="Publish only this domain (repeatable).")
]
ArtifactsOpt = Annotated[
    Path | None,
    typer.Option(help="Directory of downloaded artifacts, <dir>/<domain>/manifest.json ..."),
]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Print the plan, write nothing.")]


def _output_format(value: str) -> str:
    # `mesh publish all` hands the value to the Glue command's OutputFormat: reject others here
    if value not in ("text", "json"):
        raise typer.BadParameter(f"{value!r} is not one of 'text', 'json'")
    return value


OutputOpt = Annotated[
    str,
    typer.Option(
        "--output",
        "-o",
        help="Plan format: text or json (for CI).",
        callback=_output_format,
    ),
]
RootOpt = Annotated[
    Path | None,
    typer.Option(help="Repository root (holds domains/ and catalog/). Default: found from here."),
]
ConfigOpt = Annotated[Path, typer.Option(help="The DataZone configuration.")]
TodayOpt = Annotated[
    str | None,
    typer.Option(
        envvar="MESH_TODAY",
        help="The day deprecation dates are compared with (YYYY-MM-DD; default: today).",
    ),
]
BootstrapOpt = Annotated[
    bool,
    typer.Option(
        "--bootstrap",
        help="Create the DataZone domain (by name) and the mapped projects if missing "
        "(for the emulator and demos; in production they exist).",
    ),
]
DocsOpt = Annotated[
    str | None, typer.Option(envvar="MESH_DOCS_URL", help="Base URL of the dbt docs site.")
]
RegionOpt = Annotated[str | None, typer.Option(help="AWS region (default: datazone.yml).")]
ConcurrencyOpt = Annotated[int, typer.Option(min=1, max=64, help="Parallel writes.")]


def _today(value: str | None) -> date:
    if not value:
        return date.today()
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise BadInputError(
            f"--today {value!r} is not a date", fix="pass --today as YYYY-MM-DD"
        ) from None


def datazone(
    domain: DomainOpt = None,
    artifacts: ArtifactsOpt = None,
    dry_run: DryRunOpt = False,
    output: OutputOpt = "text",
    root: RootOpt = None,
    config: ConfigOpt = DEFAULT_CONFIG,
    today: TodayOpt = None,
    bootstrap: BootstrapOpt = False,
    docs_url: DocsOpt = None,
    region: RegionOpt = None,
    concurrency: ConcurrencyOpt = 8,
) -> None:
    """Publish glossary, form types, assets, listings, data products and lineage to DataZone.

    Only public models with an enforced contract are published; assets the publisher did not
    create or adopt (by Glue table ARN) are never touched; nothing is ever deleted.
    """
    from publish.aws import AwsSettings

    raise typer.Exit(
        publish_datazone(
            domains=tuple(domain or ()),
            artifacts=artifacts,
            dry_run=dry_run,
            as_json=output == "json",
            root=root,
            config=config,
            today=today,
            bootstrap=bootstrap,
            docs_url=docs_url,
            settings=AwsSettings(region=region, concurrency=concurrency),
        )
    )


def publish_datazone(
    *,
    domains: tuple[str, ...],
    artifacts: Path | None,
    dry_run: bool,
    as_json: bool,
    root: Path | None,
    config: Path,
    today: str | None,
    bootstrap: bool,
    docs_url: str | None,
    settings: AwsSettings,
    loaded: list[Domain] | None = None,
) -> int:
    """`mesh publish datazone` as a function: prints the plan (and errors), returns the exit code.

    `loaded`: the domains' artifacts when the caller already loaded them (`mesh publish all`).
    """
    from rich.console import Console

    from publish.datazone.publisher import PublishOptions

    out = Console(soft_wrap=True, highlight=False)
    err = Console(stderr=True, soft_wrap=True, highlight=False)
    try:
        return run_datazone(
            out,
            err,
            PublishOptions(
                root=root or find_root(),
                artifacts=artifacts,
                domains=domains,
                config=config,
                today=_today(today),
                docs_url=docs_url,
                bootstrap=bootstrap,
                settings=settings,
            ),
            dry_run=dry_run,
            as_json=as_json,
            loaded=loaded,
        )
    except MeshError as exc:
        err.print(f"error: {exc.paragraph()}", markup=False)
        return exc.exit_code


datazone.__doc__ = (datazone.__doc__ or "") + EXIT_CODES


def run_datazone(
    out: Console,
    err: Console,
    options: PublishOptions,
    *,
    dry_run: bool,
    as_json: bool,
    loaded: list[Domain] | None = None,
) -> int:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from publish.datazone.plan import render_plan, render_summary
    from publish.datazone.publisher import apply, prepare

    with err.status("reading DataZone", spinner="dots"):
        prepared = prepare(options, domains=loaded)
    plan = prepared.plan
    if dry_run or not plan.has_writes:
        if as_json:
            print(json.dumps(plan.to_dict(dry_run=dry_run), indent=2))
        else:
            render_plan(plan, out)
            render_summary(plan, out, None, dry_run=dry_run)
        return EXIT_OK
    if not as_json:
        render_plan(plan, out)
    with Progress(
        TextColumn("publishing to DataZone"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not sys.stderr.isatty(),
    ) as progress:
        task = progress.add_task("apply", total=len(plan.actions))
        result = apply(
            prepared,
            concurrency=options.settings.concurrency,
            on_done=lambda _a: progress.advance(task),
        )
    if as_json:
        print(json.dumps(plan.to_dict(result, dry_run=False), indent=2))
    else:
        render_summary(plan, out, result, dry_run=False)
    return EXIT_ERROR if result.failures or result.skipped else EXIT_OK


def publish_all(
    domain: DomainOpt = None,
    artifacts: ArtifactsOpt = None,
    dry_run: DryRunOpt = False,
    output: OutputOpt = "text",
    root: RootOpt = None,
    config: ConfigOpt = DEFAULT_CONFIG,
    today: TodayOpt = None,
    bootstrap: BootstrapOpt = False,
    docs_url: DocsOpt = None,
    region: RegionOpt = None,
    concurrency: ConcurrencyOpt = 8,
) -> None:
    """Publish to the Glue Data Catalog, then to DataZone (stops if Glue fails)."""
    from rich.console import Console

    from mesh.commands.publish import publish_glue
    from publish.artifacts import load_domains
    from publish.aws import AwsSettings

    err = Console(stderr=True, soft_wrap=True, highlight=False)
    try:
        root = root or find_root()
        loaded = load_domains(root, artifacts, domain or ())  # once, for both catalogs
    except MeshError as exc:
        err.print(f"error: {exc.paragraph()}", markup=False)
        raise typer.Exit(exc.exit_code) from None
    settings = AwsSettings(region=region, concurrency=concurrency)
    code = publish_glue(
        domains=domain or [],
        artifacts=artifacts,
        dry_run=dry_run,
        as_json=output == "json",
        root=root,
        docs_url=docs_url,
        settings=settings,
        loaded=loaded,
    )
    if code != EXIT_OK:
        raise typer.Exit(code)
    raise typer.Exit(
        publish_datazone(
            domains=tuple(domain or ()),
            artifacts=artifacts,
            dry_run=dry_run,
            as_json=output == "json",
            root=root,
            config=config,
            today=today,
            bootstrap=bootstrap,
            docs_url=docs_url,
            settings=settings,
            loaded=loaded,
        )
    )
