"""Build (or document) every selected domain in dependency order, upstream domains first."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from mesh.membership import refuse_outsiders
from mesh.order import select_domains
from mesh.project import LOOM_CONFIG, Domain, discover_domains
from mesh.runner import DomainRun, mesh_environment, run_dbt
from publish.errors import BadInputError

PROFILE = "mesh"


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


def profile_targets(root: Path) -> list[str]:
    """Target names of the shared profile, for a clear error before dbt starts."""
    path = root / "profiles.yml"
    try:
        profile = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get(PROFILE) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise BadInputError(
            f"cannot read the shared dbt profile ({exc})",
            file=path,
            fix="restore profiles.yml from git",
        ) from exc
    return sorted((profile.get("outputs") or {}).keys())


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


def check_upstream_manifests(plan: Sequence[Domain], domains: dict[str, Domain]) -> None:
    """Each upstream read from a local file is either built earlier in this run or exists."""
    planned = {d.name for d in plan}
    for domain in plan:
        for upstream in domain.upstreams:
            if upstream.name in planned or upstream.manifest_path is None:
                continue
            if not upstream.manifest_path.is_file():
                raise BadInputError(
                    f"domain {domain.name!r} refs models of {upstream.name!r}, whose manifest "
                    f"{upstream.manifest_path} does not exist yet",
                    file=domain.path / "dbt_loom.config.yml",
                    fix=f"build {upstream.name!r} first: `mesh build --select {upstream.name}` "
                    f"(or `mesh build --select +{domain.name}` to build {domain.name!r} "
                    "with everything upstream of it)",
                )


@contextlib.contextmanager
def keep_run_results(domain: Domain) -> Iterator[None]:
    """Keep the build's run_results.json across `dbt docs generate` / `dbt source freshness`.

    The publisher reads build and test results from that file; docs only add catalog.json
    and freshness only sources.json.
    """
    results = domain.target_dir / "run_results.json"
    saved = domain.target_dir / "run_results.build.json"
    if results.is_file():
        shutil.copy2(results, saved)
    try:
        yield
    finally:
        if saved.is_file():
            saved.replace(results)


def run_mesh(
    root: Path,
    invocation: MeshInvocation,
    *,
    on_start: Callable[[int, int, Domain, list[str]], None] | None = None,
    on_done: Callable[[DomainRun], None] | None = None,
) -> list[DomainRun]:
    """Run the invocation domain by domain; stops at the first failing domain by default."""
    check_target(root, invocation.target)
    domains = discover_domains(root)
    plan = select_domains(domains, invocation.selectors)
    refuse_outsiders(plan, root)  # never build a dropped-in project into its own warehouse
    if not invocation.loom_configs:
        check_upstream_manifests(plan, domains)
    runs: list[DomainRun] = []
    for index, domain in enumerate(plan, start=1):
        args = invocation.args() + list(invocation.domain_args.get(domain.name, ()))
        env = mesh_environment(root)
        loom_config = invocation.loom_configs.get(domain.name, domain.path / LOOM_CONFIG)
        env["DBT_LOOM_CONFIG"] = str(loom_config)
        if on_start:
            on_start(index, len(plan), domain, args)
        keep = invocation.command[0] in {"docs", "source"}
        with keep_run_results(domain) if keep else contextlib.nullcontext():
            run = run_dbt(domain, args, env)
        runs.append(run)
        if on_done:
            on_done(run)
        if not run.success and invocation.stop_on_failure:
            break
    return runs


def parse_all(root: Path, domains: Sequence[str] | None = None) -> bool:
    """`dbt parse` in every domain (or just in `domains`), upstream first, so each
    target/manifest.json is current."""
    if domains is not None and not domains:
        return True
    selectors = tuple(domains or ())
    runs = run_mesh(root, MeshInvocation(("parse",), selectors=selectors, dbt_args=("--quiet",)))
    return all(run.success for run in runs)
