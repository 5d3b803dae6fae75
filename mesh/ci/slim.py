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

from mesh.build import MeshInvocation, check_target
from mesh.order import select_domains
from mesh.project import Domain, discover_domains, write_loom_config
from mesh.runner import DomainRun, mesh_environment, run_dbt
from publish.artifacts import load_manifest
from publish.errors import BadInputError
from publish.model import Domain as LoadedDomain
from publish.model import Model


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


def _selector(model: Model) -> str:
    return f"{model.name}.v{model.version}" if model.version is not None else model.name


def children_of(prod: LoadedDomain, upstream_ids: set[str]) -> list[str]:
    """Selectors of the domain's own models that read any of the given upstream models."""
    return sorted(
        f"{_selector(model)}+"
        for model in prod.models
        if model.package_name == prod.name and upstream_ids & set(model.depends_on)
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
    """Build every domain's changes and their cross-domain consequences, upstream first."""
    check_target(root, target)
    domains = discover_domains(root)
    work = state_dir / "_slim"
    work.mkdir(parents=True, exist_ok=True)
    result = SlimResult()
    rebuilt_public: set[str] = set()
    manifests: dict[str, Path] = {}  # what downstream domains read for each upstream
    for domain in select_domains(domains):
        prod_manifest_path = state_dir / domain.name / "manifest.json"
        if not prod_manifest_path.is_file():
            raise BadInputError(
                f"no production manifest for domain {domain.name!r}",
                file=prod_manifest_path,
                fix="download the production artifacts first (`mesh ci download`), or build "
                "the domain on main and upload its artifacts (`mesh ci merge`)",
            )
        prod = load_manifest(prod_manifest_path.parent, domain.name)
        selection = ["state:modified+", *children_of(prod, rebuilt_public)]
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
        env = mesh_environment(root)
        env["DBT_LOOM_CONFIG"] = str(_loom_config(domain, manifests, work))
        run = run_dbt(domain, invocation.args(), env)
        if not run.built_models and run.success:
            result.skipped.append(domain.name)
            manifests[domain.name] = prod_manifest_path
            continue
        result.runs.append(run)
        manifests[domain.name] = domain.manifest_path
        built = load_manifest(domain.target_dir, domain.name)
        public = {m.unique_id for m in built.models if m.access == "public"}
        rebuilt_public |= public & set(run.built_models)
        if not run.success:
            break
    return result
