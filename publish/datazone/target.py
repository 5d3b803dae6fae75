"""The DataZone target: validate -> read -> plan -> apply, as every target of `publish.targets`.

`validate` turns everything from the repository (configuration, glossary, form types, data
products, the mapped models) into the desired state without calling AWS; a problem anywhere is one
BadInputError naming the file and the fix. `read` connects (the account from STS unless
configured), resolves the domain and projects (creating them only with `--bootstrap`, for the
emulator and demos) and reads the current state; `plan` diffs; `handler` writes one action, as
`publish.apply` schedules it (each DataZone operation in its own lane, paced at its own rate by
`rate_limits`).
"""

from __future__ import annotations

import contextlib
from datetime import date
from pathlib import Path

from publish.apply import Handler, Skip
from publish.aws import AwsClients
from publish.datazone.api import DataZoneApi
from publish.datazone.apply import Applier
from publish.datazone.assets import DesiredAsset, desired_assets, read_assets
from publish.datazone.config import DataZoneConfig, load_config
from publish.datazone.forms import FormTypeSpec, load_form_type, read_form_type
from publish.datazone.glossary import load_glossary, read_glossary
from publish.datazone.lineage import DesiredEvent, desired_events, posted_run_ids
from publish.datazone.listings import read_listings
from publish.datazone.plan import TITLE, CurrentState, DesiredState, Where, build_plan
from publish.datazone.products import DesiredProduct, desired_products, read_products
from publish.datazone.quality import DesiredPoint
from publish.drift import DEFAULT_POLICY, Policy
from publish.errors import raise_problems
from publish.limits import Violation
from publish.mapping import (
    MeshFacts,
    datazone_description_limit,
    shorten_fix,
    too_long_descriptions,
)
from publish.plan import Action, Plan
from publish.targets import Target

#: request members whose values come from catalog/datazone.yml (the asset type, the projects)
_FROM_CONFIG = frozenset({"typeIdentifier", "owningProjectIdentifier", "domainIdentifier"})


def _path(root: Path, path: Path) -> Path:
    return path if path.is_absolute() else root / path


class DataZoneTarget(Target):
    name = "datazone"
    title = TITLE
    read_permissions = (
        "datazone:GetDomain, ListProjects, Search, SearchListings, GetFormType, GetDataProduct "
        "and ListLineageEvents (and sts:GetCallerIdentity unless account_id is set)"
    )

    def __init__(
        self,
        clients: AwsClients,
        mesh: MeshFacts,
        *,
        root: Path = Path("."),
        config: Path,
        today: date,
        docs_url: str | None = None,
        bootstrap: bool = False,
        on_drift: Policy = DEFAULT_POLICY,
        dry_run: bool = False,
    ) -> None:
        self.clients = clients
        self.mesh = mesh
        self.root = root
        self.config_path = config
        self.today = today
        self.docs_url = docs_url
        self.bootstrap = bootstrap
        self.on_drift = on_drift
        self.dry_run = dry_run
        #: a dry run with --bootstrap: what it would create (domain name or None, projects)
        self.would_create: tuple[str | None, list[str]] | None = None
        self.concurrency = clients.settings.concurrency
        self.config: DataZoneConfig | None = None
        self.desired: DesiredState | None = None
        self.api: DataZoneApi | None = None
        self.current: CurrentState | None = None
        self.events: list[DesiredEvent] = []
        self.known_assets: dict[str, str] = {}

    # validate ----------------------------------------------------------------------------------

    def validate(self) -> None:
        root, mesh = self.root, self.mesh
        config = self.config = load_config(_path(root, self.config_path))
        domain_projects = config.domain_projects(d.name for d in mesh.domains)  # checks the names
        glossary = load_glossary(_path(root, config.glossary))
        form_types = {
            "model": load_form_type(_path(root, config.assets.form_types.model)),
            "data_product": load_form_type(_path(root, config.assets.form_types.data_product)),
        }
        raise_problems(
            [
                (
                    facts.file,
                    f"the description of {facts.unique_id} has {length} characters; DataZone "
                    f"allows {datazone_description_limit()}",
                )
                for facts, length in too_long_descriptions(mesh)
            ],
            shorten_fix(),
        )
        problems: list[tuple[str, str]] = []
        too_big: list[tuple[str, str]] = []
        assets, skipped = desired_assets(
            mesh,
            config,
            glossary,
            form_types["model"],
            today=self.today,
            docs_url=self.docs_url,
            problems=problems,
            too_big=too_big,
        )
        raise_problems(
            too_big,
            "give the model fewer glossary terms in its YAML `meta`, or shorten its column "
            "descriptions (the detail can live in the docs site), to fit DataZone's limits",
        )
        raise_problems(
            problems,
            "use a term of catalog/glossary.yml (or add the term there), and keep `meta` values "
            "within the form type's constraints (catalog/forms/)",
        )
        products = desired_products(
            mesh,
            root,
            config,
            glossary,
            form_types["data_product"],
            today=self.today,
            problems=problems,
            too_big=too_big,
        )
        raise_problems(
            too_big,
            "give the data product fewer glossary terms, or a current model version as an item, "
            "in its data_products.yml",
        )
        raise_problems(
            problems,
            "name only public models with an enforced contract of the product's own domain, and "
            "terms of catalog/glossary.yml",
        )
        self.desired = DesiredState(
            form_types=form_types,
            glossary=glossary,
            assets=assets,
            products=products,
            models={m.unique_id for m in mesh.models},
            domains={d.name for d in mesh.domains},
            domain_projects=domain_projects,
            skipped=skipped,
            warnings=[w for d in mesh.domains for w in d.warnings],
        )

    # read --------------------------------------------------------------------------------------

    def read(self) -> None:
        """Reads only (`--bootstrap`, an explicit opt-in for the emulator and demos, aside)."""
        config, desired = self.config, self.desired
        assert config is not None and desired is not None
        clients = self.clients
        if config.region and not clients.settings.region:
            clients = AwsClients(clients.settings.model_copy(update={"region": config.region}))
        api = DataZoneApi.connect(clients, config)
        self.api = api
        projects = {config.governance_project, *desired.domain_projects.values()}
        if self.bootstrap and self.dry_run:
            # a dry run writes nothing: it says what --bootstrap would create instead
            domain, missing = api.missing_for_bootstrap(projects)
            if domain or missing:
                self.would_create = (domain, missing)
                return
        elif self.bootstrap:
            api.bootstrap(projects)  # resolves the domain too
        else:
            api.resolve_domain()
        api.resolve_projects(projects)
        self.events = desired_events(self.mesh, region=api.region, account=api.account_id)
        names = {k: v.name for k, v in desired.form_types.items()}
        mapped = {api.projects[p] for p in desired.domain_projects.values() if p in api.projects}
        self.current = CurrentState(
            form_types={s.name: read_form_type(api, s) for s in desired.form_types.values()},
            glossary=read_glossary(api, desired.glossary),
            assets=read_assets(api, names["model"]),
            listings=read_listings(api, (names["model"], names["data_product"])),
            products=read_products(api, names["data_product"], mapped),
            posted_runs=posted_run_ids(api, self.events),
        )

    # plan --------------------------------------------------------------------------------------

    def plan(self) -> Plan:
        if self.would_create is not None:
            return self._bootstrap_plan(*self.would_create)
        assert self.desired is not None and self.current is not None and self.api is not None
        where = Where(self.api.region, self.api.account_id, dict(self.api.projects))
        plan, self.known_assets = build_plan(
            self.desired, self.current, self.events, where, self.on_drift
        )
        self._preflight(plan)
        return plan

    def _preflight(self, plan: Plan) -> None:
        """Every request the plan's writes will send, built as the apply builds it and checked
        against DataZone's documented constraints (`publish.limits`): a request DataZone would
        refuse stops the run before the first write of any target, naming the file to change.
        Lineage events are left to the apply (each is rendered, and made to fit, in its lane)."""
        applier = self._applier(preflight=True)
        for action in plan.actions:
            if action.kind != "lineage":
                with contextlib.suppress(Skip):  # a prerequisite the apply would miss too
                    applier.apply(action)
        raise_problems(
            [(self._source(a, v), str(v)) for a, v in applier.violations],
            "change the value in that file so that it fits the limit the DataZone API documents "
            "(named above: the request, its member and the limit), then run again",
        )

    def _source(self, action: Action, violation: Violation) -> str:
        """The file a person edits to change what `action` writes (the member `violation` names
        comes from the configuration, or from what the action writes)."""
        payload, config = action.payload, self.config
        assert config is not None
        if violation.path.split(".")[0].split("[")[0] in _FROM_CONFIG:
            return str(self.config_path)
        first = payload[0] if isinstance(payload, tuple) else payload
        if isinstance(first, DesiredAsset):
            return first.facts.file
        if isinstance(first, DesiredProduct):
            return first.file
        if isinstance(first, FormTypeSpec):
            return str(first.path)
        if isinstance(first, DesiredPoint):
            files = {a.unique_id: a.facts.file for a in self.desired.assets} if self.desired else {}
            return files.get(first.unique_id, first.unique_id)
        if action.kind in ("glossary", "term"):
            return str(config.glossary)
        return action.unique_id or action.name

    def _bootstrap_plan(self, domain: str | None, projects: list[str]) -> Plan:
        """A dry run's plan when --bootstrap would create the domain or projects: those writes;
        the rest of the plan needs them to exist."""
        creates = [("domain", domain)] if domain else []
        creates += [("project", name) for name in projects]
        return Plan(
            self.name,
            self.title,
            actions=[
                Action(
                    self.name,
                    kind,
                    "create",
                    name,
                    reason=f"--bootstrap would create the DataZone {kind} {name!r}",
                    operation=f"Create{kind.title()}",
                )
                for kind, name in creates
            ],
            warnings=[
                "the rest of the DataZone plan needs the domain and projects: run without "
                "--dry-run to create them (nothing was written), then plan again"
            ],
        )

    # apply -------------------------------------------------------------------------------------

    def handler(self) -> Handler:
        return self._applier().apply

    def _applier(self, *, preflight: bool = False) -> Applier:
        assert self.api is not None and self.current is not None and self.config is not None
        assert self.desired is not None
        return Applier(
            self.api,
            self.current,
            self.known_assets,
            self.config.governance_project,
            self.config.assets.type,
            {k: v.name for k, v in self.desired.form_types.items()},
            preflight=preflight,
        )
