"""Desired + current DataZone state -> the plan: every write a publish would make, and why.

The plan is printed (rich) or emitted as JSON for CI; `apply` executes it. An empty plan means a
publish makes zero write calls. Assets and data products the publisher did not create or adopt
never appear in a plan.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from rich.console import Console
from rich.table import Table

from publish.datazone.assets import CurrentAsset, DesiredAsset
from publish.datazone.forms import CurrentFormType, FormTypeSpec
from publish.datazone.glossary import CurrentGlossary, GlossarySpec, diff_terms
from publish.datazone.lineage import DesiredEvent
from publish.datazone.listings import CurrentListing
from publish.datazone.products import CurrentProduct, DesiredProduct

Stage = Literal[
    "form_type",
    "glossary",
    "term",
    "asset",
    "asset_listing",
    "data_product",
    "product_listing",
    "unpublish",
    "lineage",
]
#: the order `apply` runs the stages in
STAGES: tuple[Stage, ...] = get_args(Stage)


@dataclass
class Action:
    stage: Stage
    op: str  # create | revise | adopt | update | publish | unpublish | post
    name: str
    domain: str | None = None
    reason: str = ""
    payload: Any = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "op": self.op,
            "name": self.name,
            "domain": self.domain,
            "reason": self.reason,
        }


@dataclass
class CurrentState:
    form_types: dict[str, CurrentFormType]
    glossary: CurrentGlossary
    assets: list[CurrentAsset]
    listings: dict[str, CurrentListing]
    products: list[CurrentProduct]
    posted_runs: set[str]


@dataclass
class DesiredState:
    form_types: dict[str, FormTypeSpec]  # "model" / "data_product" -> spec
    glossary: GlossarySpec
    assets: list[DesiredAsset]
    products: list[DesiredProduct]
    events: list[DesiredEvent]
    #: unique ids of every model of the loaded domains (to tell "no longer public" from "removed")
    models: set[str]
    domains: set[str]
    #: dbt domain -> DataZone project name, for every loaded domain
    domain_projects: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Plan:
    actions: list[Action] = field(default_factory=list)
    unchanged: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # models removed from dbt (unpublished)
    #: asset ids known before apply, by unique id (noop and skipped assets)
    asset_ids: dict[str, str] = field(default_factory=dict)

    @property
    def has_writes(self) -> bool:
        return bool(self.actions)

    def stage(self, stage: Stage) -> list[Action]:
        return [a for a in self.actions if a.stage == stage]

    def to_dict(self, result: Any = None, *, dry_run: bool) -> dict[str, Any]:
        return {
            "dry_run": dry_run,
            "actions": [a.to_dict() for a in self.actions],
            "counts": dict(Counter(f"{a.stage}.{a.op}" for a in self.actions)),
            "unchanged": dict(self.unchanged),
            "removed_models": self.removed,
            "warnings": self.warnings,
            **({"result": result.to_dict()} if result is not None else {}),
        }


def build_plan(desired: DesiredState, current: CurrentState, project_ids: dict[str, str]) -> Plan:
    plan = Plan(warnings=list(desired.warnings))
    _plan_form_types(plan, desired, current)
    _plan_glossary(plan, desired, current)
    _plan_assets(plan, desired, current, project_ids)
    _plan_products(plan, desired, current, project_ids)
    _plan_lineage(plan, desired, current)
    return plan


def _plan_form_types(plan: Plan, desired: DesiredState, current: CurrentState) -> None:
    for spec in desired.form_types.values():
        now = current.form_types[spec.name]
        if now.revision is None:
            plan.actions.append(Action("form_type", "create", spec.name, payload=spec))
        elif now.digest != spec.digest:
            plan.actions.append(
                Action(
                    "form_type",
                    "revise",
                    spec.name,
                    reason=f"{spec.path} changed (revision {now.revision} differs)",
                    payload=spec,
                )
            )
        else:
            plan.unchanged["form_type"] += 1


def _plan_glossary(plan: Plan, desired: DesiredState, current: CurrentState) -> None:
    spec, now = desired.glossary, current.glossary
    if now.id is None:
        plan.actions.append(Action("glossary", "create", spec.glossary.name, payload=spec))
    elif (now.description or "") != spec.glossary.description.strip():
        plan.actions.append(
            Action("glossary", "update", spec.glossary.name, reason="description", payload=spec)
        )
    else:
        plan.unchanged["glossary"] += 1
    changes = diff_terms(spec, now)
    for change in changes:
        plan.actions.append(
            Action(
                "term",
                "create" if change.create else "update",
                change.spec.name,
                reason="" if change.create else ", ".join(change.fields),
                payload=change,
            )
        )
    plan.unchanged["term"] += len(spec.terms) - len(changes)
    extra = sorted(set(now.terms) - spec.names())
    if extra:
        plan.warnings.append(
            f"glossary terms in DataZone but not in {spec.glossary.name!r} YAML (kept): "
            + ", ".join(extra)
        )


def _plan_assets(
    plan: Plan, desired: DesiredState, current: CurrentState, project_ids: dict[str, str]
) -> None:
    by_arn = {a.external_id: a for a in current.assets if a.external_id}
    wanted = {d.arn for d in desired.assets}
    for want in desired.assets:
        now = by_arn.get(want.arn)
        project_id = project_ids[want.project]
        if now is not None and now.project_id != project_id:
            plan.warnings.append(
                f"{want.unique_id}: the asset of {want.arn} belongs to another project "
                f"({now.project_id}, not {want.project}); left untouched"
            )
            continue
        if now is None:
            action = Action("asset", "create", want.unique_id, want.domain, "new", (want, None))
        elif not now.owned:
            action = Action(
                "asset", "adopt", want.unique_id, want.domain, f"adopt {now.id}", (want, now)
            )
        elif now.content_hash != want.content_hash:
            action = Action(
                "asset", "revise", want.unique_id, want.domain, "content changed", (want, now)
            )
        else:
            action = None
            plan.unchanged["asset"] += 1
            plan.asset_ids[want.unique_id] = now.id
        if action is not None:
            plan.actions.append(action)
        listed = current.listings.get(now.id) if now is not None else None
        if want.publish:
            if action is not None or listed is None or listed.content_hash != want.content_hash:
                reason = "not listed" if listed is None else "listing out of date"
                plan.actions.append(
                    Action("asset_listing", "publish", want.unique_id, want.domain, reason, want)
                )
            else:
                plan.unchanged["asset_listing"] += 1
        elif listed is not None:
            assert now is not None
            plan.actions.append(
                Action(
                    "unpublish",
                    "unpublish",
                    want.unique_id,
                    want.domain,
                    want.why_unlisted or "not published",
                    ("ASSET", now.id, listed),
                )
            )
    # assets the publisher owns whose model is no longer a published one
    for now in current.assets:
        if not now.owned or now.external_id in wanted:
            continue
        form = now.dbt or {}
        unique_id, domain = str(form.get("uniqueId", now.name)), form.get("domain")
        if domain not in desired.domains:
            continue  # a domain this run does not publish
        listed = current.listings.get(now.id)
        if unique_id in desired.models:
            reason = "no longer public with an enforced contract"
        else:
            reason = "removed from dbt"
            plan.removed.append(unique_id)
        if listed is not None:
            plan.actions.append(
                Action(
                    "unpublish", "unpublish", unique_id, domain, reason, ("ASSET", now.id, listed)
                )
            )


def _plan_products(
    plan: Plan, desired: DesiredState, current: CurrentState, project_ids: dict[str, str]
) -> None:
    by_key = {(p.project_id, p.name): p for p in current.products}
    seen: set[str] = set()
    for want in desired.products:
        now = by_key.get((project_ids[want.project], want.name))
        if now is not None:
            seen.add(now.id)
        if now is not None and not now.owned:
            plan.warnings.append(
                f"data product {want.name!r} of project {want.project} exists but was not created "
                "by the publisher; left untouched"
            )
            continue
        for left in want.left_out:
            plan.warnings.append(
                f"data product {want.name!r}: {left} is past its deprecation date and left out"
            )
        if now is None:
            action = Action("data_product", "create", want.name, want.domain, "new", (want, None))
        elif now.content_hash != want.content_hash:
            action = Action(
                "data_product", "revise", want.name, want.domain, "content changed", (want, now)
            )
        else:
            action = None
            plan.unchanged["data_product"] += 1
        if action is not None:
            plan.actions.append(action)
        listed = current.listings.get(now.id) if now is not None else None
        if action is not None or listed is None or listed.content_hash != want.content_hash:
            plan.actions.append(
                Action(
                    "product_listing",
                    "publish",
                    want.name,
                    want.domain,
                    "not listed" if listed is None else "listing out of date",
                    (want, now.id if now else None),
                )
            )
        else:
            plan.unchanged["product_listing"] += 1
    mapped = {project_ids[p] for p in desired.domain_projects.values() if p in project_ids}
    for now in current.products:
        if now.id in seen or not now.owned or now.project_id not in mapped:
            continue
        listed = current.listings.get(now.id)
        domain = (now.form or {}).get("domain")
        if listed is not None and domain in desired.domains:
            plan.actions.append(
                Action(
                    "unpublish",
                    "unpublish",
                    now.name,
                    domain,
                    "data product no longer declared",
                    ("DATA_PRODUCT", now.id, listed),
                )
            )


def _plan_lineage(plan: Plan, desired: DesiredState, current: CurrentState) -> None:
    for event in desired.events:
        if event.run_id in current.posted_runs:
            plan.unchanged["lineage"] += 1
            continue
        plan.actions.append(
            Action(
                "lineage",
                "post",
                event.unique_id,
                event.domain,
                f"{', '.join(event.inputs) or '-'} -> {event.output}",
                event,
            )
        )


# --- output -------------------------------------------------------------------------------------


def render_plan(plan: Plan, console: Console, *, limit: int = 60) -> None:
    if not plan.actions:
        console.print("DataZone: nothing to change.")
    else:
        table = Table(title="DataZone plan", show_lines=False)
        for column in ("stage", "op", "name", "domain", "why"):
            table.add_column(column)
        for action in plan.actions[:limit]:
            table.add_row(action.stage, action.op, action.name, action.domain or "", action.reason)
        console.print(table)
        if len(plan.actions) > limit:
            console.print(f"... and {len(plan.actions) - limit} more actions (use --output json)")
    for warning in plan.warnings:
        console.print(f"[yellow]warning:[/] {warning}")
    for removed in plan.removed:
        console.print(
            f"[yellow]removed from dbt:[/] {removed} (its asset is unpublished, not deleted)"
        )


def render_summary(plan: Plan, console: Console, result: Any, *, dry_run: bool) -> None:
    counts = Counter(f"{a.stage} {a.op}" for a in plan.actions)
    done = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "no writes"
    unchanged = sum(plan.unchanged.values())
    verb = "would make" if dry_run else "made"
    console.print(f"DataZone: {verb} {done}; {unchanged} items unchanged.")
    if result is not None and result.failures:
        for name, message in result.failures:
            console.print(f"[red]failed:[/] {name}: {message}")
