"""Slim CI: build only what a pull request changed, and what depends on it, across domains.

Per domain (upstream first), against the production artifacts in `state_dir/<domain>/`:
- its own changes: `state:modified+`, unchanged parents deferred to production (`--defer`);
- its inputs from upstream domains: the children of every upstream public model this run
  rebuilt (`<child>+`), read from the production manifest's `depends_on`.
A domain whose upstream was rebuilt reads that upstream's freshly built manifest through
dbt-loom; every other upstream is read from the production manifest, so refs resolve to
production relations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mesh.build import MeshInvocation, dbt_environment
from mesh.order import select_domains
from mesh.preflight import check_warehouse_lock, check_yaml
from mesh.profile import check_target, duckdb_file
from mesh.project import STATE_DIR, Domain, discover_domains, write_loom_config
from mesh.runner import DomainRun, mesh_environment, run_dbt
from publish.artifacts import read_document
from publish.errors import BadInputError


@dataclass
class SlimResult:
    runs: list[DomainRun] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # domains with nothing to build
    selections: dict[str, list[str]] = field(default_factory=dict)

    @property
    def nodes_built(self) -> int:
        return sum(sum(run.statuses.values()) for run in self.runs)

    @property
    def success(self) -> bool:
        return all(run.success for run in self.runs)


def _selector(node: dict[str, Any]) -> str:
    version = node.get("version")
    return f"{node['name']}.v{version}" if version is not None else node["name"]


def children_of(prod_manifest: dict[str, Any], domain: str, upstream_ids: set[str]) -> list[str]:
    """Selectors of the domain's models that read any of the given upstream models."""
    return sorted(
        f"{_selector(node)}+"
        for node in prod_manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["package_name"] == domain
        and upstream_ids & set(node["depends_on"]["nodes"])
    )


def _loom_config(domain: Domain, manifests: dict[str, Path], dest: Path) -> Path:
    return write_loom_config(
        dest / f"{domain.name}.dbt_loom.config.yml",
        [
            {"name": up, "type": "file", "config": {"path": str(manifests[up])}}
            for up in domain.upstream_names
        ],
    )


def slim_build(
    root: Path,
    state_dir: Path,
    *,
    target: str = "ci",
    dbt_args: tuple[str, ...] = (),
    on_domain: Callable[[str, list[str]], None] | None = None,
) -> SlimResult:
    """Build every domain's changes and their cross-domain consequences, upstream first.

    Every input is checked before the first build: the target, each domain's YAML and
    production manifest, and the warehouse lock.
    """
    check_target(root, target)
    domains = discover_domains(root)
    plan = select_domains(domains)
    check_yaml(plan)
    prod: dict[str, dict[str, Any]] = {}
    for domain in plan:
        prod_manifest_path = state_dir / domain.name / "manifest.json"
        if not prod_manifest_path.is_file():
            raise BadInputError(
                f"no production manifest for domain {domain.name!r}",
                file=prod_manifest_path,
                fix="download the production artifacts first (`mesh ci download`), or build "
                "the domain on main and upload its artifacts (`mesh ci merge`)",
            )
        prod[domain.name] = read_document(prod_manifest_path, "manifest")
    if plan:
        check_warehouse_lock(duckdb_file(root, target, mesh_environment(root), plan[0].path))
    work = root / STATE_DIR / target / "_loom"
    result = SlimResult()
    rebuilt_public: set[str] = set()
    manifests: dict[str, Path] = {}  # what downstream domains read for each upstream
    for domain in plan:
        selection = [
            "state:modified+",
            *children_of(prod[domain.name], domain.name, rebuilt_public),
        ]
        result.selections[domain.name] = selection
        if on_domain:
            on_domain(domain.name, selection)
        invocation = MeshInvocation(
            ("build",),
            target=target,
            dbt_args=(
                *dbt_args,
                *("--select", *selection),
                *("--defer", "--state", str(state_dir / domain.name)),
            ),
        )
        env = dbt_environment(root, domain, target, _loom_config(domain, manifests, work))
        run = run_dbt(domain, invocation.args(), env)
        if not run.built_models and run.success:
            result.skipped.append(domain.name)
            manifests[domain.name] = state_dir / domain.name / "manifest.json"
            continue
        result.runs.append(run)
        manifests[domain.name] = domain.artifacts_dir(target) / "manifest.json"
        public = {
            uid
            for uid, n in read_document(manifests[domain.name], "manifest")["nodes"].items()
            if n.get("access") == "public"
        }
        rebuilt_public |= public & set(run.built_models)
        if not run.success:
            break
    return result
