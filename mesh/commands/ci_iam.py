"""`mesh ci iam-render` and `mesh ci iam-check`: the CI roles' IAM documents (iam/), rendered
with their placeholders filled in, and checked against the code each role runs.

Mounted by `mesh/commands/ci.py`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from mesh.ci.iam import PLACEHOLDERS, load_roles, render_all, repo_domains, values_from_env
from mesh.console import console, err_console, reports_mesh_errors
from mesh.project import find_root
from publish.errors import BadInputError


@reports_mesh_errors
def iam_render(
    out: Annotated[Path, typer.Option(help="Folder the rendered documents are written to.")] = Path(
        "iam/rendered"
    ),
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="NAME=VALUE for a placeholder (repeatable); wins over the environment. Names: "
            + ", ".join(PLACEHOLDERS),
        ),
    ] = None,
) -> None:
    """Render every CI role's identity and GitHub OIDC trust policy (iam/roles.yml).

    Values come from the workflow variables in the environment (AWS_REGION, MESH_ARTIFACT_STORE,
    MESH_ATHENA_S3_STAGING_DIR, MESH_ATHENA_S3_DATA_DIR, MESH_ATHENA_WORK_GROUP,
    MESH_ATHENA_CI_WORK_GROUP, MESH_CI_SCRATCH, MESH_DOCS_BUCKET, MESH_DATAZONE_DOMAIN_ID,
    GITHUB_REPOSITORY, ...) and --set; `${DOMAIN}` becomes one resource per domain under domains/.
    """
    values = values_from_env(os.environ)
    for item in set_ or ():
        name, sep, value = item.partition("=")
        if not sep or name not in PLACEHOLDERS:
            raise BadInputError(
                f"--set {item!r} is not NAME=VALUE with a known placeholder name",
                fix="use one of " + ", ".join(PLACEHOLDERS),
            )
        values[name] = value
    written = render_all(values, out, repo_domains(find_root()))
    for path in written:
        console.print(f"wrote {path}")


@reports_mesh_errors
def iam_check(
    role: Annotated[
        list[str] | None,
        typer.Option("--role", help="Check only this role of iam/roles.yml (repeatable)."),
    ] = None,
    calls: Annotated[
        bool, typer.Option("--calls", help="List each needed action with its call sites.")
    ] = False,
) -> None:
    """Check that each CI role's policy grants exactly what the code its steps run calls.

    Scans the code each role's entry points (iam/roles.yml) reach for boto3 client calls and
    compares the IAM actions they need with the role's policy in iam/: exit 1 when the policy
    lacks one, grants one that neither the code nor a listed library call needs, or a call
    site's client cannot be resolved. tests/iam proves the rest by recording real runs.
    """
    from mesh.ci.iam_check import check_all  # botocore's models: only when a check runs

    check = check_all(find_root(), role)
    results = check.roles
    table = Table("role", "assumed by", "code needs", "libraries", "not granted", "result")
    table.columns[0].no_wrap = table.columns[1].no_wrap = True
    specs = load_roles()
    for result in results:
        spec = specs[result.role]
        table.add_row(
            result.role,
            spec.assumed_by,
            str(len(result.needed)),
            str(len(spec.libraries)),
            str(len(spec.not_granted)),
            "[green]ok[/]" if result.ok else f"[red]{len(result.problems())} problem(s)[/]",
        )
    console.print(table)
    if calls:
        for result in results:
            console.print(f"[bold]{result.role}[/]")
            for action, sites in sorted(result.needed.items()):
                where = ", ".join(sorted({s.where for s in sites}))
                console.print(f"  {action}: {where}", soft_wrap=True, markup=False)
    problems = check.problems()
    for problem in problems:
        err_console.print(f"[red]error:[/] {escape(problem)}", soft_wrap=True)
    if problems:
        raise typer.Exit(1)
