"""Data products declared per domain (`domains/<domain>/data_products.yml`) -> DataZone.

Each product names models of its own domain (`dim_customers` = its latest version,
`dim_customers.v1` = that version); every item must be a public model with an enforced contract.
A version past its deprecation date is left out of the product (and unpublished as an asset).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from publish.datazone.api import DataZoneApi, content_hash, form_content
from publish.datazone.assets import is_published_model, past_deprecation
from publish.datazone.config import DataZoneConfig
from publish.datazone.forms import MANAGED_BY, FormTypeSpec
from publish.datazone.glossary import GlossarySpec, check_terms
from publish.model import Domain, Model
from publish.yamlfile import load_model

_FIX = "correct the data products file (keys: name, description, owner, items, glossary_terms)"


class ProductSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64)
    description: str = Field(default="", max_length=4096)
    owner: str | None = None
    items: list[str] = Field(min_length=1)
    glossary_terms: list[str] = Field(default_factory=list)


class ProductsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    data_products: list[ProductSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> ProductsFile:
        names = [p.name for p in self.data_products]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"data product names must be unique: {', '.join(dupes)}")
        return self


def load_products(path: Path) -> ProductsFile:
    if not path.exists():
        return ProductsFile()
    return load_model(path, ProductsFile, "the data products file", fix=_FIX)


@dataclass(frozen=True)
class DesiredProduct:
    domain: str
    project: str
    name: str
    description: str
    terms: tuple[str, ...]
    items: tuple[str, ...]  # unique ids of the models whose assets are the items
    left_out: tuple[str, ...]  # items past their deprecation date
    form: Mapping[str, Any]
    file: str
    invocation: str

    @property
    def content_hash(self) -> str:
        return str(self.form["contentHash"])


def resolve_item(item: str, domain: Domain) -> Model | None:
    """`dim_customers` = its latest version, `dim_customers.v1` = that version."""
    name, _, version = item.partition(".v")
    candidates = [m for m in domain.models if m.name == name]
    if version:
        return next((m for m in candidates if m.version == version), None)
    return next((m for m in candidates if m.is_latest_version), None)


def resolve_items(
    product: ProductSpec, domain: Domain, file: str | Path
) -> tuple[list[Model], list[tuple[str, str]]]:
    """The product's models, and a problem (file, text) for each item that is not a public
    model with an enforced contract of the product's domain."""
    where = f"data product {product.name!r}"
    models: list[Model] = []
    problems: list[tuple[str, str]] = []
    for item in product.items:
        model = resolve_item(item, domain)
        if model is None:
            problems.append(
                (
                    str(file),
                    f"{where} names {item!r}, which is not a model of domain "
                    f"{domain.name} (use `<model>` or `<model>.v<version>`)",
                )
            )
        elif not is_published_model(model):
            contract = "" if model.contract_enforced else " without an enforced contract"
            problems.append(
                (
                    str(file),
                    f"{where} names {item!r} ({model.unique_id}), which is "
                    f"{model.access}{contract}; only public models with an enforced contract "
                    "can be in a data product",
                )
            )
        else:
            models.append(model)
    return models, problems


def desired_products(
    domains: Sequence[Domain],
    root: Path,
    config: DataZoneConfig,
    glossary: GlossarySpec,
    form_type: FormTypeSpec,
    *,
    today: date,
    problems: list[tuple[str, str]],
) -> list[DesiredProduct]:
    out = []
    for domain in domains:
        path = config.data_products_file(root, domain.name)
        spec = load_products(path)
        shown = path.relative_to(root) if path.is_relative_to(root) else path
        for product in spec.data_products:
            where = f"data product {product.name!r}"
            problems += check_terms(product.glossary_terms, glossary, where, shown, config.glossary)
            models, item_problems = resolve_items(product, domain, shown)
            problems += item_problems
            left_out = [m.unique_id for m in models if past_deprecation(m, today)]
            items = [m.unique_id for m in models if not past_deprecation(m, today)]
            form: dict[str, Any] = {
                "domain": domain.name,
                "owner": product.owner,
                "models": sorted(items),
                "managedBy": MANAGED_BY,
            }
            form = {k: v for k, v in form.items() if v is not None}
            form["contentHash"] = content_hash(
                {
                    "name": product.name,
                    "description": product.description.strip(),
                    "terms": product.glossary_terms,
                    "form": form,
                    "formType": form_type.digest,
                }
            )
            for problem in form_type.problems(form):
                problems.append(
                    (str(shown), f"{where} breaks the form type {form_type.path}: {problem}")
                )
            out.append(
                DesiredProduct(
                    domain=domain.name,
                    project=config.project_for(domain.name),
                    name=product.name,
                    description=product.description.strip(),
                    terms=tuple(product.glossary_terms),
                    items=tuple(sorted(items)),
                    left_out=tuple(left_out),
                    form=form,
                    file=str(shown),
                    invocation=domain.generated_at or "",
                )
            )
    return out


@dataclass
class CurrentProduct:
    id: str
    name: str
    project_id: str
    form: Mapping[str, Any] | None

    @property
    def owned(self) -> bool:
        return (self.form or {}).get("managedBy") == MANAGED_BY

    @property
    def content_hash(self) -> str | None:
        return (self.form or {}).get("contentHash") if self.owned else None


def read_products(api: DataZoneApi, form_name: str, project_ids: set[str]) -> list[CurrentProduct]:
    """Data products of the mapped projects, with the publisher's form (GetDataProduct each)."""
    out = []
    for hit in api.pages("Search", domainIdentifier=api.domain_id, searchScope="DATA_PRODUCT"):
        item = hit.get("dataProductItem")
        if not item or item.get("owningProjectId") not in project_ids:
            continue
        full = api.client.get_data_product(domainIdentifier=api.domain_id, identifier=item["id"])
        form = next((f for f in full.get("formsOutput") or () if f["formName"] == form_name), None)
        out.append(
            CurrentProduct(item["id"], full["name"], full["owningProjectId"], form_content(form))
        )
    return out
