"""`mesh new domain`: a new domain in the house style that builds, checks and publishes at once.

The domain gets the shared profile (a link), mesh core, the schema-naming shim, a dbt-loom
config for the domains it reads, a group with an owner, a staging model over example rows,
one private `int_` import model per upstream public model, a documented, contracted and
tested public mart, a data product and an overview doc. Inputs are validated before anything
is written, and the folder appears whole or not at all.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mesh.membership import misfits
from mesh.project import CORE_PACKAGE, Domain, discover_domains
from mesh.scaffold.render import LINKS, DomainSpec, Import, render_domain
from mesh.scaffold.upstream import choose
from publish.errors import BadInputError

# dbt's project-name rule (letters, digits, `_`, no leading digit) narrowed to lower case:
# Glue database names (<domain>_<layer>) are lower case. 64: a DataZone project name's limit.
NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
#: the mesh core package, dbt's own global project and its adapters' packages
RESERVED = frozenset({CORE_PACKAGE, "dbt", "dbt_duckdb", "dbt_athena", "dbt_postgres"})
_OWN_COLUMNS = frozenset({"item_id", "item_name", "category", "updated_at"})


@dataclass(frozen=True)
class Scaffold:
    """Everything `mesh new domain` writes, before it writes it."""

    folder: Path
    spec: DomainSpec
    files: dict[str, str]  # path inside the folder -> content
    links: dict[str, str]  # path inside the folder -> link target

    def paths(self) -> list[str]:
        return sorted([*self.files, *self.links])


def plan_domain(
    root: Path, name: str, reads: Sequence[str] = (), owner: str | None = None
) -> Scaffold:
    """Validate the inputs and render the new domain (nothing is written)."""
    domains = discover_domains(root)
    _check_name(root, name, domains)
    owner = owner or f"{name.replace('_', '-')}-team@example.com"
    if not _EMAIL.fullmatch(owner):
        raise BadInputError(
            f"--owner {owner!r} is not an email address",
            fix="pass the owning team's email, e.g. --owner inventory-analytics@example.com",
        )
    imports: list[Import] = []
    for item in dict.fromkeys(reads):
        model = choose(*_read_spec(root, item, domains))
        if any(i.model.label == model.label for i in imports):
            continue
        fk = model.key.name
        if fk in _OWN_COLUMNS or fk in {i.fk for i in imports}:
            fk = f"{model.domain}_{fk}"
        imports.append(Import(model, fk))
    spec = DomainSpec(name=name, owner=owner, imports=tuple(imports))
    return Scaffold(root / "domains" / name, spec, render_domain(spec), dict(LINKS))


def write_scaffold(scaffold: Scaffold) -> Path:
    """Write the domain folder whole: into a temporary folder beside it, then one rename."""
    parent = scaffold.folder.parent
    staging = Path(tempfile.mkdtemp(prefix=f".{scaffold.spec.name}.", dir=parent))
    try:
        for relative, content in scaffold.files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
        for relative, target in scaffold.links.items():
            os.symlink(target, staging / relative)
        staging.chmod(0o755)  # mkdtemp's folder is private to its owner
        staging.rename(scaffold.folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return scaffold.folder


def _check_name(root: Path, name: str, domains: dict[str, Domain]) -> None:
    if not NAME.fullmatch(name):
        raise BadInputError(
            f"{name!r} is not a valid domain name: it names the dbt project and the Glue "
            "databases <name>_<layer>, so it needs a lower-case letter first, then lower-case "
            "letters, digits or `_`, at most 64 characters",
            fix=f"choose a name such as {_suggest(name)!r}",
        )
    if name in RESERVED or name.startswith("dbt_"):
        raise BadInputError(
            f"{name!r} is the name of a dbt package the mesh installs, so it cannot name a domain",
            fix="choose another name",
        )
    folder = root / "domains" / name
    if folder.exists() or folder.is_symlink():
        raise BadInputError(
            f"domain {name!r} already exists",
            file=folder,
            fix="choose another name, or edit the existing domain",
        )
    clash = next((d for d in domains.values() if d.project == name), None)
    if clash is not None:
        raise BadInputError(
            f"the dbt project in domains/{clash.name}/ is already named {name!r}",
            file=clash.path / "dbt_project.yml",
            fix="choose another name",
        )


def _read_spec(root: Path, item: str, domains: dict[str, Domain]) -> tuple[Domain, str | None]:
    """`--reads DOMAIN` or `--reads DOMAIN.MODEL` -> the domain and the model named, if any."""
    name, _, model = item.strip().partition(".")
    if name not in domains:
        raise BadInputError(
            f"--reads {item!r}: no domain {name!r} under domains/",
            fix=f"read one of: {', '.join(sorted(domains)) or 'none yet'} "
            "(as DOMAIN, or DOMAIN.MODEL for one public model)",
        )
    outside = misfits(domains[name], root)
    if outside:
        raise BadInputError(
            f"--reads {item!r}: domain {name!r} is outside the mesh ({outside[0].problem}), "
            "so no domain can read it",
            file=outside[0].file,
            fix=f"bring {name!r} into the mesh first (`mesh check` lists what it misses)",
        )
    return domains[name], model or None


def _suggest(name: str) -> str:
    cleaned = re.sub(r"[^a-z0-9_]+", "_", name.strip().lower()).strip("_")
    cleaned = re.sub(r"^[^a-z]+", "", cleaned)[:64]
    return cleaned or "inventory"
