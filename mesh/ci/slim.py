"""Slim CI: build exactly what a pull request changed, and everything downstream, across domains.

Per domain (upstream first), against the production artifacts in `state_dir/<domain>/`:
- its own changes: the domain's own nodes that dbt's `state:modified` finds (`dbt ls`, restricted
  to the domain's package), each with its children. Nodes dbt-loom injects from upstream domains
  are left out: their production copy was parsed for the production target, so they differ from
  any pull-request parse by schema alone, and would otherwise select every reader of them;
- its inputs from upstream domains: the children of every upstream model this run rebuilt,
  read from the production manifest's `depends_on`.
Every unselected ref resolves to production (`--defer --favor-state`), except refs to upstream
models this run rebuilt, which read the tables it built (dbt-loom injects them from the upstream's
fresh manifest; `defer_state` keeps them out of what dbt defers to). A domain with nothing
selected runs no build at all. A domain without a production manifest (new in the pull request)
builds every node of its own; one without any is an error (the wrong `--state`, or no download).

Documentation-only changes select nothing: the `ci*` targets persist no descriptions (see the
domains' `dbt_project.yml`), so dbt does not count a changed description as a modification there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mesh.build import MeshInvocation, dbt_environment
from mesh.membership import refuse_outsiders
from mesh.order import select_domains
from mesh.preflight import check_warehouse_lock, check_yaml
from mesh.profile import check_target, duckdb_file
from mesh.project import STATE_DIR, Domain, discover_domains, write_loom_config
from mesh.runner import DomainRun, list_nodes, mesh_environment, run_dbt
from publish.artifacts import load_manifest, manifest_without
from publish.errors import BadInputError
from publish.model import Domain as LoadedDomain
from publish.model import Model, TestResult


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


def children_of(prod: LoadedDomain, upstream_ids: set[str]) -> list[str]:
    """Selectors (with children) of the domain's models, and tests, that read any of the
    upstream models: dbt's own selector for a node (what `dbt ls --output selector` prints) is
    its fqn."""
    own: list[Model | TestResult] = [
        *(m for m in prod.models if m.package_name == prod.name),
        *(t for t in prod.tests if t.package_name == prod.name),
    ]
    return sorted(f"{'.'.join(node.fqn)}+" for node in own if upstream_ids & set(node.depends_on))


def own_changes(domain: Domain, env: dict[str, str], target: str, state: Path) -> list[str]:
    """Selectors (with children) of the domain's own nodes that differ from production."""
    selectors = list_nodes(
        domain,
        (
            *("--log-level", "none"),  # the list is returned, not printed
            *("--target", target),
            *("--select", f"state:modified,package:{domain.name}"),
            *("--state", str(state)),
            # only nodes that changed themselves; `+` below adds their tests and children
            *("--indirect-selection", "empty"),
            *("--output", "selector"),
        ),
        env,
    )
    return sorted(f"{selector}+" for selector in selectors)


def defer_state(state: Path, rebuilt: set[str], dest: Path) -> Path:
    """The folder dbt defers to: production's manifest without the upstream models this run
    rebuilt. With `--favor-state` dbt resolves every unselected ref to production, the nodes
    dbt-loom injects included; a rebuilt upstream model must instead resolve to the table this
    run built, which is what dbt-loom injects from the upstream's fresh manifest."""
    without = manifest_without(state / "manifest.json", rebuilt)
    if without is None:
        return state
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "manifest.json").write_bytes(without)
    return dest


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
    on_domain: Callable[[str, list[str], bool], None] | None = None,
) -> SlimResult:
    """Build every domain's changes and their cross-domain consequences, upstream first.

    Every input is checked before the first dbt run: the target, each domain's YAML and
    production manifest, and the warehouse lock. The build's artifacts go to the target's own
    folder (`.mesh-state/<target>/<domain>/`), never to the domains' `target/`.
    """
    check_target(root, target)
    domains = discover_domains(root)
    refuse_outsiders(domains.values(), root)  # a dropped-in project never builds in CI
    plan = select_domains(domains)
    check_yaml(plan)
    prod: dict[str, LoadedDomain] = {}
    for domain in plan:
        prod_manifest_path = state_dir / domain.name / "manifest.json"
        if prod_manifest_path.is_file():
            prod[domain.name] = load_manifest(prod_manifest_path.parent, domain.name)
    if plan and not prod:  # not one domain: the wrong folder, or nothing downloaded
        raise BadInputError(
            f"no production manifest of any domain in {state_dir} (expected "
            f"{state_dir}/<domain>/manifest.json): nothing to build the changes against",
            file=state_dir,
            fix="download the production artifacts first (`mesh ci download`), or pass --state "
            "the folder it wrote; before the first merge, build and upload main once (`mesh ci "
            "merge` on main)",
        )
    if plan:
        check_warehouse_lock(duckdb_file(root, target, mesh_environment(root), plan[0].path))
    work = root / STATE_DIR / target / "_slim"
    work.mkdir(parents=True, exist_ok=True)
    result = SlimResult()
    rebuilt: set[str] = set()  # models this run built, in every domain so far
    manifests: dict[str, Path] = {}  # what downstream domains read for each upstream
    for domain in plan:
        state = state_dir / domain.name
        new = domain.name not in prod
        manifests[domain.name] = state / "manifest.json"
        env = dbt_environment(root, domain, target, _loom_config(domain, manifests, work))
        if new:  # no production build to compare with or defer to: every node of its own
            selection = [f"package:{domain.name}"]
        else:
            selection = [
                *own_changes(domain, env, target, state),
                *children_of(prod[domain.name], rebuilt),
            ]
        result.selections[domain.name] = selection
        if on_domain:
            on_domain(domain.name, selection, new)
        if not selection:
            result.skipped.append(domain.name)
            continue
        # unselected parents always read production, never a table an earlier pull-request
        # build left in the ci schemas (a new domain's parents are upstream domains' models,
        # which dbt-loom resolves)
        defer = (
            ()
            if new
            else (
                *("--defer", "--favor-state"),
                *("--state", str(defer_state(state, rebuilt, work / domain.name))),
            )
        )
        invocation = MeshInvocation(
            ("build",), target=target, dbt_args=(*dbt_args, *("--select", *selection), *defer)
        )
        run = run_dbt(domain, invocation.args(), env)
        result.runs.append(run)
        if not run.success:
            break
        rebuilt |= set(run.built_models)
        if run.built_models:
            manifests[domain.name] = domain.artifacts_dir(target) / "manifest.json"
    return result
