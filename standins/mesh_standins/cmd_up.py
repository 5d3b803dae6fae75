"""`mesh-standins up` and `mesh-standins mirror`: the stand-ins of the CI journey on a laptop."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Annotated

import typer

from mesh.console import console, reports_mesh_errors
from mesh.project import find_root
from publish.errors import BadInputError


def _stop_on_sigterm() -> None:
    """`kill` (and CI runners) send SIGTERM: stop as Ctrl-C does, removing the env file."""

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


@reports_mesh_errors
def up(
    moto_port: Annotated[
        int,
        typer.Option(
            min=0,
            max=65535,
            help="Port of moto (S3, Glue, Lake Formation, STS); 0 picks a free one.",
        ),
    ] = 5050,
    datazone_port: Annotated[
        int,
        typer.Option(min=0, max=65535, help="Port of the DataZone emulator; 0 picks a free one."),
    ] = 8765,
    env_file: Annotated[
        Path | None,
        typer.Option(
            help="File the `export` lines are written to, for `source`. "
            "Default: `.mesh-state/standins.env` in the repository.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Start moto and the DataZone emulator on 127.0.0.1 and keep them up until Ctrl-C.

    Before printing the environment to use, it creates the artifact store's bucket
    (`s3://mesh-artifacts/dbt-artifacts/prod`) and the docs site's (`mesh-docs`), the
    DataZone domain and projects of `catalog/datazone.yml`, and, if the domains are built,
    their Glue tables as a production build creates them (`mesh-standins mirror` refreshes
    them after a new build). Then `source` the file it names, or paste the `export` lines, in
    the shell that runs `mesh` and `ci/*.sh` (README: "The CI journey").
    """
    from mesh_standins.up import ENV_FILE, export_lines, journey_env, prepare, running
    from mesh_standins.up import write_env_file as write

    root = find_root()
    path = env_file or root / ENV_FILE
    if path.is_dir():  # found before anything starts
        raise BadInputError(
            "is a folder, not the file the environment is written to",
            file=path,
            fix="pass --env-file a file name (default: .mesh-state/standins.env)",
        )
    _stop_on_sigterm()
    with running("127.0.0.1", moto_port, datazone_port) as urls:
        prepared = prepare(root, urls)
        env = journey_env(urls)
        write(path, env)
        console.print(f"moto: {urls.moto_url}   DataZone emulator: {urls.datazone_url}")
        console.print(
            f"buckets: {', '.join(prepared.buckets)}; DataZone domain {prepared.datazone_domain} "
            f"with projects {', '.join(prepared.projects)}"
        )
        mirror = prepared.mirror
        console.print(
            f"Glue: {len(mirror.tables)} tables in {len(mirror.databases)} databases mirrored "
            "from the built domains"
            if mirror
            else "Glue: empty (nothing built yet; run `mesh-standins mirror` after a build)"
        )
        console.print(f"\nIn another shell: source {path}\n(or paste these lines)")
        for line in export_lines(env):
            console.print(line, markup=False, highlight=False, soft_wrap=True)
        console.print("\nUp until Ctrl-C.")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            path.unlink(missing_ok=True)
    console.print("stand-ins stopped")


@reports_mesh_errors
def mirror() -> None:
    """Create in the running stand-ins' Glue (AWS_ENDPOINT_URL) the databases and tables a
    production build of the current artifacts creates (dbt-athena does this on AWS)."""
    from mesh_standins.up import mirror_running

    result = mirror_running(find_root())
    console.print(
        f"Glue: {len(result.tables)} new table(s) in {len(result.databases)} database(s) "
        "(existing ones left as they are)"
    )
