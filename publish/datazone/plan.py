"""Desired + current DataZone state -> the plan (`publish.plan.Plan`): every write a publish would
make, why, and what each write waits for.

An empty plan means a publish makes zero write calls. Assets and data products the publisher did
not create or adopt never appear in a plan. Each action names the actions it requires (a term
the terms it relates to, an asset its form type and terms, a listing its asset, a data product
the assets of its items), so `publish.apply` starts each one as soon as it can.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from publish.datazone.assets import CurrentAsset, DesiredAsset
from publish.datazone.forms import CurrentFormType, FormTypeSpec
from publish.datazone.glossary import CurrentGlossary, GlossarySpec, diff_terms
from publish.datazone.lineage import DesiredEvent
from publish.datazone.listings import CurrentListing
from publish.datazone.products import CurrentProduct, DesiredProduct
from publish.drift import DEFAULT_POLICY, FieldDrift, Policy, drift_error, drifted
from publish.plan import Action, Deferred, Plan, Skipped

TARGET = "datazone"
TITLE = "Amazon DataZone"


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
    #: unique ids of every model of the loaded domains (to tell "no longer public" from "removed")
    models: set[str]
    domains: set[str]
    #: dbt domain -> DataZone project name, for every loaded domain
    domain_projects: dict[str, str] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Where:
    """The identity of the DataZone side: region and account of the Glue tables, project ids."""

    region: str
    account: str
    project_ids: dict[str, str]


def _action(kind: str, op: str, name: str, **kwargs: Any) -> Action:
    return Action(TARGET, kind, op, name, **kwargs)


class _Planner:
    def __init__(
        self,
        desired: DesiredState,
        current: CurrentState,
        events: list[DesiredEvent],
        where: Where,
        on_drift: Policy,
    ) -> None:
        self.desired, self.current, self.events, self.where = desired, current, events, where
        self.on_drift = on_drift
        #: the hand edits `--on-drift fail` stops on, by asset
        self.drift: list[tuple[str, list[FieldDrift]]] = []
        self.term_names = {t.id: name for name, t in current.glossary.terms.items()}
        self.plan = Plan(TARGET, TITLE, warnings=list(desired.warnings))
        self.plan.skipped.extend(desired.skipped)
        #: ids of planned actions, to name what an action waits for
        self.form_type_ids: dict[str, str] = {}  # "model" / "data_product" -> action id
        self.glossary_id: str | None = None  # set when the glossary is created
        self.term_ids: dict[str, str] = {}  # term name -> action id
        self.asset_ids: dict[str, str] = {}  # unique id -> action id
        #: asset ids known before apply, by unique id (noop assets)
        self.known_assets: dict[str, str] = {}

    def build(self) -> Plan:
        self._form_types()
        self._glossary()
        self._assets()
        self._products()
        self._lineage()
        return self.plan

    def _add(self, action: Action) -> Action:
        self.plan.actions.append(action)
        return action

    def _terms(self, names: Iterable[str]) -> set[str]:
        return {self.term_ids[n] for n in names if n in self.term_ids}

    def _form_types(self) -> None:
        for key, spec in self.desired.form_types.items():
            now = self.current.form_types[spec.name]
            if now.revision is None:
                action = _action("form_type", "create", spec.name, reason="new")
            elif now.digest != spec.digest:
                action = _action(
                    "form_type",
                    "revise",
                    spec.name,
                    reason=f"{spec.path} changed (revision {now.revision} differs)",
                )
            else:
                self.plan.unchanged["form_type"] += 1
                continue
            action.operation, action.payload = "CreateFormType", spec
            self.form_type_ids[key] = self._add(action).id

    def _glossary(self) -> None:
        spec, now = self.desired.glossary, self.current.glossary
        head = spec.glossary
        if now.id is None:
            action = self._add(
                _action("glossary", "create", head.name, operation="CreateGlossary", payload=spec)
            )
            self.glossary_id = action.id
        elif (now.description or "") != head.description.strip():
            self._add(
                _action(
                    "glossary",
                    "update",
                    head.name,
                    reason="description",
                    operation="UpdateGlossary",
                    payload=spec,
                )
            )
        else:
            self.plan.unchanged["glossary"] += 1
        changes, kept_only = diff_terms(spec, now, self.on_drift)
        for change in [*changes, *kept_only]:
            self._term_drift(change.spec.name, list(change.drift))
        for change in changes:  # targets of relations first
            related = [n for names in change.spec.relations().values() for n in names]
            requires = self._terms(related) | ({self.glossary_id} if self.glossary_id else set())
            action = self._add(
                _action(
                    "term",
                    "create" if change.create else "update",
                    change.spec.name,
                    reason="new" if change.create else ", ".join(change.fields),
                    details=[
                        f"drift: {d.line('replaces')}" for d in change.drift if not change.kept
                    ],
                    requires=tuple(sorted(requires)),
                    operation="CreateGlossaryTerm" if change.create else "UpdateGlossaryTerm",
                    payload=change,
                )
            )
            self.term_ids[change.spec.name] = action.id
        self.plan.unchanged["term"] += len(spec.terms) - len(changes)
        extra = sorted(set(now.terms) - spec.names())
        if extra:
            self.plan.warnings.append(
                f"glossary terms in DataZone but not in {head.name!r} YAML (kept): "
                + ", ".join(extra)
            )

    def _term_drift(self, name: str, drift: list[FieldDrift]) -> None:
        if not drift:
            return
        if self.on_drift == "fail":
            self.drift.append((f"glossary term {name}", drift))
        elif self.on_drift == "keep":
            self.plan.warnings.append(
                f"glossary term {name}: hand edits in DataZone kept (--on-drift keep): "
                + "; ".join(d.line("keeps") for d in drift)
            )

    def _assets(self) -> None:
        desired, current, where = self.desired, self.current, self.where
        by_arn = {a.external_id: a for a in current.assets if a.external_id}
        wanted = set()
        form_type = {self.form_type_ids["model"]} if "model" in self.form_type_ids else set()
        for want in desired.assets:
            arn = want.arn(where.region, where.account)
            wanted.add(arn)
            now = by_arn.get(arn)
            project_id = where.project_ids[want.project]
            if now is not None and now.project_id != project_id:
                self.plan.warnings.append(
                    f"{want.unique_id}: the asset of {arn} belongs to another project "
                    f"({now.project_id}, not {want.project}); left untouched"
                )
                continue
            requires = tuple(sorted(form_type | self._terms((*want.terms, *want.column_terms()))))
            drifts = drifted(now.fields(self.term_names), want.fields, now.written) if now else []
            keep = self.on_drift == "keep"
            kept = {d.field: d.catalog for d in drifts} if keep else {}
            if drifts and self.on_drift == "fail":
                self.drift.append((want.unique_id, drifts))
            if now is None:
                op, reason, operation = "create", "new", "CreateAsset"
            elif not now.owned:
                op, reason, operation = "adopt", f"adopt {now.id}", "CreateAssetRevision"
            elif now.content_hash != want.content_hash:
                op, reason, operation = "revise", "content changed", "CreateAssetRevision"
            elif drifts and self.on_drift == "overwrite":
                op, reason, operation = "revise", "hand edits overwritten", "CreateAssetRevision"
            else:
                op = None
                self.plan.unchanged["asset"] += 1
                self.known_assets[want.unique_id] = now.id
                if drifts:
                    self.plan.warnings.append(
                        f"{want.unique_id}: hand edits in DataZone kept (--on-drift keep): "
                        + "; ".join(d.line("keeps") for d in drifts)
                    )
            action = None
            if op is not None:
                verb = "keeps" if keep else "replaces"
                action = self._add(
                    _action(
                        "asset",
                        op,
                        want.unique_id,
                        domain=want.domain,
                        unique_id=want.unique_id,
                        reason=reason,
                        details=[f"drift: {d.line(verb)}" for d in drifts],
                        requires=requires,
                        operation=operation,
                        payload=(want, now, kept),
                    )
                )
                self.asset_ids[want.unique_id] = action.id
            self._quality(want, now, action)
            listed = current.listings.get(now.id) if now is not None else None
            if want.publish:
                self._publish(
                    "asset_listing",
                    want.unique_id,
                    want.domain,
                    action,
                    listed,
                    want.content_hash,
                    want,
                )
            elif listed is not None:
                assert now is not None
                self._unpublish(
                    "asset_listing",
                    want.unique_id,
                    want.domain,
                    want.why_unlisted or "not published",
                    "ASSET",
                    now.id,
                    listed,
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
                self.plan.warnings.append(
                    f"removed from dbt: {unique_id} (its asset is unpublished, never deleted)"
                )
            if listed is not None:
                self._unpublish("asset_listing", unique_id, domain, reason, "ASSET", now.id, listed)

    def _quality(
        self, want: DesiredAsset, now: CurrentAsset | None, written: Action | None
    ) -> None:
        """One data-quality point per build: posted unless the asset's latest point is this run's
        (or a later run's: an older run is not posted over newer history)."""
        point = want.quality
        if point is None:
            return
        latest = now.latest_quality if now is not None else None
        if latest is not None and latest >= point.at:
            self.plan.unchanged["quality"] += 1
            return
        self._add(
            _action(
                "quality",
                "post",
                want.unique_id,
                domain=want.domain,
                unique_id=want.unique_id,
                reason=f"{point.summary} at {point.at.isoformat()}",
                requires=(written.id,) if written is not None else (),
                operation="PostTimeSeriesDataPoints",
                payload=point,
            )
        )

    def _publish(
        self,
        kind: str,
        name: str,
        domain: str,
        written: Action | None,
        listed: CurrentListing | None,
        content_hash: str,
        payload: Any,
    ) -> None:
        """Publish a listing when the entity is written now or its listing is not up to date."""
        if written is None and listed is not None and listed.content_hash == content_hash:
            self.plan.unchanged[kind] += 1
            return
        self._add(
            _action(
                kind,
                "publish",
                name,
                domain=domain,
                unique_id=name if kind == "asset_listing" else None,
                reason="not listed" if listed is None else "listing out of date",
                requires=(written.id,) if written is not None else (),
                operation="CreateListingChangeSet",
                payload=payload,
            )
        )

    def _unpublish(
        self,
        kind: str,
        name: str,
        domain: str | None,
        reason: str,
        entity_type: str,
        entity_id: str,
        listed: CurrentListing,
    ) -> None:
        self._add(
            _action(
                kind,
                "unpublish",
                name,
                domain=domain,
                unique_id=name if kind == "asset_listing" else None,
                reason=reason,
                operation="CreateListingChangeSet",
                payload=(entity_type, entity_id, listed),
            )
        )

    def _products(self) -> None:
        desired, current, project_ids = self.desired, self.current, self.where.project_ids
        by_key = {(p.project_id, p.name): p for p in current.products}
        seen: set[str] = set()
        form_type = (
            {self.form_type_ids["data_product"]} if "data_product" in self.form_type_ids else set()
        )
        for want in desired.products:
            now = by_key.get((project_ids[want.project], want.name))
            if now is not None:
                seen.add(now.id)
            if now is not None and not now.owned:
                self.plan.warnings.append(
                    f"data product {want.name!r} of project {want.project} exists but was not "
                    "created by the publisher; left untouched"
                )
                continue
            for left in want.left_out:
                self.plan.warnings.append(
                    f"data product {want.name!r}: {left} is past its deprecation date and left out"
                )
            items = {self.asset_ids[i] for i in want.items if i in self.asset_ids}
            requires = tuple(sorted(form_type | items | self._terms(want.terms)))
            if now is None:
                op, reason, operation = "create", "new", "CreateDataProduct"
            elif now.content_hash != want.content_hash:
                op, reason, operation = "revise", "content changed", "CreateDataProductRevision"
            else:
                op = None
                self.plan.unchanged["data_product"] += 1
            action = None
            if op is not None:
                action = self._add(
                    _action(
                        "data_product",
                        op,
                        want.name,
                        domain=want.domain,
                        reason=reason,
                        requires=requires,
                        operation=operation,
                        payload=(want, now),
                    )
                )
            listed = current.listings.get(now.id) if now is not None else None
            self._publish(
                "product_listing",
                want.name,
                want.domain,
                action,
                listed,
                want.content_hash,
                (want, now.id if now else None),
            )
        mapped = {project_ids[p] for p in desired.domain_projects.values() if p in project_ids}
        for now in current.products:
            if now.id in seen or not now.owned or now.project_id not in mapped:
                continue
            listed = current.listings.get(now.id)
            domain = (now.form or {}).get("domain")
            if listed is not None and domain in desired.domains:
                self._unpublish(
                    "product_listing",
                    now.name,
                    domain,
                    "data product no longer declared",
                    "DATA_PRODUCT",
                    now.id,
                    listed,
                )

    def _lineage(self) -> None:
        # event-time order: the lane posts them in this order (DataZone versions lineage nodes by
        # event time, so the order is for people reading the plan, not a prerequisite)
        for event in sorted(self.events, key=lambda e: (e.event_time, e.unique_id)):
            if event.run_id in self.current.posted_runs:
                self.plan.unchanged["lineage"] += 1
                continue
            self._add(
                _action(
                    "lineage",
                    "post",
                    event.unique_id,
                    domain=event.domain,
                    unique_id=event.unique_id,
                    reason=f"{', '.join(event.inputs) or '-'} -> {event.output}",
                    # named, never guessed: these columns are left out of the facet. Made
                    # when read: deriving column lineage parses SQL, which an apply does in
                    # the lineage lane while the other lanes post (the plan prints 50 actions)
                    details=Deferred(partial(_lineage_details, event)),
                    operation="PostLineageEvent",
                    payload=event,
                )
            )


def _lineage_details(event: DesiredEvent) -> list[str]:
    rendered = event.rendered
    unresolved = [f"column lineage not resolved for {c}" for c in rendered.unresolved]
    return [*unresolved, *rendered.left_out]


def build_plan(
    desired: DesiredState,
    current: CurrentState,
    events: list[DesiredEvent],
    where: Where,
    on_drift: Policy = DEFAULT_POLICY,
) -> tuple[Plan, dict[str, str]]:
    """The plan, and the ids of the assets that need no write (by unique id) for apply.

    With `on_drift="fail"`, hand edits in the catalog raise DriftError (nothing is written)."""
    planner = _Planner(desired, current, events, where, on_drift)
    plan = planner.build()
    if planner.drift:
        raise drift_error("DataZone", planner.drift)
    return plan, planner.known_assets
