"""Data products declared per domain (`domains/<domain>/data_products.yml`) -> DataZone.

The mapping stage (`publish.mapping.map_products`) resolves each item to a model of the product's
own domain; here every item must be a public model with an enforced contract. A version past its
deprecation date is left out of the product (and unpublished as an asset).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from publish.datazone.api import DataZoneApi, form_content
from publish.datazone.config import DataZoneConfig
from publish.datazone.forms import MANAGED_BY, FormTypeSpec
from publish.datazone.glossary import GlossarySpec, check_terms
from publish.hashing import content_hash
from publish.limits import bound, maximum
from publish.mapping import MeshFacts, map_products, product_problems
from publish.products import load_products


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


def desired_products(
    mesh: MeshFacts,
    root: Path,
    config: DataZoneConfig,
    glossary: GlossarySpec,
    form_type: FormTypeSpec,
    *,
    today: date,
    problems: list[tuple[str, str]],
    too_big: list[tuple[str, str]] | None = None,
) -> list[DesiredProduct]:
    """The data products of every domain; problems collected (DataZone's limits broken in
    `too_big`, else in `problems`)."""
    limited = problems if too_big is None else too_big
    out = []
    terms_limit = maximum("datazone", "CreateDataProduct", "glossaryTerms")
    least_items = int(bound("datazone", "CreateDataProduct", "items").min or 1)
    for domain in mesh.domains:
        path = config.data_products_file(root, domain.name)
        shown = str(path.relative_to(root) if path.is_relative_to(root) else path)
        declared = load_products(path).data_products
        models = {m.key: m for m in mesh.of_domain(domain.name)}
        for product in map_products(domain.name, declared, list(models.values())):
            where = f"data product {product.name!r}"
            problems += check_terms(product.glossary_terms, glossary, where, shown, config.glossary)
            problems += product_problems(product, models, shown)
            if len(product.glossary_terms) > terms_limit:
                limited.append(
                    (
                        shown,
                        f"{where} has {len(product.glossary_terms)} glossary terms; a DataZone "
                        f"data product takes at most {terms_limit}",
                    )
                )
            published = [
                f
                for i in product.items
                if (f := models.get(i.key or "")) is not None and f.not_an_asset is None
            ]
            left_out = [f.unique_id for f in published if f.past_deprecation(today)]
            items = [f.unique_id for f in published if not f.past_deprecation(today)]
            if published and len(items) < least_items:
                limited.append(
                    (
                        shown,
                        f"{where}: every item is past its deprecation date "
                        f"({', '.join(left_out)}); a DataZone data product needs at least "
                        f"{least_items} item (CreateDataProduct `items`); add the model's current "
                        "version to the product, or remove the product",
                    )
                )
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
                    "description": product.description,
                    "terms": list(product.glossary_terms),
                    "form": form,
                    "formType": form_type.digest,
                }
            )
            for problem in form_type.problems(form):
                problems.append(
                    (shown, f"{where} breaks the form type {form_type.path}: {problem}")
                )
            out.append(
                DesiredProduct(
                    domain=domain.name,
                    project=config.project_for(domain.name),
                    name=product.name,
                    description=product.description,
                    terms=product.glossary_terms,
                    items=tuple(sorted(items)),
                    left_out=tuple(left_out),
                    form=form,
                    file=shown,
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
