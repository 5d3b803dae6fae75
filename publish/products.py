"""`domains/<domain>/data_products.yml`: the data products a domain declares (validated YAML).

Each product names models of its own domain (`dim_customers` = its latest version,
`dim_customers.v1` = that version); `publish.mapping.map_products` resolves them.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from publish.yamlfile import load_model

_FIX = "correct the data products file (keys: name, description, owner, items, glossary_terms)"


class ProductSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64)
    description: str = Field(default="", max_length=4096)
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
