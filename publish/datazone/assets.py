"""dbt models -> DataZone assets: desired content, current assets, and the diff between them.

Every public model with an enforced contract is an asset of its domain's project, identified by
its Glue table ARN (`externalIdentifier`). The publisher creates it, or adopts the asset a Glue
data source run imported, and writes: name (kept when adopting), description, glossary terms, the
`ColumnBusinessMetadataForm` and the `dbt_model` form, all rendered from the mapping stage
(`publish.mapping`). The form carries a hash of everything the publisher writes, so the check
"does this asset need a new revision" is one comparison.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from publish.datazone.api import (
    PLANNED_ID,
    DataZoneApi,
    form_content,
    forms_by_name,
    glue_table_arn,
)
from publish.datazone.config import DataZoneConfig
from publish.datazone.forms import MANAGED_BY, FormTypeSpec
from publish.datazone.glossary import GlossarySpec, check_terms
from publish.datazone.quality import DesiredPoint, desired_point, latest_point
from publish.drift import asset_fields, read_record, record
from publish.hashing import content_hash
from publish.limits import maximum
from publish.mapping import (
    MeshFacts,
    ModelFacts,
    datazone_columns,
    datazone_description_limit,
    datazone_form,
)
from publish.plan import Skipped

COLUMN_FORM = "ColumnBusinessMetadataForm"
COLUMN_FORM_TYPE = "amazon.datazone.ColumnBusinessMetadataFormType"
GLUE_FORM = "GlueTableForm"


@dataclass(frozen=True)
class DesiredAsset:
    facts: ModelFacts
    project: str
    database: str
    table: str
    name: str
    form: Mapping[str, Any]  # dbt_model content, with managedBy and contentHash
    publish: bool
    why_unlisted: str | None  # deprecated past its date
    invocation: str  # generated_at of the domain's artifacts: scopes the client tokens
    #: the data-quality point of the model's tests in the last build (None: no evaluated test)
    quality: DesiredPoint | None = None

    @property
    def unique_id(self) -> str:
        return self.facts.unique_id

    @property
    def domain(self) -> str:
        return self.facts.domain

    @property
    def description(self) -> str:
        return self.facts.description.full

    @property
    def terms(self) -> tuple[str, ...]:
        return self.facts.glossary_terms

    @property
    def content_hash(self) -> str:
        return str(self.form["contentHash"])

    def arn(self, region: str, account: str) -> str:
        return glue_table_arn(region, account, self.database, self.table)

    def column_terms(self) -> tuple[str, ...]:
        return tuple(t for c in self.facts.documented_columns for t in c.glossary_terms)

    @property
    def fields(self) -> dict[str, Any]:
        """The fields drift is judged on (`publish.drift.asset_fields`)."""
        return asset_fields(
            self.description,
            self.terms,
            ((c["name"], c["description"], c["terms"]) for c in datazone_columns(self.facts)),
        )

    def column_form(
        self,
        term_ids: Mapping[str, str],
        kept: Mapping[str, Any] | None = None,
        current: Sequence[Mapping[str, Any]] = (),
        columns: Sequence[Mapping[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """The ColumnBusinessMetadataForm: dbt's descriptions and terms (or the catalog's, for
        fields kept under `--on-drift keep`), and every other field of a column (business name,
        ...) as the catalog has it. `columns`: `datazone_columns` of the model, if computed."""
        kept = kept or {}
        now = {str(c.get("name", "")).lower(): c for c in current}
        out = []
        for c in datazone_columns(self.facts) if columns is None else columns:
            name = c["name"]
            description = kept.get(f"column {name} description", c["description"])
            terms = kept.get(f"column {name} terms", c["terms"])
            entry = {
                k: v
                for k, v in now.get(name, {}).items()
                if k not in ("name", "description", "glossaryTerms")
            }
            entry["name"] = name
            if description:
                entry["description"] = description
            if terms:
                entry["glossaryTerms"] = [term_ids.get(t, t) for t in terms]  # kept: maybe ids
            out.append(entry)
        return {"columnsBusinessMetadata": out}

    def glue_form(self, region: str, account: str) -> dict[str, Any]:
        """The GlueTableForm of an asset the publisher creates (no data source imported it)."""
        return {
            "catalogId": account,
            "databaseName": self.database,
            "tableName": self.table,
            "tableArn": self.arn(region, account),
            "region": region,
            "tableDescription": self.description[: datazone_description_limit()],
            "columns": [
                {
                    "columnName": c["name"],
                    "dataType": c["data_type"] or "string",
                    **({"description": c["description"]} if c["description"] else {}),
                }
                for c in datazone_columns(self.facts)
            ],
        }


def desired_assets(
    mesh: MeshFacts,
    config: DataZoneConfig,
    glossary: GlossarySpec,
    form_type: FormTypeSpec,
    *,
    today: date,
    docs_url: str | None,
    problems: list[tuple[str, str]],
    too_big: list[tuple[str, str]] | None = None,
) -> tuple[list[DesiredAsset], list[Skipped]]:
    """The asset of every public, contracted model, and why the others are not assets.

    Problems (unknown glossary terms, form values the form type refuses) are collected, not
    raised; so are DataZone's limits broken (`too_big`, else `problems`). Descriptions DataZone
    refuses are checked before (`too_long_descriptions`)."""
    out: list[DesiredAsset] = []
    skipped: list[Skipped] = []
    invocations = {d.name: d.generated_at or "" for d in mesh.domains}
    finished = {d.name: d.run_finished_at for d in mesh.domains}
    for facts in mesh.models:
        model = facts.model
        if facts.not_an_asset is not None:
            why = facts.not_an_asset
            skipped.append(
                Skipped(
                    "model", model.unique_id, why.code, why.reason, model.domain, model.unique_id
                )
            )
            continue
        assert model.relation is not None
        problems += check_terms(
            facts.glossary_terms, glossary, model.unique_id, facts.file, config.glossary
        )
        for column in facts.documented_columns:
            where = f"column `{column.name}` of {model.unique_id}"
            problems += check_terms(
                column.glossary_terms, glossary, where, facts.file, config.glossary
            )
        database, table = model.relation.glue_database, model.relation.glue_table
        form = datazone_form(facts, docs_url=docs_url, managed_by=MANAGED_BY)
        description = facts.description.full
        columns = datazone_columns(facts)  # once: the record, the hash and the size check
        fields = asset_fields(
            description,
            facts.glossary_terms,
            ((c["name"], c["description"], c["terms"]) for c in columns),
        )
        form["written"] = record(fields)
        hashed = {
            "name": table,
            "description": description,
            "terms": list(facts.glossary_terms),
            "columns": columns,
            "form": form,
            "formType": form_type.digest,
        }
        form["contentHash"] = content_hash(hashed)
        for problem in form_type.problems(form):
            problems.append(
                (
                    facts.file,
                    f"the `{form_type.name}` form of {model.unique_id} breaks the form type "
                    f"{form_type.path}: {problem}",
                )
            )
        deprecated = facts.past_deprecation(today)
        asset = DesiredAsset(
            facts=facts,
            project=config.project_for(model.domain),
            database=database,
            table=table,
            name=table,
            form=form,
            publish=not deprecated,
            why_unlisted=(
                f"deprecated since {model.deprecation_date[:10]}"
                if deprecated and model.deprecation_date
                else None
            ),
            invocation=invocations.get(model.domain, ""),
            quality=desired_point(
                model.unique_id, model.domain, model.tests, finished.get(model.domain)
            ),
        )
        (problems if too_big is None else too_big).extend(_limit_problems(asset, columns))
        out.append(asset)
    return out, skipped


def _limit_problems(asset: DesiredAsset, columns: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """What CreateAsset would refuse, told in dbt's terms before any AWS call: too many glossary
    terms, a form's content too long, measured on the content the apply sends (planned ids for
    the terms' ids; the numbers: botocore's model of CreateAsset). The preflight
    (`DataZoneTarget._preflight`) checks every other constraint of the requests."""
    facts, problems = asset.facts, []
    terms_limit = maximum("datazone", "CreateAsset", "glossaryTerms")
    content_limit = maximum("datazone", "CreateAsset", "formsInput[].content")
    if len(facts.glossary_terms) > terms_limit:
        problems.append(
            (
                facts.file,
                f"{facts.unique_id} has {len(facts.glossary_terms)} glossary terms; a DataZone "
                f"asset takes at most {terms_limit}",
            )
        )
    planned = {t: PLANNED_ID for t in asset.column_terms()}
    sent = {
        "dbt_model": json.dumps(asset.form, sort_keys=True),
        COLUMN_FORM: json.dumps(asset.column_form(planned, columns=columns)),
    }
    for name, content in sent.items():
        if len(content) > content_limit:
            problems.append(
                (
                    facts.file,
                    f"the {name} form of {facts.unique_id} would have {len(content):,} "
                    f"characters; a DataZone form takes at most {content_limit:,} (shorten its "
                    "column descriptions)",
                )
            )
    return problems


# --- current ------------------------------------------------------------------------------------


@dataclass
class CurrentAsset:
    id: str
    name: str
    external_id: str | None
    project_id: str
    type: str
    forms: dict[str, Mapping[str, Any]] = field(default_factory=dict)  # editable forms
    dbt: Mapping[str, Any] | None = None  # content of the publisher's form, if any
    #: the timestamp of the asset's latest dbt-tests data-quality point
    latest_quality: datetime | None = None
    description: str = ""
    glossary_terms: tuple[str, ...] = ()  # term ids

    @property
    def written(self) -> dict[str, str] | None:
        """What the publisher last wrote (digests by field); None before it wrote the asset."""
        if not self.owned:
            return None
        return read_record(str((self.dbt or {}).get("written") or ""))

    @property
    def columns(self) -> list[Mapping[str, Any]]:
        """The ColumnBusinessMetadataForm's columns, as the catalog holds them."""
        content = form_content(self.forms.get(COLUMN_FORM)) or {}
        found = content.get("columnsBusinessMetadata")
        return [c for c in found if isinstance(c, dict)] if isinstance(found, list) else []

    def fields(self, term_names: Mapping[str, str]) -> dict[str, Any]:
        """The fields drift is judged on, as the catalog holds them (terms by name)."""

        def names(ids: Any) -> list[str]:
            return [term_names.get(i, i) for i in ids or ()]

        return asset_fields(
            self.description or "",
            names(self.glossary_terms),
            (
                (
                    str(c.get("name", "")),
                    str(c.get("description") or ""),
                    names(c.get("glossaryTerms")),
                )
                for c in self.columns
            ),
        )

    @property
    def owned(self) -> bool:
        return (self.dbt or {}).get("managedBy") == MANAGED_BY

    @property
    def content_hash(self) -> str | None:
        return (self.dbt or {}).get("contentHash") if self.owned else None


def read_assets(api: DataZoneApi, form_name: str) -> list[CurrentAsset]:
    """Every asset of the domain, with its forms (one paginated search)."""
    out = []
    for hit in api.pages(
        "Search",
        domainIdentifier=api.domain_id,
        searchScope="ASSET",
        additionalAttributes=["FORMS", "TIME_SERIES_DATA_POINT_FORMS"],
    ):
        item = hit.get("assetItem")
        if not item:
            continue
        extra = item.get("additionalAttributes") or {}
        forms = forms_by_name(extra.get("formsOutput"))
        out.append(
            CurrentAsset(
                id=item["identifier"],
                name=item["name"],
                external_id=item.get("externalIdentifier"),
                project_id=item["owningProjectId"],
                type=item.get("typeIdentifier", ""),
                forms=forms,
                dbt=form_content(forms.get(form_name)),
                latest_quality=latest_point(extra),
                description=item.get("description") or "",
                glossary_terms=tuple(item.get("glossaryTerms") or ()),
            )
        )
    return out
