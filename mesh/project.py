"""Discovery of the mesh: the repository root, its domains and their upstream domains.

A domain is a folder `domains/<name>/` holding a `dbt_project.yml`; the folder names it.
Its upstream domains are the manifests named in its `dbt_loom.config.yml`, so the build
order follows the same file dbt-loom reads and can never drift from a hand-kept list.
Whether a domain is set up to be part of the mesh (shared profile, mesh core, schema
naming) is `mesh.membership`'s question, not discovery's: a misfit never hides the others.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from publish.errors import BadInputError
from publish.yamlfile import read_yaml

LOOM_CONFIG = "dbt_loom.config.yml"
CORE_PACKAGE = "mesh_core"
#: the embedded default target: its artifacts are each domain's own target/ folder
LOCAL_TARGET = "local"
#: artifacts of every other target, and CI state: <root>/.mesh-state/<target>/<domain>/
STATE_DIR = ".mesh-state"


@dataclass(frozen=True)
class Upstream:
    """One manifest a domain reads through dbt-loom."""

    name: str
    kind: str  # dbt-loom reference type: file, s3, ...
    manifest_path: Path | None  # local file, when kind == "file"


@dataclass(frozen=True)
class Domain:
    """A dbt project under `domains/` and the upstream domains it refs."""

    name: str  # the folder under domains/
    path: Path
    upstreams: tuple[Upstream, ...] = field(default=())
    #: `name` in its dbt_project.yml (a mesh member's equals the folder name)
    project: str = ""

    @property
    def upstream_names(self) -> tuple[str, ...]:
        return tuple(u.name for u in self.upstreams)

    @property
    def target_dir(self) -> Path:
        return self.path / "target"

    @property
    def manifest_path(self) -> Path:
        return self.target_dir / "manifest.json"

    def artifacts_dir(self, target: str) -> Path:
        """Where dbt writes this domain's artifacts for `target`.

        The local default keeps dbt's own `target/` (plain `dbt build` in the domain, dbt-loom's
        file paths, the portal); every other target gets `.mesh-state/<target>/<domain>/`, so a
        CI or Athena build never replaces what a local build, and its readers, rely on.
        """
        if target == LOCAL_TARGET:
            return self.target_dir
        return self.path.parents[1] / STATE_DIR / target / self.name


def find_root(start: Path | None = None) -> Path:
    """The repository root: the nearest folder holding the mesh_core dbt_project.yml."""
    env_root = os.environ.get("MESH_ROOT")
    if env_root:  # said explicitly: never silently replaced by the folder the command runs in
        if _is_root(Path(env_root)):
            return Path(env_root).resolve()
        raise BadInputError(
            f"MESH_ROOT is {env_root!r}, which is not the root of an analytics mesh (a folder "
            "with dbt_project.yml named `mesh_core` and a domains/ folder)",
            fix="set MESH_ROOT to the repository's root folder, or unset it to use the "
            "repository the command runs in",
        )
    here = (start or Path.cwd()).resolve()
    for folder in [here, *here.parents]:
        if _is_root(folder):
            return folder.resolve()
    raise BadInputError(
        f"no analytics mesh found at or above {here}",
        fix="run `mesh` inside the repository (a folder with dbt_project.yml named "
        "`mesh_core` and a domains/ folder), or set MESH_ROOT to that folder",
    )


def _is_root(folder: Path) -> bool:
    project = folder / "dbt_project.yml"
    is_mesh = (folder / "domains").is_dir() and project.is_file()
    return is_mesh and _read_yaml(project).get("name") == CORE_PACKAGE


def discover_domains(root: Path) -> dict[str, Domain]:
    """Every domain under `<root>/domains`, keyed by its folder name."""
    domains: dict[str, Domain] = {}
    for project_file in sorted((root / "domains").glob("*/dbt_project.yml")):
        folder = project_file.parent
        project = str(_read_yaml(project_file).get("name") or "")
        domains[folder.name] = Domain(
            name=folder.name, path=folder, upstreams=_read_upstreams(folder), project=project
        )
    if not domains:
        raise BadInputError(
            "no domain found",
            file=root / "domains",
            fix="add one: `mesh new domain <name>` writes it (see README's 'Add a domain')",
        )
    for domain in domains.values():
        for upstream in domain.upstreams:
            if upstream.name not in domains:
                raise BadInputError(
                    f"upstream domain {upstream.name!r} does not exist under domains/",
                    file=domain.path / LOOM_CONFIG,
                    fix=f"use one of {', '.join(sorted(domains))} as the manifest name",
                )
    return domains


def write_loom_config(path: Path, manifests: list[dict[str, Any]]) -> Path:
    """Write a dbt-loom config reading `manifests` ({name, type, config} entries) to `path`.

    CI points dbt-loom at other manifest locations (S3, a fresh upstream build) with such a
    file through DBT_LOOM_CONFIG; the upstream names always come from the domain's own file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"manifests": manifests}, sort_keys=False), encoding="utf-8")
    return path


def _read_upstreams(folder: Path) -> tuple[Upstream, ...]:
    config_file = folder / LOOM_CONFIG
    if not config_file.is_file():
        return ()
    config = _read_yaml(config_file)
    manifests = config.get("manifests") or []
    if not isinstance(manifests, list):
        raise BadInputError(
            "`manifests` must be a list of {name, type, config} entries",
            file=config_file,
            fix="see domains/marketing/dbt_loom.config.yml for the shape",
        )
    upstreams = []
    for entry in manifests:
        if not isinstance(entry, dict) or "name" not in entry or "type" not in entry:
            raise BadInputError(
                f"manifest entry {entry!r} needs a `name` and a `type`",
                file=config_file,
                fix="give each entry `name: <upstream domain>` and `type: file` (or s3)",
            )
        path = None
        if entry["type"] == "file":
            raw = str((entry.get("config") or {}).get("path", ""))
            path = (folder / os.path.expandvars(raw)).resolve() if raw else None
        upstreams.append(Upstream(name=entry["name"], kind=entry["type"], manifest_path=path))
    return tuple(upstreams)


def _read_yaml(path: Path) -> dict[str, Any]:
    data = read_yaml(path, "the file", fix="correct the YAML syntax at the line shown")
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise BadInputError("expected a mapping at the top level", file=path, fix="check the file")
    return data
