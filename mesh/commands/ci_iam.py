"""`mesh ci iam-render`: the shipped IAM documents (iam/) with their placeholders filled in.

Mounted by `mesh/commands/ci.py`: `app.command("iam-render")(iam_render)`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from mesh.ci.iam import PLACEHOLDERS, render_all, repo_domains, values_from_env
from mesh.console import console, reports_mesh_errors
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
    """Render the CI build and publisher roles' identity and GitHub OIDC trust policies.

    Values come from the workflow variables in the environment (AWS_REGION, MESH_ARTIFACT_STORE,
    MESH_ATHENA_S3_STAGING_DIR, MESH_ATHENA_S3_DATA_DIR, MESH_ATHENA_S3_DATA_CI_DIR,
    MESH_ATHENA_WORK_GROUP, MESH_DOCS_BUCKET, MESH_DATAZONE_DOMAIN_ID, GITHUB_REPOSITORY, ...)
    and --set; `${DOMAIN}` becomes one resource per domain under domains/.
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
