"""Is a folder under domains/ a member of the mesh, or a dbt project dropped in as it was?

A member builds into the mesh's warehouse and catalogs: it uses the shared profile `mesh`
(and links the shared profiles.yml, so plain `dbt build` inside it does too), installs mesh
core, names its schemas `<domain>_<layer>` through `mesh_core.mesh_schema_name`, and its
dbt project carries the folder's name. A project that misses any of these would build into
its own warehouse or a Glue database outside the mesh, so commands that run dbt refuse it
with one paragraph saying how to join, and `mesh check` reports it for that domain alone.
Every rule here reads files only: nothing runs dbt.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mesh.project import CORE_PACKAGE, Domain, discover_domains
from publish.errors import BadInputError
from publish.yamlfile import read_yaml

PROFILE = "mesh"
SCHEMA_MACRO = f"{CORE_PACKAGE}.mesh_schema_name"
_GENERATE_SCHEMA_NAME = re.compile(r"{%-?\s*macro\s+generate_schema_name\s*\(")
JOIN_HELP = "README's 'Add a domain'"


@dataclass(frozen=True)
class Misfit:
    """One way a domain is set up outside the mesh, and how to bring it in."""

    rule: str
    problem: str
    file: Path
    fix: str


def misfits(domain: Domain, root: Path) -> list[Misfit]:
    """Everything that keeps `domain` outside the mesh (empty: a member)."""
    return [
        *_project_name(domain),
        *_shared_profile(domain, root),
        *_mesh_core(domain, root),
        *_schema_naming(domain),
    ]


def outsiders(domains: Iterable[Domain], root: Path) -> dict[str, list[Misfit]]:
    """The domains among `domains` that are outside the mesh, with their misfits."""
    found = {d.name: misfits(d, root) for d in domains}
    return {name: problems for name, problems in found.items() if problems}


def refuse_outsiders(domains: Iterable[Domain], root: Path) -> None:
    """One BadInputError naming every outsider among `domains` and how it joins the mesh."""
    found = outsiders(domains, root)
    if not found:
        return
    name, problems = next(iter(found.items()))
    others = [n for n in found if n != name]
    raise BadInputError(
        join_paragraph(name, problems)
        + (f" ({', '.join(others)} too: `mesh check` lists theirs)" if others else ""),
        file=problems[0].file.parent,
        fix=join_fix(name, problems),
    )


def refuse_outsiders_named(root: Path, names: Sequence[str] = ()) -> None:
    """`refuse_outsiders` for the domains named (all under domains/ when none is)."""
    domains = discover_domains(root)
    chosen = [domains[n] for n in names if n in domains] if names else domains.values()
    refuse_outsiders(chosen, root)


def join_paragraph(name: str, problems: list[Misfit]) -> str:
    """What keeps domain `name` outside the mesh, in one sentence."""
    outside = {p.rule for p in problems} - {"project-name"}
    harm = (
        "Built as it is, it would write to its own warehouse and schemas, not the mesh's"
        if outside
        else "Built as it is, its schemas, artifacts and catalog entries would carry the "
        "project's name, not the domain's"
    )
    return f"domain {name!r} is a dbt project outside the mesh: " + (
        "; ".join(p.problem for p in problems) + f". {harm}"
    )


def join_fix(name: str, problems: list[Misfit]) -> str:
    """How domain `name` joins the mesh, every step it misses."""
    steps = "; ".join(dict.fromkeys(p.fix for p in problems))
    return (
        f"to join the mesh, {steps}. {JOIN_HELP} explains each step, and `mesh new domain` "
        f"writes them all for a new domain. Meanwhile `mesh build -s <domain>` builds the "
        f"other domains without {name!r}"
    )


def _project_name(domain: Domain) -> list[Misfit]:
    if domain.project == domain.name:
        return []
    return [
        Misfit(
            "project-name",
            f"its dbt project is named {domain.project!r} but lives in domains/{domain.name}/",
            domain.path / "dbt_project.yml",
            f"set `name: {domain.name}` in dbt_project.yml (or rename the folder to "
            f"domains/{domain.project}/), so domain, dbt project and Glue databases agree",
        )
    ]


def _shared_profile(domain: Domain, root: Path) -> list[Misfit]:
    found = []
    project_file = domain.path / "dbt_project.yml"
    profile = _yaml(project_file).get("profile")
    if profile != PROFILE:
        found.append(
            Misfit(
                "shared-profile",
                f"it uses the profile {profile!r}, not the shared profile {PROFILE!r}",
                project_file,
                f"set `profile: {PROFILE}` in dbt_project.yml",
            )
        )
    link = domain.path / "profiles.yml"
    shared = root / "profiles.yml"
    if not _same_file(link, shared):
        what = "its own profiles.yml" if link.exists() else "no profiles.yml"
        found.append(
            Misfit(
                "shared-profile",
                f"it has {what} instead of a link to the shared profiles.yml",
                link,
                f"link the shared profile: `ln -sf ../../profiles.yml domains/{domain.name}/"
                "profiles.yml`",
            )
        )
    return found


def _mesh_core(domain: Domain, root: Path) -> list[Misfit]:
    # dbt reads packages from packages.yml, or from dependencies.yml when there is none
    files = [domain.path / "packages.yml", domain.path / "dependencies.yml"]
    for path in (f for f in files if f.is_file()):
        try:
            packages = _yaml(path).get("packages") or []
        except BadInputError as exc:  # reported for this domain alone
            return [Misfit("mesh-core", exc.problem, path, "correct the YAML syntax")]
        for entry in packages if isinstance(packages, list) else []:
            local = entry.get("local") if isinstance(entry, dict) else None
            if local and (domain.path / str(local)).resolve() == root.resolve():
                return []
    return [
        Misfit(
            "mesh-core",
            f"it does not install mesh core (no `local: ../..` package in {files[0].name})",
            files[0],
            "add `- local: ../..` under `packages:` in packages.yml",
        )
    ]


def _schema_naming(domain: Domain) -> list[Misfit]:
    # dbt honours generate_schema_name only in the root project: each domain delegates
    for folder in _macro_paths(domain):
        for path in sorted(folder.rglob("*.sql")):
            text = path.read_text(encoding="utf-8", errors="replace")
            if _GENERATE_SCHEMA_NAME.search(text) and SCHEMA_MACRO in text:
                return []
    return [
        Misfit(
            "schema-naming",
            f"its schemas are not named <domain>_<layer> (no generate_schema_name macro "
            f"calling {SCHEMA_MACRO})",
            domain.path / "macros" / "generate_schema_name.sql",
            f"add macros/generate_schema_name.sql delegating to {SCHEMA_MACRO}, as every "
            "other domain has",
        )
    ]


def _macro_paths(domain: Domain) -> list[Path]:
    paths = _yaml(domain.path / "dbt_project.yml").get("macro-paths") or ["macros"]
    return [domain.path / str(p) for p in paths if (domain.path / str(p)).is_dir()]


def _same_file(link: Path, shared: Path) -> bool:
    """A symlink to the shared file, or a copy with the same content."""
    try:
        return link.resolve() == shared.resolve() or link.read_bytes() == shared.read_bytes()
    except OSError:
        return False


def _yaml(path: Path) -> dict[str, Any]:
    data = read_yaml(path, "the file", fix="correct the YAML syntax at the line shown")
    return data if isinstance(data, dict) else {}
