"""`mesh publish [glue|datazone|all]`: publish the dbt metadata of the domains to the catalogs.

Each command runs its targets through `publish.run` (validate all, read all, plan, apply in
order) and prints one document: the plan of every target and what applying it did, as text for
people or as one JSON document (`-o json`) for CI.
"""

from __future__ import annotations

import inspect
import json
import sys
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from mesh.membership import refuse_outsiders_named
from mesh.project import find_root
from publish.datazone.config import DEFAULT_CONFIG
from publish.desired import DEFAULT_ONTOLOGY
from publish.errors import EXIT_ERROR, EXIT_OK, BadInputError, MeshError

if TYPE_CHECKING:
    from rich.console import Console

    from publish.model import Domain
    from publish.plan import Report
    from publish.run import PublishOptions

# The publisher (boto3, openlineage, the targets, ...) is imported when a command runs, so that
# `mesh publish glue --help` starts fast.

EXIT_CODES = """
Exit codes: 0 = published, or nothing to change, or a dry run; 1 = error while reading or writing
AWS (writes already done are correct; run again to converge); 2 = bad input (artifacts,
lf_tags.yml, datazone.yml, glossary.yml, data_products.yml, form types, a missing project,
arguments), nothing written to any catalog; 3 = --strict and a model has no Glue table, nothing
written; 4 = --on-drift fail and a catalog holds hand edits, nothing written.
"""


class _OptionsGoToAll(TyperGroup):
    """`mesh publish [OPTIONS]` is `mesh publish all [OPTIONS]`: options given before any
    sub-command are those of `all`, so the group needs no copy of them."""

    options_go_to = "all"

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # typer's vendored click Context
        if args and args[0].startswith("-") and args[0] not in ctx.help_option_names:
            named = next((a for a in args if a in self.commands), None)
            if named is not None:
                given = " ".join(a for a in args if a != named)
                error = BadInputError(
                    f"`mesh publish {' '.join(args)}` puts options before the sub-command "
                    f"{named!r}, where they would be those of `mesh publish all`",
                    fix=f"put them after the sub-command: `mesh publish {named} {given}`",
                )
                typer.echo(f"error: {error.paragraph()}", err=True)
                raise typer.Exit(error.exit_code)
            args = [self.options_go_to, *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_OptionsGoToAll,
    rich_markup_mode="markdown",
    help=(
        "Publish the dbt metadata of the domains to the Glue Data Catalog, Lake Formation and "
        "Amazon DataZone. Without a sub-command: all of them (`mesh publish [OPTIONS]` is "
        "`mesh publish all [OPTIONS]`)."
    ),
)


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


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
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Print the plan, write nothing.")]
OutputOpt = Annotated[
    OutputFormat,
    typer.Option(
        "--output", "-o", case_sensitive=False, help="Plan format: text or json (for CI)."
    ),
]
StrictOpt = Annotated[
    bool, typer.Option("--strict", help="A model without a Glue table is an error (exit code 3).")
]
LfTagsOpt = Annotated[Path, typer.Option(help="The LF-tag ontology.")]
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
    str | None,
    typer.Option(
        envvar="MESH_DOCS_URL",
        help="Base URL of the dbt docs, or a template with {domain} and {unique_id}.",
    ),
]
RegionOpt = Annotated[
    str | None,
    typer.Option(help="AWS region (default: boto3's configuration; DataZone: datazone.yml)."),
]


class OnDrift(StrEnum):
    keep = "keep"
    overwrite = "overwrite"
    fail = "fail"


OnDriftOpt = Annotated[
    OnDrift,
    typer.Option(
        "--on-drift",
        case_sensitive=False,
        help="What to do with hand edits that differ from dbt and catalog/glossary.yml (Glue "
        "descriptions and column comments; DataZone asset and column descriptions and glossary "
        "terms; glossary term descriptions): keep them (default; the plan shows them on every "
        "run), overwrite them, or fail (exit code 4, nothing written).",
    ),
]
ConcurrencyOpt = Annotated[
    int, typer.Option(min=1, max=64, help="Parallel writes per API operation.")
]


def _today(value: str | None) -> date:
    if not value:
        return date.today()
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise BadInputError(
            f"--today {value!r} is not a date", fix="pass --today as YYYY-MM-DD"
        ) from None


def publish_all(
    domain: DomainOpt = None,
    artifacts: ArtifactsOpt = None,
    target: TargetOpt = "prod",
    dry_run: DryRunOpt = False,
    output: OutputOpt = OutputFormat.text,
    strict: StrictOpt = False,
    lf_tags: LfTagsOpt = DEFAULT_ONTOLOGY,
    root: RootOpt = None,
    config: ConfigOpt = DEFAULT_CONFIG,
    today: TodayOpt = None,
    bootstrap: BootstrapOpt = False,
    docs_url: DocsOpt = None,
    region: RegionOpt = None,
    concurrency: ConcurrencyOpt = 8,
    on_drift: OnDriftOpt = OnDrift.keep,
) -> None:
    _publish("all", locals())


def _target_command(name: str, *, reads_not: set[str], help: str) -> None:
    """`mesh publish <name>`: `mesh publish all`'s options but those its targets do not read
    (one option list; `all` is the entry point the IAM scan follows)."""
    signature = inspect.signature(publish_all, eval_str=True)
    parameters = [p for p in signature.parameters.values() if p.name not in reads_not]

    def command(**given: Any) -> None:
        _publish(name, given)

    command.__name__ = command.__qualname__ = name
    command.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": None}
    app.command(name, help=help)(command)


_target_command(
    "glue",
    reads_not={"config", "today", "bootstrap"},
    help=(
        "Publish descriptions, column comments and `mesh:` table parameters to the Glue Data "
        "Catalog, and LF-tags to Lake Formation. Never creates or drops a database or table, "
        "never removes a parameter or LF-tag it does not own. Tables of models that have not "
        "been built are reported as skipped.\n\n" + EXIT_CODES
    ),
)
_target_command(
    "datazone",
    reads_not={"strict", "lf_tags"},
    help=(
        "Publish glossary, form types, assets, listings, data products and lineage to Amazon "
        "DataZone. Only public models with an enforced contract are published (the plan says "
        "why each other model is not); assets the publisher did not create or adopt (by Glue "
        "table ARN) are never touched; nothing is ever deleted.\n\n" + EXIT_CODES
    ),
)


app.command(
    "all",
    help=(
        "Publish to Lake Formation and the Glue Data Catalog, then to DataZone, as one run: "
        "every input of every catalog is validated, and every catalog read, before the first "
        "write; failures in Lake Formation or Glue stop DataZone.\n\n" + EXIT_CODES
    ),
)(publish_all)  # last: `glue` and `datazone` derive from it


@app.callback(invoke_without_command=True)
def _default(ctx: typer.Context) -> None:
    if ctx.invoked_subcommand is None:
        ctx.invoke(publish_all)


def _options(given: dict[str, Any]) -> PublishOptions:
    """The options of a run from a command's parameters (each command takes some of them)."""
    from publish.aws import AwsSettings
    from publish.run import PublishOptions

    given = dict(given)
    root, today = given.pop("root"), given.pop("today", None)
    if "on_drift" in given:
        given["on_drift"] = str(given["on_drift"].value)
    settings = AwsSettings(region=given.pop("region"), concurrency=given.pop("concurrency"))
    return PublishOptions(
        root=root or find_root(),
        domains=tuple(given.pop("domain") or ()),
        dbt_target=given.pop("target"),
        today=_today(today),
        settings=settings,
        **given,
    )


def _publish(command: str, given: dict[str, Any]) -> None:
    """Run a publish command with its parameters (`locals()`); bad ones are reported too."""
    from rich.console import Console

    out = Console(soft_wrap=True, highlight=False)
    err = Console(stderr=True, soft_wrap=True, highlight=False)
    given = dict(given)
    as_json = given.pop("output") is OutputFormat.json
    try:
        code = _run(out, err, command, _options(given), as_json=as_json)
    except MeshError as exc:
        err.print(f"error: {exc.paragraph()}", markup=False)
        raise typer.Exit(exc.exit_code) from None
    raise typer.Exit(code)


def _run(
    out: Console, err: Console, command: str, options: PublishOptions, *, as_json: bool
) -> int:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from publish.plan import render_plan, render_report
    from publish.run import apply, build_targets, prepare

    if options.artifacts is None:
        refuse_outsiders_named(options.root, options.domains)  # a dropped-in project: not ours
    targets = build_targets(command, options, loaded=_load(options))
    with err.status("reading the catalogs", spinner="dots"):
        report = prepare(command, targets, options)
    total = sum(len(p.actions) for p in report.plans)
    if options.dry_run or total == 0:
        _print(out, report, as_json=as_json)
        return EXIT_OK
    if not as_json:
        for plan in report.plans:
            render_plan(plan, out)
    with Progress(
        TextColumn("publishing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=total < 20 or not sys.stderr.isatty(),
    ) as progress:
        task = progress.add_task("apply", total=total)
        apply(report, targets, on_done=lambda _action: progress.advance(task))
    if as_json:
        _print(out, report, as_json=True)
    else:
        render_report(report, out, plans=False)
    return EXIT_OK if report.ok else EXIT_ERROR


def _load(options: PublishOptions) -> list[Domain]:
    """The artifacts of `--target` (unless `--artifacts`), loaded once and checked to be its."""
    from mesh.profile import check_artifacts_target, current_domains, publish_artifacts
    from publish.artifacts import load_domains

    target = options.dbt_target or "prod"
    artifacts = publish_artifacts(options.root, target, options.artifacts)
    domains = options.domains
    if options.artifacts is None and artifacts is not None and not domains:
        domains = current_domains(options.root, artifacts, left_out="published")
    loaded = load_domains(options.root, artifacts, domains)
    check_artifacts_target(options.root, loaded, target)
    return loaded


def _print(out: Console, report: Report, *, as_json: bool) -> None:
    from publish.plan import render_report

    if as_json:
        # plain print: rich must not wrap or colour JSON for machines
        print(json.dumps(report.to_dict(), indent=2))
    else:
        render_report(report, out)
