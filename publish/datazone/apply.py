"""Write one DataZone action: the handlers `publish.apply` calls, one per kind of action.

The engine starts an action once the actions it requires are done; the handlers only look up
the ids those produced (form type revisions, glossary and term ids, asset ids). Every create
carries a clientToken derived from its request, so a retried call or a re-run never makes a
duplicate. A prerequisite missing at run time raises `Skip` (recorded, not raised).
"""

from __future__ import annotations

import json
import threading
from typing import Any

from botocore import xform_name
from botocore.exceptions import ClientError

from publish import limits
from publish.apply import Skip
from publish.datazone.api import PLANNED_ID, DataZoneApi, client_token, error_code
from publish.datazone.assets import COLUMN_FORM, GLUE_FORM, CurrentAsset, DesiredAsset
from publish.datazone.forms import FormTypeSpec
from publish.datazone.glossary import GlossarySpec, TermChange, term_request
from publish.datazone.lineage import DesiredEvent
from publish.datazone.listings import CurrentListing
from publish.datazone.plan import CurrentState
from publish.datazone.products import DesiredProduct
from publish.datazone.quality import DesiredPoint, point_request
from publish.plan import Action


class Applier:
    """Writes the actions of a DataZone plan. With `preflight`, it sends nothing: each request is
    built exactly as an apply builds it (ids not made yet stand in as `PLANNED_ID`) and checked
    against the API's documented constraints (`publish.limits`); `violations` collects what
    each action's requests break. An apply checks every request again before sending it."""

    def __init__(
        self,
        api: DataZoneApi,
        current: CurrentState,
        known_assets: dict[str, str],
        governance_project: str,
        asset_type: str,
        form_names: dict[str, str],
        *,
        preflight: bool = False,
    ) -> None:
        self.api = api
        self.preflight = preflight
        #: (action, violation) of every request a preflight built
        self.violations: list[tuple[Action, limits.Violation]] = []
        self._form_names = form_names
        self.current = current
        self.governance_project = governance_project
        self.asset_type = asset_type
        self._lock = threading.Lock()
        self.form_revisions = {
            name: ft.revision for name, ft in current.form_types.items() if ft.revision
        }
        self.glossary_id = current.glossary.id
        self.term_ids = {name: t.id for name, t in current.glossary.terms.items()}
        self.asset_ids = dict(known_assets)
        self.product_ids: dict[tuple[str, str], str] = {}  # (domain, name) -> id, written now

    @property
    def domain(self) -> str:
        return self.api.domain_id

    def _send(self, action: Action, operation: str, /, **params: Any) -> dict[str, Any]:
        """Check one request against the API's documented constraints, then send it (a
        preflight records what it breaks and answers with planned ids instead)."""
        if self.preflight:
            found = limits.check("datazone", operation, params)
            self.violations += [(action, v) for v in found]
            return {"id": PLANNED_ID, "revision": PLANNED_ID}
        limits.ensure("datazone", operation, params)
        call = getattr(self.api.client, xform_name(operation))
        return call(**params)  # type: ignore[no-any-return]

    def _id(self, known: dict[Any, str], key: Any) -> str | None:
        """An id made by an earlier action (or a planned one, in a preflight)."""
        return known.get(key) or (PLANNED_ID if self.preflight else None)

    def apply(self, action: Action) -> None:
        """Write one action (the handler `publish.apply` calls)."""
        if action.op == "unpublish":
            self._unpublish(action)
            return
        handler = {
            "form_type": self._form_type,
            "glossary": self._glossary,
            "term": self._term,
            "asset": self._asset,
            "asset_listing": self._asset_listing,
            "data_product": self._product,
            "product_listing": self._product_listing,
            "lineage": self._lineage,
            "quality": self._quality,
        }[action.kind]
        handler(action)

    # --- handlers ---------------------------------------------------------------------------------

    def _project(self, name: str) -> str:
        found = self._id(self.api.projects, name)
        if found is None:
            raise KeyError(name)
        return found

    def _form_type(self, action: Action) -> None:
        spec: FormTypeSpec = action.payload
        try:
            out = self._send(
                action,
                "CreateFormType",
                domainIdentifier=self.domain,
                name=spec.name,
                model={"smithy": spec.smithy},
                owningProjectIdentifier=self._project(self.governance_project),
                status="ENABLED",
                description=f"Written by the mesh publisher from {spec.path}",
            )
            revision = str(out["revision"])
        except ClientError as exc:
            if error_code(exc) != "ConflictException":
                raise
            # CreateFormType has no clientToken: a retried call that had succeeded conflicts
            found = self.api.client.get_form_type(
                domainIdentifier=self.domain, formTypeIdentifier=spec.name
            )
            revision = str(found["revision"])
        self.form_revisions[spec.name] = revision

    def _glossary(self, action: Action) -> None:
        spec: GlossarySpec = action.payload
        head = spec.glossary
        if action.op == "create":
            out = self._send(
                action,
                "CreateGlossary",
                domainIdentifier=self.domain,
                name=head.name,
                owningProjectIdentifier=self._project(self.governance_project),
                description=head.description.strip(),
                status="ENABLED",
                clientToken=client_token("CreateGlossary", self.domain, head.name),
            )
            self.glossary_id = out["id"]
        else:
            self._send(
                action,
                "UpdateGlossary",
                domainIdentifier=self.domain,
                identifier=self.glossary_id,
                description=head.description.strip(),
                clientToken=client_token("UpdateGlossary", self.glossary_id, head.description),
            )

    def _term(self, action: Action) -> None:
        change: TermChange = action.payload
        glossary_id = self.glossary_id or (PLANNED_ID if self.preflight else None)
        if glossary_id is None:
            raise Skip("the glossary was not created")
        ids = self._known_terms(n for v in change.spec.relations().values() for n in v)
        missing = [n for v in change.spec.relations().values() for n in v if n not in ids]
        if missing:
            raise Skip(f"related terms missing: {', '.join(missing)}")
        request = term_request(change.spec, ids, change.kept)
        if change.create:
            out = self._send(
                action,
                "CreateGlossaryTerm",
                domainIdentifier=self.domain,
                glossaryIdentifier=glossary_id,
                status="ENABLED",
                clientToken=client_token("CreateGlossaryTerm", self.glossary_id, request),
                **request,
            )
            with self._lock:
                self.term_ids[change.spec.name] = out["id"]
        else:
            self._send(
                action,
                "UpdateGlossaryTerm",
                domainIdentifier=self.domain,
                glossaryIdentifier=glossary_id,
                identifier=self._known_terms([change.spec.name])[change.spec.name],
                **request,
            )

    def _known_terms(self, names: Any) -> dict[str, str]:
        """The term ids known now (a preflight: every term of the plan stands in as planned)."""
        if not self.preflight:
            return self.term_ids
        return {**{n: PLANNED_ID for n in names}, **self.term_ids}

    def _terms(self, names: tuple[str, ...]) -> list[str]:
        ids = self._known_terms(names)
        missing = [n for n in names if n not in ids]
        if missing:
            raise Skip(f"glossary terms not in DataZone: {', '.join(missing)}")
        return [ids[n] for n in names]

    def _glossary_terms(self, names: tuple[str, ...]) -> dict[str, list[str]]:
        """The `glossaryTerms` parameter, left out when there are none (DataZone: 1 to 20)."""
        return {"glossaryTerms": self._terms(names)} if names else {}

    def _glossary_ids(self, terms: list[str]) -> dict[str, list[str]]:
        """Kept terms (names of ours, ids of other glossaries) as the `glossaryTerms` parameter."""
        return {"glossaryTerms": [self.term_ids.get(t, t) for t in terms]} if terms else {}

    def _dbt_form(self, form_key: str, content: Any) -> dict[str, Any]:
        revision = self._id(self.form_revisions, form_key)
        if revision is None:
            raise Skip(f"form type {form_key} is not in DataZone")
        return {
            "formName": form_key,
            "typeIdentifier": form_key,
            "typeRevision": revision,
            "content": json.dumps(content, sort_keys=True),
        }

    def _asset(self, action: Action) -> None:
        want: DesiredAsset
        now: CurrentAsset | None
        kept: dict[str, Any]  # fields whose hand edit stays (--on-drift keep)
        want, now, kept = action.payload
        form_name = self._form_names["model"]
        columns = want.column_form(self._term_map(want), kept, now.columns if now else ())
        forms = [
            {"formName": COLUMN_FORM, "content": json.dumps(columns)},
            self._dbt_form(form_name, want.form),
        ]
        common = {
            "domainIdentifier": self.domain,
            "description": kept.get("description", want.description),
            # kept terms may include terms of other glossaries: those pass by id
            **(
                self._glossary_ids(kept["terms"])
                if "terms" in kept
                else self._glossary_terms(want.terms)
            ),
        }
        if now is None:
            glue = {
                "formName": GLUE_FORM,
                "content": json.dumps(want.glue_form(self.api.region, self.api.account_id)),
            }
            request = {
                **common,
                "name": want.name,
                "owningProjectIdentifier": self._project(want.project),
                "typeIdentifier": self.asset_type,
                "externalIdentifier": want.arn(self.api.region, self.api.account_id),
                "formsInput": [glue, *forms],
            }
            out = self._send(
                action,
                "CreateAsset",
                **request,
                clientToken=client_token("CreateAsset", request, want.invocation),
            )
        else:
            # round-trip every form the publisher does not own (GlueTableForm, ...), as read
            foreign = [
                {
                    "formName": f["formName"],
                    "typeIdentifier": f.get("typeName"),
                    **({"typeRevision": f["typeRevision"]} if f.get("typeRevision") else {}),
                    "content": f.get("content") or "{}",
                }
                for name, f in sorted(now.forms.items())
                if name not in (COLUMN_FORM, form_name)
            ]
            request = {
                **common,
                "identifier": now.id,
                "name": now.name,
                "formsInput": [*foreign, *forms],
            }
            out = self._send(
                action,
                "CreateAssetRevision",
                **request,
                clientToken=client_token("CreateAssetRevision", request, want.invocation),
            )
        with self._lock:
            self.asset_ids[want.unique_id] = out["id"]

    def _term_map(self, want: DesiredAsset) -> dict[str, str]:
        self._terms(want.column_terms())
        return self._known_terms(want.column_terms())

    def _change_listing(
        self, action: Action, change: str, entity_type: str, entity_id: str, *token_parts: object
    ) -> None:
        """PUBLISH or UNPUBLISH an asset or data product (one listing change set)."""
        self._send(
            action,
            "CreateListingChangeSet",
            domainIdentifier=self.domain,
            entityIdentifier=entity_id,
            entityType=entity_type,
            action=change,
            clientToken=client_token(change, entity_id, *token_parts),
        )

    def _publish(
        self, action: Action, entity_type: str, entity_id: str, digest: str, invocation: str
    ) -> None:
        listed = self.current.listings.get(entity_id)
        revision = listed.entity_revision if listed else None
        self._change_listing(
            action, "PUBLISH", entity_type, entity_id, digest, invocation, revision
        )

    def _asset_listing(self, action: Action) -> None:
        want: DesiredAsset = action.payload
        asset_id = self._id(self.asset_ids, want.unique_id)
        if asset_id is None:
            raise Skip("the asset is not in DataZone")
        self._publish(action, "ASSET", asset_id, want.content_hash, want.invocation)

    def _product(self, action: Action) -> None:
        want: DesiredProduct
        want, now = action.payload
        items = []
        for unique_id in want.items:
            asset_id = self._id(self.asset_ids, unique_id)
            if asset_id is None:
                raise Skip(f"the asset of {unique_id} is not in DataZone")
            items.append({"itemType": "ASSET", "identifier": asset_id})
        request = {
            "domainIdentifier": self.domain,
            "name": want.name,
            # DataZone takes 1 to 4,096 characters, or no description at all
            **({"description": want.description} if want.description else {}),
            **self._glossary_terms(want.terms),
            "items": items,
            "formsInput": [self._dbt_form(self._form_names["data_product"], want.form)],
        }
        if now is None:
            out = self._send(
                action,
                "CreateDataProduct",
                **request,
                owningProjectIdentifier=self._project(want.project),
                clientToken=client_token("CreateDataProduct", request, want.invocation),
            )
        else:
            out = self._send(
                action,
                "CreateDataProductRevision",
                **request,
                identifier=now.id,
                clientToken=client_token("CreateDataProductRevision", request, want.invocation),
            )
        with self._lock:
            self.product_ids[(want.domain, want.name)] = out["id"]

    def _product_listing(self, action: Action) -> None:
        want: DesiredProduct
        want, known = action.payload
        product_id = self.product_ids.get((want.domain, want.name)) or known
        product_id = product_id or (PLANNED_ID if self.preflight else None)
        if product_id is None:
            raise Skip("the data product is not in DataZone")
        self._publish(action, "DATA_PRODUCT", product_id, want.content_hash, want.invocation)

    def _unpublish(self, action: Action) -> None:
        entity_type, entity_id, listed = action.payload
        assert isinstance(listed, CurrentListing)
        self._change_listing(
            action, "UNPUBLISH", entity_type, entity_id, listed.listing_id, listed.entity_revision
        )

    def _quality(self, action: Action) -> None:
        point: DesiredPoint = action.payload
        asset_id = self._id(self.asset_ids, point.unique_id)
        if asset_id is None:
            raise Skip("the asset is not in DataZone")
        self._send(
            action, "PostTimeSeriesDataPoints", **point_request(self.domain, asset_id, point)
        )

    def _lineage(self, action: Action) -> None:
        event: DesiredEvent = action.payload
        self._send(
            action,
            "PostLineageEvent",
            domainIdentifier=self.domain,
            event=event.payload.encode(),
            clientToken=client_token("PostLineageEvent", event.run_id),
        )
