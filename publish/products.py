"""`domains/<domain>/data_products.yml`: the data products a domain declares (validated YAML).

Each product names models of its own domain (`dim_customers` = its latest version,
`dim_customers.v1` = that version); `publish.mapping.map_products` resolves them.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from publish.limits import refuse
from publish.yamlfile import load_model

_FIX = "correct the data products file (keys: name, description, owner, items, glossary_terms)"


class ProductSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    #: empty: the product is created without one (DataZone takes 1 to 4,096 characters or none)
    description: str = ""
    owner: str | None = None
    items: list[str] = Field(min_length=1)
    glossary_terms: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _listed_once(self) -> ProductSpec:
        for field, values in (("items", self.items), ("glossary_terms", self.glossary_terms)):
            twice = sorted({v for v in values if values.count(v) > 1})
            if twice:
                raise ValueError(f"{field} lists {', '.join(twice)} more than once")
        return self

    @field_validator("name", "description")
    @classmethod
    def _fits(cls, value: str, info: ValidationInfo) -> str:
        """DataZone's limits (CreateDataProduct, botocore's model)."""
        if info.field_name == "description" and not value.strip():
            return value
        sent = value.strip() if info.field_name == "description" else value
        refuse("datazone", "CreateDataProduct", str(info.field_name), sent)
        return value


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
    """The products of a domain; an absent file declares none."""
    if not path.exists():
        return ProductsFile()
    return load_model(path, ProductsFile, "the data products file", fix=_FIX, allow_empty=True)
