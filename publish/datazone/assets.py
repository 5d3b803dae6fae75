"""dbt models -> DataZone assets: desired content, current assets, and the diff between them.

Every public model with an enforced contract is an asset of its domain's project, identified by
its Glue table ARN (`externalIdentifier`). The publisher creates it, or adopts the asset a Glue
data source run imported, and writes: name (kept when adopting), description, glossary terms, the
`ColumnBusinessMetadataForm` and the `dbt_model` form. The form carries a hash of everything the
publisher writes, so the check "does this asset need a new revision" is one comparison.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from publish.datazone.api import (
    DataZoneApi,
    content_hash,
    form_content,
    forms_by_name,
    glue_table_arn,
)
from publish.datazone.config import DataZoneConfig
from publish.datazone.forms import MANAGED_BY, FormTypeSpec
from publish.datazone.glossary import GlossarySpec, check_terms
from publish.desired import docs_link
from publish.model import Domain, Model

COLUMN_FORM = "ColumnBusinessMetadataForm"
COLUMN_FORM_TYPE = "amazon.datazone.ColumnBusinessMetadataFormType"
GLUE_FORM = "GlueTableForm"
#: DataZone's limit on an asset's description
DESCRIPTION_LIMIT = 2048
_FRESHNESS_ORDER = ("runtime error", "error", "warn", "pass")


@dataclass(frozen=True)
class ColumnMeta:
    name: str
    description: str
    terms: tuple[str, ...]
    data_type: str | None


@dataclass(frozen=True)
class DesiredAsset:
    unique_id: str
    domain: str
    project: str
    database: str
    table: str
    arn: str
    name: str
    description: str
    terms: tuple[str, ...]
    columns: tuple[ColumnMeta, ...]
    form: Mapping[str, Any]  # dbt_model content, with managedBy and contentHash
    publish: bool
    why_unlisted: str | None  # deprecated past its date
    file: str
    invocation: str  # generated_at of the domain's artifacts: scopes the client tokens

    @property
    def content_hash(self) -> str:
        return str(self.form["contentHash"])

    def column_form(self, term_ids: Mapping[str, str]) -> dict[str, Any]:
        return {
            "columnsBusinessMetadata": [
                {
                    "name": c.name,
                    **({"description": c.description} if c.description else {}),
                    **({"glossaryTerms": [term_ids[t] for t in c.terms]} if c.terms else {}),
                }
                for c in self.columns
            ]
        }

    def glue_form(self, region: str, account: str) -> dict[str, Any]:
        """The GlueTableForm of an asset the publisher creates (no data source imported it)."""
        return {
            "catalogId": account,
            "databaseName": self.database,
            "tableName": self.table,
            "tableArn": self.arn,
            "region": region,
            "tableDescription": self.description[:DESCRIPTION_LIMIT],
            "columns": [
                {
                    "columnName": c.name,
                    "dataType": c.data_type or "string",
                    **({"description": c.description} if c.description else {}),
                }
                for c in self.columns
            ],
        }


def too_long_descriptions(domains: Sequence[Domain]) -> list[tuple[str, Model, int]]:
    """(file, model, length) of each published model whose description DataZone refuses."""
    return [
        (model_file(domain, model), model, length)
        for domain in domains
        for model in domain.models
        if is_published_model(model)
        and (length := len(model.description.strip())) > DESCRIPTION_LIMIT
    ]


def description_problems(domains: Sequence[Domain]) -> list[tuple[str, str]]:
    """`too_long_descriptions` as problems (file, text) for `raise_problems`."""
    return [
        (
            file,
            f"the description of {model.unique_id} has {length} characters; DataZone allows "
            f"{DESCRIPTION_LIMIT}",
        )
        for file, model, length in too_long_descriptions(domains)
    ]


#: the fix for `description_problems`
SHORTEN_FIX = (
    "shorten the model's description in its YAML to DataZone's 2,048 characters (move the detail "
    "to a doc block of its columns or to the docs site), then run again"
)


def is_published_model(model: Model) -> bool:
    return model.access == "public" and model.contract_enforced and model.relation is not None


def past_deprecation(model: Model, today: date) -> bool:
    if not model.deprecation_date:
        return False
    try:
        when = datetime.fromisoformat(model.deprecation_date.replace("Z", "+00:00")).date()
    except ValueError:
        return False
    return when < today


def model_file(domain: Domain, model: Model) -> str:
    return f"domains/{domain.name}/{model.source_file}" if model.source_file else model.unique_id


def readme(model: Model, docs_url: str | None) -> str:
    lines = [f"# {model.name}" + (f" (v{model.version})" if model.version else ""), ""]
    lines += [model.description.strip() or "_No description in dbt._", ""]
    documented = [c for c in model.columns if c.documented]
    if documented:
        lines += ["| column | type | description |", "| --- | --- | --- |"]
        lines += [
            f"| {c.name} | {c.data_type or ''} | {' '.join(c.description.split())} |"
            for c in documented
        ]
        lines.append("")
    if model.tests:
        lines.append(f"Tests: {_tests_passed(model)} passed ({model.test_status}).")
    if docs_url:
        lines.append(f"dbt docs: {docs_link(docs_url, model)}")
    return "\n".join(lines).strip()


def _tests_passed(model: Model) -> str | None:
    """`passed/total` of the model's tests, None without tests."""
    if not model.tests:
        return None
    return f"{sum(t.status == 'pass' for t in model.tests)}/{len(model.tests)}"


def _freshness(statuses: Mapping[str, str], model: Model) -> str | None:
    found = [statuses[d] for d in model.depends_on if d in statuses]
    return next((s for s in _FRESHNESS_ORDER if s in found), None)


def desired_assets(
    domains: Sequence[Domain],
    config: DataZoneConfig,
    glossary: GlossarySpec,
    form_type: FormTypeSpec,
    *,
    region: str,
    account: str,
    today: date,
    docs_url: str | None,
    problems: list[tuple[str, str]],
) -> list[DesiredAsset]:
    """Desired assets of every public, contracted model; problems are collected, not raised."""
    out = []
    for domain in domains:
        project = config.project_for(domain.name)
        freshness = {s.unique_id: s.status for s in domain.sources}
        for model in domain.models:
            if not is_published_model(model):
                continue
            assert model.relation is not None
            file = model_file(domain, model)
            problems += check_terms(
                model.glossary_terms, glossary, model.unique_id, file, config.glossary
            )
            columns = []
            for column in model.columns:
                if not column.documented:
                    continue
                where = f"column `{column.name}` of {model.unique_id}"
                problems += check_terms(
                    column.glossary_terms, glossary, where, file, config.glossary
                )
                columns.append(
                    ColumnMeta(
                        column.name.lower(),
                        column.description.strip(),
                        column.glossary_terms,
                        column.data_type,
                    )
                )
            database, table = model.relation.glue_database, model.relation.glue_table
            arn = glue_table_arn(region, account, database, table)
            form: dict[str, Any] = {
                "uniqueId": model.unique_id,
                "domain": domain.name,
                "owner": model.owner,
                "tier": model.tier,
                "materialization": model.materialized,
                "contractEnforced": model.contract_enforced,
                "version": model.version,
                "latestVersion": model.latest_version if model.version else None,
                "deprecationDate": model.deprecation_date,
                "tags": list(model.tags) or None,
                "testStatus": model.test_status,
                "testsPassed": _tests_passed(model),
                "lastSuccessfulBuild": model.build.completed_at
                if model.build is not None and model.build.status == "success"
                else None,
                "sourceFreshness": _freshness(freshness, model),
                "upstreamModels": sorted(d for d in model.depends_on if d.startswith("model."))
                or None,
                "docsUrl": docs_link(docs_url, model) if docs_url else None,
                "readme": readme(model, docs_url),
                "managedBy": MANAGED_BY,
            }
            form = {k: v for k, v in form.items() if v is not None}
            description = model.description.strip()
            name = table
            hashed = {
                "name": name,
                "description": description,
                "terms": list(model.glossary_terms),
                "columns": [c.__dict__ for c in columns],
                "form": form,
                "formType": form_type.digest,
            }
            form["contentHash"] = content_hash(hashed)
            for problem in form_type.problems(form):
                problems.append(
                    (
                        file,
                        f"the `{form_type.name}` form of {model.unique_id} breaks the form type "
                        f"{form_type.path}: {problem}",
                    )
                )
            deprecated = past_deprecation(model, today)
            out.append(
                DesiredAsset(
                    unique_id=model.unique_id,
                    domain=domain.name,
                    project=project,
                    database=database,
                    table=table,
                    arn=arn,
                    name=name,
                    description=description,
                    terms=model.glossary_terms,
                    columns=tuple(columns),
                    form=form,
                    publish=not deprecated,
                    why_unlisted=(
                        f"deprecated since {model.deprecation_date[:10]}"
                        if deprecated and model.deprecation_date
                        else None
                    ),
                    file=file,
                    invocation=domain.generated_at or "",
                )
            )
    return out


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
        additionalAttributes=["FORMS"],
    ):
        item = hit.get("assetItem")
        if not item:
            continue
        forms = forms_by_name((item.get("additionalAttributes") or {}).get("formsOutput"))
        out.append(
            CurrentAsset(
                id=item["identifier"],
                name=item["name"],
                external_id=item.get("externalIdentifier"),
                project_id=item["owningProjectId"],
                type=item.get("typeIdentifier", ""),
                forms=forms,
                dbt=form_content(forms.get(form_name)),
            )
        )
    return out
