"""`mesh ci ...`: the steps CI runs, each also runnable on a laptop against the stand-ins."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from mesh.build import MeshInvocation, parse_all, run_mesh
from mesh.ci.artifact_store import ArtifactStore
from mesh.ci.breaking import breaking_changes, load_manifests
from mesh.ci.site import upload_site
from mesh.ci.slim import slim_build
from mesh.ci.sqllint import changed_sql, lint
from mesh.commands.ci_iam import iam_render
from mesh.console import console, print_failures, reports_mesh_errors
from mesh.project import discover_domains, find_root
from publish.aws import AwsClients

app = typer.Typer(
    rich_markup_mode="markdown",
    help="CI steps: artifact store, slim pull-request builds, breaking-change report, merge.",
    no_args_is_help=True,
)

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="Artifact store, s3://<bucket>/<prefix>. Default: $MESH_ARTIFACT_STORE.",
    ),
]
StateOption = Annotated[
    Path,
    typer.Option("--state", help="Folder holding the production artifacts, one per domain."),
]
DEFAULT_STATE = Path(".mesh-state/prod")


def _in_root(root: Path, path: Path) -> Path:
    """A relative --state is relative to the repository, wherever the command runs."""
    return path if path.is_absolute() else root / path


def _s3() -> object:
    return AwsClients().client("s3")


@app.command()
@reports_mesh_errors
def upload(store: StoreOption = None) -> None:
    """Upload every domain's target/ artifacts to the artifact store (after a prod build)."""
    root = find_root()
    target = ArtifactStore.from_url(store)
    keys = target.upload(_s3(), list(discover_domains(root).values()))
    console.print(f"Uploaded {len(keys)} artifact(s) to s3://{target.bucket}/{target.prefix}/")


@app.command()
@reports_mesh_errors
def download(store: StoreOption = None, state: StateOption = DEFAULT_STATE) -> None:
    """Download the production artifacts of every domain into --state (for --defer)."""
    root = find_root()
    source = ArtifactStore.from_url(store)
    dest = _in_root(root, state)
    found = source.download(_s3(), sorted(discover_domains(root)), dest)
    console.print(f"Downloaded production artifacts of {', '.join(found) or 'no domain'} to {dest}")


@app.command("lint")
@reports_mesh_errors
def lint_changed(
    base: Annotated[str, typer.Option(help="Git ref the pull request branched from.")] = "main",
) -> None:
    """sqlfluff on the model files this branch changed since --base (parses domains first)."""
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
    root = find_root()
    dest = _in_root(root, state)
    result = slim_build(
        root,
        dest,
        target=target,
        dbt_args=("--quiet",),
        on_domain=lambda d, sel: console.print(
            f"[bold]{d}[/]: dbt build --select {' '.join(sel)}"
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
    output: Annotated[str, typer.Option(help="text or json")] = "text",
) -> None:
    """Fail when a public model's contract changes without a new version, naming the models of
    other domains that read it. A new version with a deprecation date passes with a warning."""
    root = find_root()
    dest = _in_root(root, state)
    domains = discover_domains(root)
    prod = load_manifests({d: dest / d for d in domains if (dest / d / "manifest.json").is_file()})
    if not parse_all(root):
        raise typer.Exit(1)
    current = load_manifests({name: d.target_dir for name, d in domains.items()})
    report = breaking_changes(prod, current)
    if output == "json":
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
def merge(
    store: StoreOption = None,
    target: Annotated[str, typer.Option(help="Production target.")] = "local",
) -> None:
    """After a merge to main: build every domain, generate docs, upload the artifacts."""
    root = find_root()
    for command in (("build",), ("docs", "generate")):
        runs = run_mesh(root, MeshInvocation(command, target=target, dbt_args=("--quiet",)))
        if not all(run.success for run in runs):
            raise typer.Exit(1)
    upload(store)


@app.command("build-from-store")
@reports_mesh_errors
def build_from_store(
    select: Annotated[list[str], typer.Option("--select", "-s", help="Domains to build.")],
    store: StoreOption = None,
    target: Annotated[str, typer.Option(help="dbt target.")] = "local",
) -> None:
    """Build domains reading their upstream manifests from the artifact store (as dbt-loom
    does in production), not from the upstream domains' local target/ folders."""
    root = find_root()
    source = ArtifactStore.from_url(store)
    domains = list(discover_domains(root).values())
    with tempfile.TemporaryDirectory(prefix="mesh-loom-") as tmp:
        configs = source.loom_configs(domains, Path(tmp))
        runs = run_mesh(
            root,
            MeshInvocation(("build",), target, tuple(select), ("--quiet",), loom_configs=configs),
        )
    for run in runs:
        console.print(
            f"{run.domain}: {'OK' if run.success else 'FAILED'} ({run.count('model')} models)"
        )
    if not all(run.success for run in runs):
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
    count = upload_site(_s3(), site, bucket, prefix)
    console.print(f"Uploaded {count} file(s) of {site} to s3://{bucket}/{prefix}")


app.command("iam-render")(iam_render)
