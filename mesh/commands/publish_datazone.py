"""`mesh publish datazone` and `mesh publish all`: publish the mesh's business metadata to DataZone.

Mounted by `mesh/commands/publish.py` (`app.command("datazone")(datazone)`,
`app.command("all")(publish_all)`).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mesh.membership import refuse_outsiders_named
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

#: what the publisher role must be allowed to read in DataZone (iam/publisher-role.policy.json)
DATAZONE_READS = (
    "datazone:ListDomains, GetDomain, ListProjects, Search, SearchListings, GetFormType, "
    "GetAsset, GetListing, GetDataProduct and ListLineageEvents, and sts:GetCallerIdentity"
)

EXIT_CODES = """
Exit codes: 0 = published, nothing to change, or a dry run; 1 = error while reading or writing
DataZone (writes already made are correct; run again to converge); 2 = bad input (artifacts,
datazone.yml, glossary.yml, data_products.yml, form types, a missing project), nothing written.
"""

DomainOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--select",
        "-s",
        "--domain",
        "-d",
        help="Publish only this domain (repeatable; `--domain`/`-d` are aliases).",
        show_default=False,
    ),
]
ArtifactsOpt = Annotated[
    Path | None,
    typer.Option(
        help="Directory of artifacts, `<dir>/<domain>/manifest.json` ... Default: those of "
        "--target (each `domains/<domain>/target/` for `local`, `.mesh-state/<target>/` else).",
        show_default=False,
    ),
]
TargetOpt = Annotated[
    str,
    typer.Option(
        "--target",
        "-t",
        help="The dbt target the artifacts were built for (checked against their "
        "run_results.json, else against profiles.yml); `local` for a build on DuckDB.",
    ),
]
StrictOpt = Annotated[
    bool,
    typer.Option("--strict", help="A model without a Glue table is an error (exit code 3)."),
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
    target: TargetOpt = "prod",
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
            target=target,
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
    target: str = "prod",
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
        root = root or find_root()
        if loaded is None:
            loaded = load_checked(root, artifacts, domains, target)
        return run_datazone(
            out,
            err,
            PublishOptions(
                root=root,
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


def load_checked(
    root: Path, artifacts: Path | None, domains: Sequence[str], target: str
) -> list[Domain]:
    """The artifacts a publish reads (`--artifacts`, else those of `--target`), loaded once
    and checked to be the target's."""
    from mesh.profile import check_artifacts_target, publish_artifacts
    from publish.artifacts import load_domains

    if artifacts is None:
        refuse_outsiders_named(root, domains)  # a dropped-in project: not the mesh's
    loaded = load_domains(root, publish_artifacts(root, target, artifacts), domains)
    check_artifacts_target(root, loaded, target)
    return loaded


@contextmanager
def datazone_errors(doing: str) -> Iterator[None]:
    """An AWS failure while talking to DataZone as one paragraph (cause and fix)."""
    from botocore.exceptions import BotoCoreError, ClientError

    from publish.aws import aws_failure

    try:
        yield
    except (ClientError, BotoCoreError) as exc:
        raise aws_failure(exc, doing, permissions=DATAZONE_READS) from None


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
    from publish.datazone.publisher import apply, bootstrap_preview, desire, prepare

    if loaded is None and options.artifacts is None:
        refuse_outsiders_named(options.root, options.domains)  # not the mesh's artifacts
    if dry_run and options.bootstrap:
        # a dry run writes nothing: show what --bootstrap would create instead
        with datazone_errors("could not read Amazon DataZone"):
            domain, projects = bootstrap_preview(desire(options, domains=loaded))
        if domain or projects:
            _print_bootstrap(out, domain, projects, as_json=as_json)
            return EXIT_OK
        options = replace(options, bootstrap=False)  # everything exists: a plain dry run
    with (
        err.status("reading DataZone", spinner="dots"),
        datazone_errors("could not read Amazon DataZone"),
    ):
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


def _print_bootstrap(
    out: Console, domain: str | None, projects: Sequence[str], *, as_json: bool
) -> None:
    if as_json:
        print(
            json.dumps(
                {
                    "dry_run": True,
                    "bootstrap": {"domain": domain, "projects": list(projects)},
                    "actions": [],
                },
                indent=2,
            )
        )
        return
    what = [f"the DataZone domain {domain!r}"] if domain else []
    what += [f"project(s) {', '.join(projects)}"] if projects else []
    out.print(
        f"Dry run: --bootstrap would create {' and '.join(what)}; the rest of the plan needs "
        "them, so run without --dry-run to create them (nothing was written)."
    )


def publish_all(
    domain: DomainOpt = None,
    artifacts: ArtifactsOpt = None,
    target: TargetOpt = "prod",
    dry_run: DryRunOpt = False,
    output: OutputOpt = "text",
    strict: StrictOpt = False,
    root: RootOpt = None,
    config: ConfigOpt = DEFAULT_CONFIG,
    today: TodayOpt = None,
    bootstrap: BootstrapOpt = False,
    docs_url: DocsOpt = None,
    region: RegionOpt = None,
    concurrency: ConcurrencyOpt = 8,
) -> None:
    """Publish to the Glue Data Catalog, then to DataZone (stops if Glue fails). DataZone's
    inputs are validated before Glue is written: a problem there writes nothing at all."""
    from rich.console import Console

    from mesh.commands.publish import publish_glue
    from publish.aws import AwsSettings
    from publish.datazone.publisher import PublishOptions, desire

    err = Console(stderr=True, soft_wrap=True, highlight=False)
    settings = AwsSettings(region=region, concurrency=concurrency)
    try:
        root = root or find_root()
        loaded = load_checked(root, artifacts, domain or (), target)  # once, for both catalogs
        options = PublishOptions(
            root=root,
            artifacts=artifacts,
            domains=tuple(domain or ()),
            config=config,
            today=_today(today),
            docs_url=docs_url,
            settings=settings,
        )
        with datazone_errors("could not validate the DataZone publish"):
            desire(options, domains=loaded)  # DataZone's inputs, before Glue is written
    except MeshError as exc:
        err.print(f"error: {exc.paragraph()}", markup=False)
        raise typer.Exit(exc.exit_code) from None
    code = publish_glue(
        domains=domain or [],
        artifacts=artifacts,
        target=target,
        dry_run=dry_run,
        as_json=output == "json",
        strict=strict,
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
            target=target,
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
