"""Checks that run before the first dbt invocation of a mesh command, so that bad input stops the
command with one paragraph before any domain is built (README: "nothing is run").

Each check covers what dbt would only find half-way through the run, or would report with a
traceback: broken YAML in any selected domain, an upstream manifest that is missing or unreadable,
and a DuckDB warehouse file that another process holds locked.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import duckdb

from mesh.project import Domain
from publish.artifacts import read_artifact
from publish.errors import BadInputError
from publish.yamlfile import read_yaml

#: folders of a domain that dbt writes or installs: not the team's YAML
_GENERATED = {"target", "dbt_packages", "logs"}


def domain_yaml_files(domain: Domain) -> Iterator[Path]:
    """Every YAML file of the domain that dbt or the mesh reads."""
    for path in sorted(domain.path.rglob("*")):
        relative = path.relative_to(domain.path).parts
        if relative[0] in _GENERATED or relative[0].startswith("."):
            continue
        if path.suffix in {".yml", ".yaml"} and path.is_file():
            yield path


def check_yaml(plan: Sequence[Domain]) -> None:
    """Broken YAML anywhere in the selected domains stops the run before the first domain."""
    for domain in plan:
        for path in domain_yaml_files(domain):
            read_yaml(path, "the file", fix="correct the YAML syntax at the line shown")


def check_upstream_manifests(plan: Sequence[Domain], manifests: Mapping[str, Path]) -> None:
    """Each upstream read from a local file is either built earlier in this run, or exists and
    is a readable manifest (dbt-loom would fail on it with a traceback or a bare JSON error).

    `manifests` maps every upstream domain to the manifest this run's dbt-loom reads.
    """
    planned = {d.name for d in plan}
    for domain in plan:
        for upstream in domain.upstreams:
            path = manifests.get(upstream.name)
            if upstream.name in planned or path is None:
                continue
            build_first = (
                f"build {upstream.name!r} first: `mesh build --select {upstream.name}` "
                f"(or `mesh build --select +{domain.name}` to build {domain.name!r} "
                "with everything upstream of it)"
            )
            if not path.is_file():
                raise BadInputError(
                    f"domain {domain.name!r} refs models of {upstream.name!r}, whose manifest "
                    f"{path} does not exist yet",
                    file=domain.path / "dbt_loom.config.yml",
                    fix=build_first,
                )
            try:
                read_artifact(path, "manifest")
            except BadInputError as exc:
                raise BadInputError(
                    f"domain {domain.name!r} refs models of {upstream.name!r}, whose manifest "
                    f"cannot be read: {exc.problem}",
                    file=path,
                    fix=f"rebuild {upstream.name!r}: `mesh build --select {upstream.name}` "
                    f"(or `mesh build --select +{domain.name}`)",
                ) from None


def check_warehouse_lock(path: Path | None) -> None:
    """A DuckDB file held by another process fails every dbt connection with a traceback; say
    which process holds it instead, before dbt starts."""
    if path is None or not path.is_file():
        return  # nobody can hold a file that does not exist yet
    try:
        duckdb.connect(str(path), read_only=True).close()
    except duckdb.IOException as exc:
        if "lock" not in str(exc).lower():
            raise
        detail = " ".join(str(exc).split()).removeprefix("IO Error: ")
        raise BadInputError(
            f"the warehouse is in use by another process ({detail})",
            file=path,
            fix="close the program that holds it (a DuckDB shell or notebook, or `dbt` / "
            "`mesh` in another terminal), then run the command again",
        ) from None
    except duckdb.Error:
        return  # e.g. this process already holds it with other settings: dbt will cope
