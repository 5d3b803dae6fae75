"""One DataZone publish: inputs -> validate -> desired -> current -> plan -> apply.

Everything from the repository (configuration, glossary, form types, data products, artifacts) is
validated and turned into the desired state before the first DataZone write; a problem anywhere
is one BadInputError naming the file and the fix, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from publish.artifacts import load_domains
from publish.aws import AwsClients, AwsSettings
from publish.datazone.api import DataZoneApi
from publish.datazone.apply import ApplyResult, apply_plan
from publish.datazone.assets import (
    SHORTEN_FIX,
    description_problems,
    desired_assets,
    read_assets,
)
from publish.datazone.config import DEFAULT_CONFIG, DataZoneConfig, load_config
from publish.datazone.forms import load_form_type, read_form_type
from publish.datazone.glossary import load_glossary, read_glossary
from publish.datazone.lineage import desired_events, posted_run_ids
from publish.datazone.listings import read_listings
from publish.datazone.plan import Action, CurrentState, DesiredState, Plan, build_plan
from publish.datazone.products import desired_products, read_products
from publish.errors import raise_problems
from publish.model import Domain


@dataclass
class PublishOptions:
    root: Path = Path(".")
    artifacts: Path | None = None
    domains: tuple[str, ...] = ()
    config: Path = DEFAULT_CONFIG
    today: date = field(default_factory=date.today)
    docs_url: str | None = None
    bootstrap: bool = False
    settings: AwsSettings = field(default_factory=AwsSettings)


@dataclass
class Prepared:
    api: DataZoneApi
    config: DataZoneConfig
    desired: DesiredState
    current: CurrentState
    plan: Plan


def _path(root: Path, path: Path) -> Path:
    return path if path.is_absolute() else root / path


@dataclass
class Desired:
    """Everything from the repository, validated, and the DataZone client to publish it with."""

    api: DataZoneApi
    config: DataZoneConfig
    desired: DesiredState


def desire(
    options: PublishOptions,
    clients: AwsClients | None = None,
    domains: Sequence[Domain] | None = None,
) -> Desired:
    """Validate every input and compute the desired state; no DataZone call (the account comes
    from datazone.yml, or STS when it is not configured). `mesh publish all` runs this before
    it writes Glue, so that a DataZone input problem stops the whole publish unwritten.

    `domains`: the loaded artifacts when the caller already has them; otherwise loaded here.
    """
    root = options.root
    config = load_config(_path(root, options.config))
    if domains is None:
        domains = load_domains(root, options.artifacts, options.domains)
    domain_projects = config.domain_projects(d.name for d in domains)  # checks the names
    glossary = load_glossary(_path(root, config.glossary))
    form_types = {
        "model": load_form_type(_path(root, config.assets.form_types.model)),
        "data_product": load_form_type(_path(root, config.assets.form_types.data_product)),
    }
    raise_problems(description_problems(domains), SHORTEN_FIX)
    settings = options.settings
    if config.region and not settings.region:
        settings = settings.model_copy(update={"region": config.region})
    aws = clients or AwsClients(settings)
    api = DataZoneApi.connect(aws, config)

    problems: list[tuple[str, str]] = []
    assets = desired_assets(
        domains,
        config,
        glossary,
        form_types["model"],
        region=api.region,
        account=api.account_id,
        today=options.today,
        docs_url=options.docs_url,
        problems=problems,
    )
    raise_problems(
        problems,
        "use a term of catalog/glossary.yml (or add the term there), and keep `meta` values "
        "within the form type's constraints (catalog/forms/)",
    )
    products = desired_products(
        domains,
        root,
        config,
        glossary,
        form_types["data_product"],
        today=options.today,
        problems=problems,
    )
    raise_problems(
        problems,
        "name only public models with an enforced contract of the product's own domain, and "
        "terms of catalog/glossary.yml",
    )
    events = desired_events(domains, region=api.region, account=api.account_id)
    desired = DesiredState(
        form_types=form_types,
        glossary=glossary,
        assets=assets,
        products=products,
        events=events,
        models={m.unique_id for d in domains for m in d.models},
        domains={d.name for d in domains},
        domain_projects=domain_projects,
        warnings=[w for d in domains for w in d.warnings],
    )
    return Desired(api, config, desired)


def prepare(
    options: PublishOptions,
    clients: AwsClients | None = None,
    domains: Sequence[Domain] | None = None,
) -> Prepared:
    """Validate everything, compute the desired state, read DataZone, plan."""
    wanted = desire(options, clients, domains)
    api = wanted.api
    config = wanted.config
    desired = wanted.desired
    # DataZone: reads only (bootstrap, an explicit opt-in for the emulator/demo, aside)
    projects = {config.governance_project, *desired.domain_projects.values()}
    if options.bootstrap:
        api.bootstrap(projects)  # resolves the domain too
    else:
        api.resolve_domain()
    api.resolve_projects(projects)
    current = read_current(api, desired, config)
    plan = build_plan(desired, current, api.projects)
    return Prepared(api, config, desired, current, plan)


def bootstrap_preview(wanted: Desired) -> tuple[str | None, list[str]]:
    """What `--bootstrap` would create (the domain's name if it is missing, missing projects),
    read without writing: a dry run shows it instead of creating it."""
    projects = {wanted.config.governance_project, *wanted.desired.domain_projects.values()}
    return wanted.api.missing_for_bootstrap(projects)


def read_current(api: DataZoneApi, desired: DesiredState, config: DataZoneConfig) -> CurrentState:
    names = {k: v.name for k, v in desired.form_types.items()}
    mapped = {api.projects[p] for p in desired.domain_projects.values() if p in api.projects}
    return CurrentState(
        form_types={spec.name: read_form_type(api, spec) for spec in desired.form_types.values()},
        glossary=read_glossary(api, desired.glossary),
        assets=read_assets(api, names["model"]),
        listings=read_listings(api, (names["model"], names["data_product"])),
        products=read_products(api, names["data_product"], mapped),
        posted_runs=posted_run_ids(api, desired.events),
    )


def apply(
    prepared: Prepared, concurrency: int = 8, on_done: Callable[[Action], None] | None = None
) -> ApplyResult:
    return apply_plan(
        prepared.api,
        prepared.plan,
        prepared.current,
        governance_project=prepared.config.governance_project,
        asset_type=prepared.config.assets.type,
        form_names={k: v.name for k, v in prepared.desired.form_types.items()},
        concurrency=concurrency,
        on_done=on_done,
    )
