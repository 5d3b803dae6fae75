"""The shared dbt profile (`profiles.yml`, profile `mesh`) as the mesh reads it before dbt runs.

dbt renders the profile with its own Jinja; the few values the mesh needs before starting dbt
(target names, the default target, a DuckDB target's file) use only `env_var`, so they are
rendered here with jinja2 and the same environment dbt will see.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import yaml

from mesh.project import LOCAL_TARGET, STATE_DIR
from publish.errors import BadInputError

if TYPE_CHECKING:
    from publish.model import Domain

PROFILE = "mesh"


def _profile(root: Path) -> dict[str, Any]:
    path = root / "profiles.yml"
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise BadInputError(
            f"cannot read the shared dbt profile ({exc})",
            file=path,
            fix="restore profiles.yml from git",
        ) from exc
    profile = document.get(PROFILE) if isinstance(document, dict) else None
    if not isinstance(profile, dict) or not isinstance(profile.get("outputs"), dict):
        raise BadInputError(
            f"profile {PROFILE!r} with its `outputs` is missing",
            file=path,
            fix="restore profiles.yml from git",
        )
    return profile


def render(value: Any, env: Mapping[str, str] | None = None) -> str:
    """A profile value as dbt renders it (only `env_var` is needed in profiles.yml)."""
    values = {**os.environ, **(env or {})}

    def env_var(name: str, default: str | None = None) -> str:
        if name in values:
            return values[name]
        if default is None:
            raise BadInputError(
                f"profiles.yml reads the environment variable {name}, which is not set",
                fix=f"export {name}, or give env_var('{name}', ...) a default in profiles.yml",
            )
        return default

    return jinja2.Template(str(value)).render(env_var=env_var)


def profile_targets(root: Path) -> list[str]:
    """Target names of the shared profile, for a clear error before dbt starts."""
    return sorted(_profile(root)["outputs"])


def check_target(root: Path, target: str | None) -> None:
    if target is None:
        return
    targets = profile_targets(root)
    if target not in targets:
        raise BadInputError(
            f"unknown target {target!r}; profile {PROFILE!r} defines {', '.join(targets)}",
            file=root / "profiles.yml",
            fix=f"use --target with one of {', '.join(targets)}, or add an output named "
            f"{target!r} to profiles.yml",
        )


def resolve_target(root: Path, target: str | None) -> str:
    """The target dbt will use: the one asked for, else the profile's default."""
    if target:
        check_target(root, target)
        return target
    default = render(_profile(root).get("target", LOCAL_TARGET))
    check_target(root, default)
    return default


def target_output(root: Path, target: str) -> dict[str, Any]:
    output = _profile(root)["outputs"].get(target)
    return output if isinstance(output, dict) else {}


def duckdb_file(root: Path, target: str, env: Mapping[str, str], domain_path: Path) -> Path | None:
    """The DuckDB file a target writes (None: not DuckDB, or in memory)."""
    output = target_output(root, target)
    if output.get("type") != "duckdb":
        return None
    path = render(output.get("path", ":memory:"), env)
    if path == ":memory:" or path.startswith(("md:", "motherduck:")):
        return None
    return (domain_path / path).resolve()  # relative paths are relative to the domain folder


def target_artifacts(root: Path, target: str) -> Path | None:
    """The artifacts of a target in the `<dir>/<domain>/` layout that `--artifacts` takes, or
    None for `local`, whose artifacts are each domain's own target/ folder."""
    check_target(root, target)
    return None if target == LOCAL_TARGET else root / STATE_DIR / target


def publish_artifacts(root: Path, target: str, artifacts: Path | None) -> Path | None:
    """The artifacts `mesh publish --target` reads: `--artifacts` when given, else the target's
    own (each domain's target/ for `local`, `.mesh-state/<target>/` for the others)."""
    if artifacts is not None:
        return artifacts
    folder = target_artifacts(root, target)
    if folder is not None and not folder.is_dir():
        raise BadInputError(
            f"no artifacts of target {target!r} in {folder} (a build for {target!r} writes them "
            "there, `mesh ci download` fetches production's)",
            file=folder,
            fix=f"build for the target (`mesh build -t {target}` and `mesh docs generate -t "
            f"{target}`), pass --artifacts, or publish the local build with `mesh publish all "
            "--target local`",
        )
    return folder


def current_domains(root: Path, folder: Path, *, left_out: str) -> tuple[str, ...]:
    """The domains of a target's artifact folder that `domains/` has. The folder of a domain it
    no longer has (one that left the mesh, built here before) is stale: reading it would keep a
    retired domain alive in the catalogs and the portal, so it is left out, with a warning that
    says it is not `left_out` (published, shown)."""
    from mesh.console import err_console
    from mesh.project import discover_domains
    from publish.wording import some

    built = sorted(p.parent.name for p in folder.glob("*/manifest.json"))
    ours = discover_domains(root)
    stale = [d for d in built if d not in ours]
    if stale:
        err_console.print(
            f"[yellow]warning:[/] {folder} holds artifacts of {some(stale)}, which domains/ no "
            f"longer has: not {left_out} (delete the folder(s) to silence this)",
            soft_wrap=True,
        )
    return tuple(d for d in built if d in ours)


def check_artifacts_target(root: Path, domains: Sequence[Domain], target: str) -> None:
    """The artifacts were built for `target`: as their run_results.json records it, or, when it
    does not, `target` is at least one the shared profile defines."""
    from publish.run import check_dbt_target  # the publisher's own check of a recorded target

    check_dbt_target(domains, target)
    unrecorded = any(not d.run_target for d in domains)
    profile = root / "profiles.yml"  # a root of catalogs alone (`--root`) has none to check
    if unrecorded and profile.is_file() and target not in profile_targets(root):
        check_target(root, target)  # nothing records the build's target: the name must exist
