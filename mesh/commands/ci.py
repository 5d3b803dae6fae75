"""`mesh ci ...`: the steps CI runs, each also runnable on a laptop against the stand-ins."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from mesh.ci.sqllint import changed_sql, lint
from mesh.commands.build import TargetOption
from mesh.commands.ci_iam import iam_check, iam_render
from mesh.commands.publish import OutputFormat
from mesh.console import console, err_console, print_failures, reports_mesh_errors
from mesh.profile import resolve_target
from mesh.project import STATE_DIR, discover_domains, find_root
from publish.errors import BadInputError

# Each command imports what it runs (dbt orchestration, boto3, ...) so that `mesh ci --help`
# and the other commands start fast.

app = typer.Typer(
    rich_markup_mode="markdown",
    help="CI steps: artifact store, slim pull-request builds, breaking-change report, merge.",
    no_args_is_help=True,
)

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="Artifact store, `s3://<bucket>/<prefix>`. Default: $MESH_ARTIFACT_STORE.",
        show_default=False,
    ),
]
StateOption = Annotated[
    Path,
    typer.Option(
        "--state",
        help="Folder of the production artifacts, `<state>/<domain>/manifest.json` (what "
        "`mesh ci download` writes).",
    ),
]
DEFAULT_STATE = Path(STATE_DIR) / "prod"
BuildTargetOption = Annotated[
    str | None,
    typer.Option(
        "--target",
        "-t",
        help="dbt target of the production build: `prod` (Athena) in CI, where ci/merge.sh "
        "passes it; `local` (DuckDB, the profile's default) on a laptop against the stand-ins. "
        "Artifacts of `local` are each domain's target/, of any other target "
        "`.mesh-state/<target>/<domain>/`.",
        envvar="MESH_TARGET",
        show_default=False,
    ),
]
STORE_OPTION = "--store (or MESH_ARTIFACT_STORE)"


def _in_root(root: Path, path: Path) -> Path:
    """A relative --state is relative to the repository, wherever the command runs."""
    return path if path.is_absolute() else root / path


def _s3() -> object:
    from publish.aws import AwsClients

    return AwsClients().client("s3")


def _upload(root: Path, store: str | None, target: str | None) -> None:
    from mesh.ci.artifact_store import ArtifactStore

    name = resolve_target(root, target)
    destination = ArtifactStore.from_url(store)
    folders = {d: domain.artifacts_dir(name) for d, domain in discover_domains(root).items()}
    keys = destination.upload(_s3(), folders)
    console.print(
        f"Uploaded {len(keys)} artifact(s) of target {name} to "
        f"s3://{destination.bucket}/{destination.prefix}/"
    )


@app.command()
@reports_mesh_errors
def upload(store: StoreOption = None, target: BuildTargetOption = None) -> None:
    """Upload every domain's artifacts of --target to the artifact store (after the production
    build). Every file is checked first: a truncated or foreign artifact uploads nothing."""
    _upload(find_root(), store, target)


@app.command()
@reports_mesh_errors
def download(store: StoreOption = None, state: StateOption = DEFAULT_STATE) -> None:
    """Download the production artifacts of every domain into --state (for --defer)."""
    from mesh.ci.artifact_store import ArtifactStore

    root = find_root()
    source = ArtifactStore.from_url(store)
    dest = _in_root(root, state)
    domains = sorted(discover_domains(root))
    found = source.download(_s3(), domains, dest)
    where = f"s3://{source.bucket}/{source.prefix}/"
    if domains and not found:
        err_console.print(
            f"[yellow]warning:[/] {where} holds no domain's artifacts: expected only before the "
            "first merge (build and upload main once: `mesh ci merge` on main); otherwise "
            "--store or MESH_ARTIFACT_STORE names the wrong bucket or prefix",
            soft_wrap=True,
        )
    for name in (d for d in domains if found and d not in found):
        err_console.print(
            f"[yellow]warning:[/] {where} holds no build of domain {name!r}: a domain new in "
            "this branch (`mesh ci slim` builds it in full), or one main has not built yet",
            soft_wrap=True,
        )
    console.print(f"Downloaded production artifacts of {', '.join(found) or 'no domain'} to {dest}")


@app.command("lint")
@reports_mesh_errors
def lint_changed(
    base: Annotated[str, typer.Option(help="Git ref the pull request branched from.")] = "main",
) -> None:
    """sqlfluff on the model files this branch changed since --base (parses domains first)."""
    from mesh.build import parse_all

    root = find_root()
    files = changed_sql(root, base)
    if not files:
        console.print(f"No model SQL changed since {base}.")
        return
    if not parse_all(root) or lint(root, files):
        raise typer.Exit(1)


@app.command()
@reports_mesh_errors
def slim(
    state: StateOption = DEFAULT_STATE,
    target: Annotated[str, typer.Option(help="Target of the PR build (ci, ci_athena).")] = "ci",
) -> None:
    """Build what the pull request changed in every domain (its own `state:modified` nodes and
    their children, deferred to production), then the models of downstream domains that read
    rebuilt models. Description-only changes build nothing. The tests column counts data and
    unit tests."""
    from rich.table import Table

    from mesh.ci.slim import slim_build

    root = find_root()
    dest = _in_root(root, state)
    result = slim_build(
        root,
        dest,
        target=target,
        dbt_args=("--quiet",),
        on_domain=lambda d, sel, new: console.print(
            f"[bold]{d}[/]: new domain (no production build): dbt build --select {sel[0]}"
            if new
            else f"[bold]{d}[/]: dbt build --select {' '.join(sel)}"
            if sel
            else f"[bold]{d}[/]: nothing changed, nothing to build"
        ),
    )
    table = Table("domain", "models", "tests", "failed", title="Slim build")
    for run in result.runs:
        tests = run.count("test") + run.count("unit_test")
        table.add_row(run.domain, str(run.count("model")), str(tests), str(len(run.failures)))
    for name in result.skipped:
        table.add_row(name, "0", "0", "-")
    console.print(table)
    console.print(f"Nodes built: {result.nodes_built}")
    if not result.success:
        print_failures(result.runs)
        raise typer.Exit(1)


@app.command()
@reports_mesh_errors
def breaking(
    state: StateOption = DEFAULT_STATE,
    output: Annotated[
        OutputFormat, typer.Option(case_sensitive=False, help="text or json (for CI).")
    ] = OutputFormat.text,
) -> None:
    """Fail when a public model's contract changes without a new version, naming the models of
    other domains that read it. A new version with a deprecation date passes with a warning."""
    from mesh.build import parse_all
    from mesh.ci.breaking import breaking_changes, load_manifests

    root = find_root()
    dest = _in_root(root, state)
    domains = discover_domains(root)
    found = {d: dest / d for d in domains if (dest / d / "manifest.json").is_file()}
    if not found:
        raise BadInputError(
            f"no production manifest in {dest} (expected {dest}/<domain>/manifest.json), so "
            "there is nothing to compare the pull request with",
            file=dest,
            fix="download the production artifacts first (`mesh ci download --state "
            f"{state}`, with MESH_ARTIFACT_STORE set), or pass --state the folder that holds "
            "them; before the first merge, build and upload main once (`mesh ci merge` on main)",
        )
    for name in sorted(set(domains) - set(found)):
        err_console.print(
            f"[yellow]warning:[/] no production manifest for domain {name!r} in {dest}: "
            "treated as a new domain (no contract to break yet)"
        )
    prod = load_manifests(found)
    if not parse_all(root):
        raise typer.Exit(1)
    current = load_manifests({name: d.target_dir for name, d in domains.items()})
    report = breaking_changes(prod, current)
    if output is OutputFormat.json:
        console.print_json(report.as_json())
    else:
        for warning in report.warnings:
            console.print(f"[yellow]warning[/] {warning.model}: {warning.message}")
        for item in report.breaks:
            readers = ", ".join(item.downstream) or "no model in another domain yet"
            console.print(f"[red]breaking[/] {item.model}: {item.change}; read by {readers}")
        if report.breaks:
            console.print(
                f"Breaking changes affect domain(s): {', '.join(report.downstream_domains) or '-'}."
                " Add a new model version (with a deprecation_date on the old one) instead."
            )
        else:
            console.print("[green]No breaking change to a public contract.[/]")
    if report.breaks:
        raise typer.Exit(1)


@app.command()
@reports_mesh_errors
def merge(store: StoreOption = None, target: BuildTargetOption = None) -> None:
    """After a merge to main: build every domain on --target, generate docs, upload the
    artifacts. The artifact store's bucket is checked before anything is built."""
    from mesh.build import MeshInvocation, run_mesh
    from mesh.ci.artifact_store import ArtifactStore
    from mesh.ci.s3 import require_bucket

    root = find_root()
    name = resolve_target(root, target)
    require_bucket(_s3(), ArtifactStore.from_url(store).bucket, option=STORE_OPTION)
    for command in (("build",), ("docs", "generate")):
        runs = run_mesh(root, MeshInvocation(command, target=name, dbt_args=("--quiet",)))
        if not all(run.success for run in runs):
            print_failures(runs)
            raise typer.Exit(1)
    _upload(root, store, name)


@app.command("build-from-store")
@reports_mesh_errors
def build_from_store(
    select: Annotated[
        list[str],
        typer.Option(
            "--select",
            "-s",
            "--domain",
            "-d",
            help="Domain to build (repeatable; `+name` / `name+` as in build).",
        ),
    ],
    store: StoreOption = None,
    target: TargetOption = None,
) -> None:
    """Build domains reading their upstream manifests from the artifact store (as dbt-loom
    does in production), not from the upstream domains' local target/ folders."""
    from mesh.build import MeshInvocation, run_mesh
    from mesh.ci.artifact_store import ArtifactStore
    from mesh.ci.s3 import require_bucket

    root = find_root()
    source = ArtifactStore.from_url(store)
    domains = discover_domains(root)
    require_bucket(_s3(), source.bucket, option=STORE_OPTION)
    with tempfile.TemporaryDirectory(prefix="mesh-loom-") as tmp:
        configs = source.loom_configs(list(domains.values()), Path(tmp))
        runs = run_mesh(
            root,
            MeshInvocation(("build",), target, tuple(select), ("--quiet",), loom_configs=configs),
        )
    for run in runs:
        console.print(
            f"{run.domain}: {'OK' if run.success else 'FAILED'} ({run.count('model')} models)"
        )
    if not all(run.success for run in runs):
        print_failures(runs)
        raise typer.Exit(1)


@app.command("publish-site")
@reports_mesh_errors
def publish_site(
    bucket: Annotated[
        str, typer.Option(help="S3 bucket of the docs site.", envvar="MESH_DOCS_BUCKET")
    ],
    site: Annotated[Path, typer.Option(help="The generated portal.")] = Path("site"),
    prefix: Annotated[str, typer.Option(help="Key prefix in the bucket.")] = "",
) -> None:
    """Upload the generated docs portal (`mesh docs portal`) to its S3 bucket."""
    from mesh.ci.site import upload_site

    count = upload_site(_s3(), site, bucket, prefix)
    console.print(f"Uploaded {count} file(s) of {site} to s3://{bucket}/{prefix}")


app.command("iam-render")(iam_render)
app.command("iam-check")(iam_check)
