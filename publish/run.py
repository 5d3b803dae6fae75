"""One `mesh publish`: load the artifacts once, map them once, then run the targets in order.

Every target is validated before any is read, and every target is read and planned before the
first write of any: a bad DataZone input stops a `mesh publish all` before Glue is written. The
targets apply in order (Lake Formation's tags before the Glue updates that record them, then
DataZone), each through `publish.apply`; failures in Lake Formation or Glue stop DataZone. The
result is one `Report` (one document, for people or as JSON).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from botocore.exceptions import BotoCoreError, ClientError

from publish.apply import Ledger, apply_actions
from publish.artifacts import load_domains
from publish.aws import AwsClients, AwsSettings, aws_failure
from publish.datazone.config import DEFAULT_CONFIG
from publish.datazone.target import DataZoneTarget
from publish.desired import DEFAULT_ONTOLOGY
from publish.drift import DEFAULT_POLICY, Policy
from publish.errors import BadInputError, StrictMissingError
from publish.mapping import check_docs_url, map_mesh
from publish.model import Domain
from publish.plan import Action, Report
from publish.targets import Target
from publish.targets.glue import GlueTarget
from publish.targets.lakeformation import LakeFormationTarget
from publish.wording import some

Command = Literal["glue", "datazone", "all"]
#: the targets of each command, in the order they apply
TARGETS: dict[str, tuple[str, ...]] = {
    "glue": ("lakeformation", "glue"),
    "datazone": ("datazone",),
    "all": ("lakeformation", "glue", "datazone"),
}
#: targets applied as one step: within it, actions wait for the actions they require (a Glue
#: update for its table's LF-tags); a step with failures stops the steps after it
STEPS: dict[str, int] = {"lakeformation": 0, "glue": 0, "datazone": 1}


@dataclass
class PublishOptions:
    root: Path = Path(".")
    artifacts: Path | None = None
    domains: tuple[str, ...] = ()
    #: the dbt target the artifacts must have been built for (None: not checked)
    dbt_target: str | None = None
    dry_run: bool = False
    #: a model without a Glue table is an error (exit code 3), nothing written
    strict: bool = False
    lf_tags: Path = DEFAULT_ONTOLOGY
    config: Path = DEFAULT_CONFIG
    today: date = field(default_factory=date.today)
    docs_url: str | None = None
    bootstrap: bool = False
    #: what to do with hand edits in Glue and DataZone (`publish.drift`)
    on_drift: Policy = DEFAULT_POLICY
    settings: AwsSettings = field(default_factory=AwsSettings)

    def __post_init__(self) -> None:
        if self.docs_url is not None and not self.docs_url.strip():
            self.docs_url = None  # an empty MESH_DOCS_URL (an unset CI variable): no links
        if self.docs_url is not None:
            check_docs_url(self.docs_url)


def _assets_without_tables(targets: Sequence[Target], report: Report) -> None:
    """In a run of both catalogs, a DataZone asset whose Glue table does not exist on this target
    is said on the DataZone plan: consumers would find it, and no subscription could be granted."""
    glue = next((t for t in targets if isinstance(t, GlueTarget)), None)
    datazone = next((t for t in targets if isinstance(t, DataZoneTarget)), None)
    if glue is None or glue.current is None or datazone is None or datazone.desired is None:
        return
    current = glue.current
    missing = sorted(
        a.facts.unique_id
        for a in datazone.desired.assets
        if current.table(a.database, a.table) is None
    )
    if not missing:
        return
    plan = next(p for p in report.plans if p.target == datazone.name)
    plan.warnings.append(
        f"{len(missing)} asset(s) describe a model with no Glue table on this target "
        f"({some(missing)}): consumers find them, but no subscription can be granted until the "
        "model is built here (--strict refuses such a run)"
    )


def _assets_of_unloaded_domains(targets: Sequence[Target], report: Report) -> None:
    """In a run of every domain, the assets the publisher listed for a domain it did not load:
    they stay listed as last published (the publisher unpublishes a removed model's asset, never
    a whole domain's on the strength of a missing folder), and the plan says so."""
    datazone = next((t for t in targets if isinstance(t, DataZoneTarget)), None)
    if datazone is None or datazone.desired is None or datazone.current is None:
        return
    loaded = datazone.desired.domains
    by_domain: dict[str, list[str]] = {}
    for asset in datazone.current.assets:
        domain = (asset.dbt or {}).get("domain")
        if asset.owned and domain and domain not in loaded:
            by_domain.setdefault(str(domain), []).append(asset.name)
    plan = next(p for p in report.plans if p.target == datazone.name)
    for domain, names in sorted(by_domain.items()):
        plan.warnings.append(
            f"domain {domain!r} has {len(names)} asset(s) in DataZone from an earlier publish "
            f"({some(sorted(names))}), but no artifacts in this run: they stay as last published. "
            f"If {domain} left the mesh, unpublish them in DataZone (the publisher never deletes "
            f"a domain's assets); otherwise publish its artifacts too"
        )


def check_dbt_target(domains: Sequence[Domain], target: str) -> None:
    for d in domains:
        if d.run_target and d.run_target != target:
            raise BadInputError(
                f"the artifacts of domain {d.name} were built for the dbt target "
                f"`{d.run_target}`, not `{target}`, so their schemas and aliases name that "
                "target's relations",
                file=d.artifacts_dir / "run_results.json",
                fix=f"build the domain for the target (`dbt build --target {target}` and "
                f"`dbt docs generate --target {target}`), or pass --target {d.run_target}",
            )


def build_targets(
    command: str,
    options: PublishOptions,
    clients: AwsClients | None = None,
    loaded: Sequence[Domain] | None = None,
) -> list[Target]:
    """Load (unless the caller has, `loaded`) and map the artifacts once; the targets of
    `command`, in the order they apply."""
    if loaded is None:
        loaded = load_domains(options.root, options.artifacts, options.domains)
    if options.dbt_target:
        check_dbt_target(loaded, options.dbt_target)
    mesh = map_mesh(loaded)
    aws = clients or AwsClients(options.settings)
    targets: dict[str, Target] = {}
    names = TARGETS[command]
    if "glue" in names:
        glue = GlueTarget(
            aws,
            mesh,
            ontology_file=options.lf_tags,
            root=options.root,
            docs_url=options.docs_url,
            on_drift=options.on_drift,
        )
        targets["glue"] = glue
        targets["lakeformation"] = LakeFormationTarget(
            glue, aws.lakeformation, aws.settings.concurrency
        )
    if "datazone" in names:
        targets["datazone"] = DataZoneTarget(
            aws,
            mesh,
            root=options.root,
            config=options.config,
            today=options.today,
            docs_url=options.docs_url,
            bootstrap=options.bootstrap,
            on_drift=options.on_drift,
            dry_run=options.dry_run,
        )
    return [targets[n] for n in names]


def prepare(command: str, targets: Sequence[Target], options: PublishOptions) -> Report:
    """Validate every target, then read and plan every target; nothing is written."""
    for target in targets:
        target.validate()
    # Glue reads first: the Lake Formation target plans from the tables it read
    reading: list[Target] = sorted(targets, key=lambda t: t.name != "glue")
    for target in reading:
        try:
            target.read()
        except (ClientError, BotoCoreError) as exc:
            # one paragraph naming the cause: credentials, endpoint, denied, throttled
            raise aws_failure(
                exc, f"could not read the {target.title}", permissions=target.read_permissions
            ) from exc
    report = Report(command, options.dry_run, [t.plan() for t in targets])
    _assets_without_tables(targets, report)
    if not options.domains:  # a run of every domain: one left out is worth a word
        _assets_of_unloaded_domains(targets, report)
    if options.strict:
        missing = [
            s.name
            for p in report.plans
            if p.target == "glue"
            for s in p.skipped
            if s.code == "no_glue_table"
        ]
        if missing:
            raise StrictMissingError(
                f"{len(missing)} model(s) have no Glue table on target "
                f"{options.dbt_target or '(as built)'}: "
                + ", ".join(missing[:5])
                + (" ..." if len(missing) > 5 else ""),
                fix="build the models on the target before publishing, or run without --strict",
            )
    return report


def apply(
    report: Report,
    targets: Sequence[Target],
    *,
    on_done: Callable[[Action], None] | None = None,
) -> Report:
    """Apply the planned targets in order; failures in one step stop the steps after it."""
    ledger = Ledger()
    failed: str | None = None
    for target in targets:
        plan = report.plan(target.name)
        if failed is not None and STEPS[target.name] > STEPS[failed]:
            report.not_applied[target.name] = f"{failed} had failures (run again to converge)"
            continue
        result = apply_actions(
            plan.actions,
            target.handler(),
            concurrency=target.concurrency,
            ledger=ledger,
            on_done=on_done,
        )
        report.results[target.name] = result
        if not result.ok and failed is None:
            failed = target.name
    return report


def publish(
    command: str,
    options: PublishOptions,
    *,
    clients: AwsClients | None = None,
    loaded: Sequence[Domain] | None = None,
    on_done: Callable[[Action], None] | None = None,
) -> Report:
    """Validate, read, plan and (unless a dry run) apply the targets of `command`."""
    targets = build_targets(command, options, clients, loaded)
    report = prepare(command, targets, options)
    if options.dry_run:
        return report
    return apply(report, targets, on_done=on_done)
