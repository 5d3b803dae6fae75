"""Run dbt for one domain in-process with dbt's programmatic runner (dbtRunner).

dbt and dbt-loom resolve relative paths (profiles.yml, dbt_loom.config.yml, the raw
data and the DuckDB file) from the working directory, exactly as when an engineer
runs `dbt build` inside `domains/<name>/`; the runner reproduces that by switching
into the domain folder for the duration of one invocation.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbt.cli.main import dbtRunner

from mesh.project import CORE_PACKAGE, Domain
from publish.errors import BadInputError, MeshError


@dataclass
class DomainRun:
    """What one dbt invocation for one domain did."""

    domain: str
    command: list[str]
    success: bool
    seconds: float
    statuses: Counter[str] = field(default_factory=Counter)  # "model:success" -> n
    failures: list[str] = field(default_factory=list)
    #: unique ids of the models this invocation built successfully
    built_models: list[str] = field(default_factory=list)
    #: unique ids of every node this invocation ran (models, tests, unit tests, ...)
    nodes: list[str] = field(default_factory=list)

    def count(self, resource_type: str) -> int:
        return sum(n for key, n in self.statuses.items() if key.startswith(resource_type + ":"))


def mesh_environment(root: Path) -> dict[str, str]:
    """Absolute defaults for the paths profiles.yml and the sources read (env wins)."""
    return {
        "MESH_RAW_DATA_DIR": os.environ.get("MESH_RAW_DATA_DIR", str(root / "data" / "raw")),
        "MESH_DUCKDB_PATH": os.environ.get(
            "MESH_DUCKDB_PATH", str(root / "warehouse" / "mesh.duckdb")
        ),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


@contextlib.contextmanager
def inside(domain: Domain, env: dict[str, str]) -> Iterator[None]:
    """Work from the domain folder with the mesh environment set; restore both after."""
    previous_cwd = Path.cwd()
    previous_env = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    os.chdir(domain.path)
    try:
        yield
    finally:
        os.chdir(previous_cwd)
        for key, value in previous_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def needs_deps(domain: Domain) -> bool:
    return not (domain.path / "dbt_packages" / CORE_PACKAGE).exists()


def run_dbt(domain: Domain, args: Sequence[str], env: dict[str, str]) -> DomainRun:
    """Invoke dbt with `args` inside the domain; dbt errors become a MeshError."""
    started = time.perf_counter()
    with inside(domain, env):
        if needs_deps(domain):
            _invoke(domain, ["deps", "--quiet"])
        result = _invoke(domain, list(args))
    run = DomainRun(
        domain=domain.name,
        command=["dbt", *args],
        success=bool(result.success),
        seconds=time.perf_counter() - started,
    )
    for node_result in _node_results(result.result):
        resource_type = str(getattr(node_result.node, "resource_type", "node"))
        status = str(node_result.status)
        run.statuses[f"{resource_type}:{status}"] += 1
        run.nodes.append(node_result.node.unique_id)
        if resource_type == "model" and status == "success":
            run.built_models.append(node_result.node.unique_id)
        if status in {"error", "fail", "runtime error"}:
            message = " ".join(str(node_result.message or "").split())
            if not message and getattr(node_result, "age", None) is not None:
                # source freshness: say how old the newest load is
                message = (
                    f"newest load {node_result.max_loaded_at}, {node_result.age / 3600:.0f} h old"
                )
            run.failures.append(f"{node_result.node.unique_id}: {status}: {message}")
    return run


def list_nodes(domain: Domain, args: Sequence[str], env: dict[str, str]) -> list[str]:
    """`dbt ls` inside the domain: one line per selected node, as `--output` formats it."""
    with inside(domain, env):
        if needs_deps(domain):
            _invoke(domain, ["deps", "--quiet"])
        result = _invoke(domain, ["ls", *args])
    if not result.success:
        raise MeshError(
            f"`dbt ls {' '.join(args)}` in domain {domain.name!r} failed",
            file=domain.path,
            fix="read dbt's log above (and domains/<name>/logs/dbt.log) for the cause",
        )
    return [str(line) for line in result.result or []]


def _invoke(domain: Domain, args: list[str]) -> Any:
    result = dbtRunner().invoke(args)
    if result.exception is not None:
        raise _as_mesh_error(domain, args, result.exception)
    return result


def _node_results(result: Any) -> list[Any]:
    return list(getattr(result, "results", None) or [])


def _as_mesh_error(domain: Domain, args: list[str], exc: BaseException) -> MeshError:
    message = " ".join(str(exc).split())
    name = type(exc).__name__
    command = "dbt " + " ".join(args)
    if name in {"DbtProfileError", "DbtProjectError", "CompilationError", "ParsingError"} or (
        "Parsing Error" in message or "yaml" in message.lower()
    ):
        return BadInputError(
            f"`{command}` in domain {domain.name!r} stopped with {name}: {message}",
            file=domain.path,
            fix="correct the file dbt names above, then run the command again "
            "(`dbt parse` inside the domain checks it quickly)",
        )
    return MeshError(
        f"`{command}` in domain {domain.name!r} failed with {name}: {message}",
        file=domain.path,
        fix="read dbt's log above (and domains/<name>/logs/dbt.log) for the cause",
    )
