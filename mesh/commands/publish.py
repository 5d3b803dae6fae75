"""`mesh publish ...`: publish the dbt metadata of the domains to the catalogs.

`mesh publish glue` loads the artifacts of each domain, computes the desired Glue state, reads the
current one (batched), prints the plan, and applies it unless `--dry-run`.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mesh.commands.publish_datazone import (
    ArtifactsOpt,
    BootstrapOpt,
    ConcurrencyOpt,
    ConfigOpt,
    DocsOpt,
    DomainOpt,
    DryRunOpt,
    OutputOpt,
    RegionOpt,
    RootOpt,
    StrictOpt,
    TargetOpt,
    TodayOpt,
    datazone,
    load_checked,
    publish_all,
)
from mesh.project import find_root
from publish.datazone.config import DEFAULT_CONFIG
from publish.desired import DEFAULT_ONTOLOGY
from publish.errors import (
    EXIT_ERROR,
    EXIT_OK,
    BadInputError,
    MeshError,
    StrictMissingError,
)

if TYPE_CHECKING:
    from rich.console import Console

    from publish.aws import AwsSettings
    from publish.model import Domain
    from publish.plan import ApplyResult, Plan

# The publisher (boto3, the Glue target, ...) is imported when a command runs, so that
# `mesh publish glue --help` starts fast.

EXIT_CODES = """
Exit codes: 0 = published, or nothing to change, or a dry run; 1 = error while reading or writing
AWS (writes already done are correct; run again to converge); 2 = bad input (artifacts, lf_tags.yml,
arguments), nothing written; 3 = --strict and a model has no Glue table, nothing written.
"""

app = typer.Typer(
    rich_markup_mode="markdown",
    help=(
        "Publish the dbt metadata of the domains to the Glue Data Catalog and Amazon DataZone. "
        "Without a sub-command: Glue, then DataZone (`mesh publish all`)."
    ),
)


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


@app.command(
    "glue",
    help=(
        "Publish descriptions, column comments, `mesh:` table parameters and LF-tags to the Glue "
        "Data Catalog and Lake Formation. Never creates or drops a database or table, never "
        "removes a parameter or LF-tag it does not own. Tables of models that have not been built "
        "are reported as missing.\n\n" + EXIT_CODES
    ),
)
def glue(
    domain: DomainOpt = None,
    artifacts: ArtifactsOpt = None,
    target: TargetOpt = "prod",
    dry_run: DryRunOpt = False,
    output: Annotated[
        OutputFormat, typer.Option("--output", "-o", help="Plan format: text or json (for CI).")
    ] = OutputFormat.text,
    strict: StrictOpt = False,
    lf_tags: Annotated[Path, typer.Option(help="The LF-tag ontology.")] = DEFAULT_ONTOLOGY,
    root: Annotated[
        Path | None,
        typer.Option(help="Repository root (holds domains/). Default: found from here."),
    ] = None,
    docs_url: Annotated[
        str | None,
        typer.Option(
            envvar="MESH_DOCS_URL",
            help="Base URL of the dbt docs, or a template with {domain} and {unique_id}.",
        ),
    ] = None,
    region: Annotated[
        str | None, typer.Option(help="AWS region (default: boto3's configuration).")
    ] = None,
    concurrency: Annotated[int, typer.Option(min=1, max=64, help="Parallel writes.")] = 8,
) -> None:
    from publish.aws import AwsSettings

    code = publish_glue(
        domains=domain or [],
        artifacts=artifacts,
        target=target,
        dry_run=dry_run,
        as_json=output is OutputFormat.json,
        strict=strict,
        lf_tags=lf_tags,
        root=root,
        docs_url=docs_url,
        settings=AwsSettings(region=region, concurrency=concurrency),
    )
    raise typer.Exit(code)


def publish_glue(
    *,
    domains: list[str],
    artifacts: Path | None,
    target: str = "prod",
    dry_run: bool,
    as_json: bool,
    strict: bool = False,
    lf_tags: Path = DEFAULT_ONTOLOGY,
    root: Path | None,
    docs_url: str | None,
    settings: AwsSettings,
    loaded: list[Domain] | None = None,
) -> int:
    """`mesh publish glue` as a function: prints the plan (and errors), returns the exit code.

    `loaded`: the domains' artifacts when the caller already loaded them (`mesh publish all`).
    """
    from rich.console import Console

    out = Console(soft_wrap=True, highlight=False)
    err = Console(stderr=True, soft_wrap=True, highlight=False)
    try:
        return _publish_glue(
            out,
            err,
            domains=domains,
            artifacts=artifacts,
            target=target,
            dry_run=dry_run,
            as_json=as_json,
            strict=strict,
            lf_tags=lf_tags,
            root=root or find_root(),
            docs_url=docs_url,
            settings=settings,
            loaded=loaded,
        )
    except MeshError as exc:
        err.print(f"error: {exc.paragraph()}", markup=False)
        return exc.exit_code


def _publish_glue(
    out: Console,
    err: Console,
    *,
    domains: list[str],
    artifacts: Path | None,
    target: str,
    dry_run: bool,
    as_json: bool,
    strict: bool,
    lf_tags: Path,
    root: Path,
    docs_url: str | None,
    settings: AwsSettings,
    loaded: list[Domain] | None = None,
) -> int:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from publish.aws import AwsClients
    from publish.desired import desired_state, load_ontology
    from publish.plan import render_plan, render_summary
    from publish.targets.glue import GlueTarget

    # 1. inputs: everything is validated before the first AWS call
    if loaded is None:
        loaded = load_checked(root, artifacts, domains, target)
    ontology = load_ontology(lf_tags if lf_tags.is_absolute() else root / lf_tags)
    desired = desired_state(loaded, ontology, ontology_file=lf_tags, docs_url=docs_url)

    # 2. current state and plan
    glue_target = GlueTarget(AwsClients(settings))
    with err.status("reading the Glue Data Catalog", spinner="dots"):
        current = glue_target.read(desired)
    plan = glue_target.plan(desired, current)

    missing = [i for i in plan.missing if i.kind == "table"]
    if strict and missing:
        _print(out, plan, None, dry_run=True, as_json=as_json)
        raise StrictMissingError(
            f"{len(missing)} model(s) have no Glue table on target {target}: "
            + ", ".join(i.name for i in missing[:5])
            + (" ..." if len(missing) > 5 else ""),
            fix="build the models on the target before publishing, or run without --strict",
        )
    if dry_run or not plan.has_writes:
        _print(out, plan, None, dry_run=dry_run, as_json=as_json)
        return EXIT_OK

    # 3. apply
    if not as_json:
        render_plan(plan, out)
    total = len(plan.updates)
    with Progress(
        TextColumn("applying"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=total < 20 or not sys.stderr.isatty(),
    ) as progress:
        task = progress.add_task("apply", total=total)
        result = glue_target.apply(plan, on_done=lambda _item: progress.advance(task))
    if as_json:
        _print(out, plan, result, dry_run=False, as_json=True)
    else:
        render_summary(plan, out, result, dry_run=False)
    return EXIT_ERROR if result.failures else EXIT_OK


def _print(
    out: Console, plan: Plan, applied: ApplyResult | None, *, dry_run: bool, as_json: bool
) -> None:
    from publish.plan import render_plan, render_summary

    if as_json:
        # plain print: rich must not wrap or colour JSON for machines
        print(json.dumps(plan.to_dict(applied, dry_run=dry_run), indent=2))
    else:
        render_plan(plan, out)
        render_summary(plan, out, applied, dry_run=dry_run)


app.command("datazone")(datazone)
app.command("all")(publish_all)


@app.callback(invoke_without_command=True)
def _default(
    ctx: typer.Context,
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
    """Bare `mesh publish [OPTIONS]` is `mesh publish all [OPTIONS]`."""
    given = {k: v for k, v in locals().items() if k != "ctx"}
    if ctx.invoked_subcommand is None:
        ctx.invoke(publish_all, **given)
        return
    typed = [k for k in given if str(ctx.get_parameter_source(k)).endswith("COMMANDLINE")]
    if typed:
        error = BadInputError(
            f"`mesh publish {ctx.invoked_subcommand}` was given options before its name "
            f"({', '.join('--' + k.replace('_', '-') for k in typed)}), where they would apply "
            "to `mesh publish all`",
            fix=f"put the options after the sub-command: `mesh publish "
            f"{ctx.invoked_subcommand} --dry-run ...`",
        )
        typer.echo(f"error: {error.paragraph()}", err=True)
        raise typer.Exit(error.exit_code)
