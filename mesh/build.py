"""Build (or document) every selected domain in dependency order, upstream domains first."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mesh.membership import refuse_outsiders
from mesh.order import select_domains
from mesh.preflight import check_upstream_manifests, check_warehouse_lock, check_yaml
from mesh.profile import duckdb_file, resolve_target
from mesh.project import (
    LOCAL_TARGET,
    LOOM_CONFIG,
    STATE_DIR,
    Domain,
    discover_domains,
    write_loom_config,
)
from mesh.runner import DomainRun, mesh_environment, run_dbt
from publish.errors import BadInputError


@dataclass(frozen=True)
class MeshInvocation:
    """One dbt command to run across the selected domains."""

    command: tuple[str, ...] = ("build",)
    target: str | None = None
    selectors: tuple[str, ...] = ()
    dbt_args: tuple[str, ...] = ()
    stop_on_failure: bool = True
    #: per-domain dbt-loom config replacing domains/<d>/dbt_loom.config.yml (e.g. S3 upstreams)
    loom_configs: Mapping[str, Path] = field(default_factory=dict)
    #: per-domain dbt arguments appended after `dbt_args` (e.g. a slim selection)
    domain_args: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def args(self) -> list[str]:
        args = list(self.command)
        if self.target:
            args += ["--target", self.target]
        return args + list(self.dbt_args)


@contextlib.contextmanager
def keep_run_results(folder: Path) -> Iterator[None]:
    """Keep the build's run_results.json across `dbt docs generate` / `dbt source freshness`.

    The publisher reads build and test results from that file; docs only add catalog.json
    and freshness only sources.json.
    """
    results = folder / "run_results.json"
    saved = folder / "run_results.build.json"
    if results.is_file():
        shutil.copy2(results, saved)
    try:
        yield
    finally:
        if saved.is_file():
            saved.replace(results)


MANIFEST = "manifest.json"
#: dbt commands that run nodes, whose run_results.json the publisher and the portal read
NODE_COMMANDS = frozenset({"build", "run", "test", "seed", "snapshot"})
#: dbt options that narrow what a command runs
SELECTION_FLAGS = ("-s", "--select", "-m", "--models", "--selector", "--exclude")


def _selection(args: Sequence[str]) -> list[str]:
    """The user's dbt selection arguments (flags and their values)."""
    chosen = []
    for i, arg in enumerate(args):
        if arg.split("=", 1)[0] in SELECTION_FLAGS:
            chosen.append(arg)
            chosen += [a for a in args[i + 1 :] if not a.startswith("-")][:1]
    return chosen


def target_loom_configs(
    root: Path, domains: Mapping[str, Domain], plan: Sequence[Domain], target: str
) -> dict[str, Path]:
    """dbt-loom configs reading each upstream's manifest of this target (not the local target/
    its own config names), for the domains whose upstreams are all local files."""
    if target == LOCAL_TARGET:
        return {}
    configs = {}
    for domain in plan:
        if not domain.upstreams or any(u.kind != "file" for u in domain.upstreams):
            continue
        configs[domain.name] = write_loom_config(
            root / STATE_DIR / target / "_loom" / f"{domain.name}.{LOOM_CONFIG}",
            [
                {
                    "name": u.name,
                    "type": "file",
                    "config": {
                        "path": str(domains[u.name].artifacts_dir(target) / "manifest.json")
                    },
                }
                for u in domain.upstreams
            ],
        )
    return configs


def upstream_manifests(
    domains: Mapping[str, Domain], target: str, loom_configs: Mapping[str, Path]
) -> dict[str, Path]:
    """The manifest file this run's dbt-loom reads for each upstream domain read from a file."""
    found: dict[str, Path] = {}
    for domain in domains.values():
        for upstream in domain.upstreams:
            if upstream.kind != "file" or upstream.manifest_path is None:
                continue
            if domain.name in loom_configs:
                found[upstream.name] = (
                    domains[upstream.name].artifacts_dir(target) / "manifest.json"
                )
            else:
                found[upstream.name] = upstream.manifest_path
    return found


def dbt_environment(root: Path, domain: Domain, target: str, loom_config: Path) -> dict[str, str]:
    """The environment of one domain's dbt run: mesh paths, its dbt-loom config, and the
    target's own artifacts folder."""
    env = mesh_environment(root)
    env["DBT_LOOM_CONFIG"] = str(loom_config)
    # relative to the domain folder, as dbt's own `target`: artifacts then never name the
    # checkout they were built in (state made in CI works in any other checkout)
    env["DBT_TARGET_PATH"] = os.path.relpath(domain.artifacts_dir(target), domain.path)
    return env


def run_mesh(
    root: Path,
    invocation: MeshInvocation,
    *,
    on_start: Callable[[int, int, Domain, list[str]], None] | None = None,
    on_done: Callable[[DomainRun], None] | None = None,
) -> list[DomainRun]:
    """Run the invocation domain by domain; stops at the first failing domain by default.

    Every input is checked before the first dbt run (target, selection, YAML, upstream
    manifests, the warehouse lock), so bad input stops the command with nothing run.
    """
    target = resolve_target(root, invocation.target)
    domains = discover_domains(root)
    plan = select_domains(domains, invocation.selectors)
    refuse_outsiders(plan, root)  # never build a dropped-in project into its own warehouse
    check_yaml(plan)
    loom_configs = dict(invocation.loom_configs) or target_loom_configs(root, domains, plan, target)
    if not invocation.loom_configs:
        check_upstream_manifests(plan, upstream_manifests(domains, target, loom_configs))
    if plan:
        env = mesh_environment(root)
        check_warehouse_lock(duckdb_file(root, target, env, plan[0].path))
    # a user selection on a command that runs nodes: matching nothing is bad input
    selection = _selection(invocation.dbt_args) if invocation.command[0] in NODE_COMMANDS else []
    runs: list[DomainRun] = []
    for index, domain in enumerate(plan, start=1):
        args = invocation.args() + list(invocation.domain_args.get(domain.name, ()))
        folder = domain.artifacts_dir(target)
        env = dbt_environment(
            root, domain, target, loom_configs.get(domain.name, domain.path / LOOM_CONFIG)
        )
        if on_start:
            on_start(index, len(plan), domain, args)
        keep = invocation.command[0] in {"docs", "source"}
        previous = _read(folder / "run_results.json") if selection else None
        with keep_run_results(folder) if keep else contextlib.nullcontext():
            run = run_dbt(domain, args, env)
        if selection and run.success and not run.statuses and previous is not None:
            # a run that selected nothing must not erase the last build's results
            (folder / "run_results.json").write_bytes(previous)
        runs.append(run)
        if on_done:
            on_done(run)
        if not run.success and invocation.stop_on_failure:
            break
    if selection and runs and all(run.success and not run.statuses for run in runs):
        raise BadInputError(
            f"the dbt selection `{' '.join(selection)}` matched nothing in "
            f"{', '.join(run.domain for run in runs)}; every run_results.json was kept",
            fix="check the names (`dbt ls " + " ".join(selection) + "` inside the domain lists "
            "what it selects), or pick the domain with `mesh build -s <domain>`",
        )
    return runs


def _read(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None


def parse_all(root: Path, domains: Sequence[str] | None = None) -> bool:
    """`dbt parse` in every domain (or just in `domains`), upstream first, so each
    target/manifest.json is current."""
    if domains is not None and not domains:
        return True
    selectors = tuple(domains or ())
    runs = run_mesh(root, MeshInvocation(("parse",), selectors=selectors, dbt_args=("--quiet",)))
    return all(run.success for run in runs)
