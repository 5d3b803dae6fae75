"""`catalog/datazone.yml`: where and how the mesh is published in Amazon DataZone.

The file is validated with pydantic; every value can be overridden from the environment
(`MESH_DATAZONE_DOMAIN_ID`, `MESH_DATAZONE_DOMAIN_NAME`, `MESH_DATAZONE_REGION`,
`MESH_DATAZONE_ACCOUNT_ID`, `MESH_DATAZONE_GOVERNANCE_PROJECT`, `MESH_DATAZONE_PROJECT_<DOMAIN>`),
so CI points the same file at the production domain.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from publish.errors import BadInputError
from publish.yamlfile import read_yaml, validate

DEFAULT_CONFIG = Path("catalog/datazone.yml")
ENV_PREFIX = "MESH_DATAZONE_"
GLUE_TABLE_ASSET_TYPE = "amazon.datazone.GlueTableAssetType"
_FIX = "correct catalog/datazone.yml (its header comment describes every key)"
# CreateProject's `name`: ^[\w -]+$, 1 to 64 characters (DataZone API reference)
_PROJECT_NAME = re.compile(r"[\w -]{1,64}")


class DomainRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, pattern=r"^dzd[-_][a-zA-Z0-9_-]{1,36}$")
    name: str | None = Field(default=None, min_length=1, max_length=64)

    @model_validator(mode="after")
    def _one(self) -> DomainRef:
        if not self.id and not self.name:
            raise ValueError("set domain.id or domain.name (or MESH_DATAZONE_DOMAIN_ID)")
        return self


class FormTypePaths(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: Path = Path("catalog/forms/dbt_model.smithy")
    data_product: Path = Path("catalog/forms/dbt_data_product.smithy")


class AssetsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str = GLUE_TABLE_ASSET_TYPE
    form_types: FormTypePaths = FormTypePaths()


class DataZoneConfig(BaseModel):
    """The validated configuration (paths are relative to the repository root)."""

    model_config = ConfigDict(extra="forbid")

    domain: DomainRef
    region: str | None = Field(default=None, pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")
    account_id: str | None = Field(default=None, pattern=r"^\d{12}$")
    governance_project: str = Field(min_length=1, max_length=64)
    #: dbt domain -> DataZone project; a domain not listed publishes to a project of its name
    projects: dict[str, str] = Field(default_factory=dict)
    assets: AssetsConfig = AssetsConfig()
    glossary: Path = Path("catalog/glossary.yml")
    data_products: str = "domains/{domain}/data_products.yml"
    rate_limits: dict[str, float] = Field(default_factory=lambda: {"default": 10.0})
    #: where the configuration was read from (for error messages)
    source: Path = Field(default=DEFAULT_CONFIG, exclude=True)

    @model_validator(mode="after")
    def _rates(self) -> DataZoneConfig:
        bad = [op for op, rate in self.rate_limits.items() if not math.isfinite(rate) or rate <= 0]
        if bad:
            raise ValueError(f"rate_limits must be positive numbers (see {', '.join(bad)})")
        return self

    @field_validator("data_products")
    @classmethod
    def _one_placeholder(cls, value: str) -> str:
        try:
            value.format(domain="d")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(
                f"{value!r} is not a path template whose only placeholder is {{domain}} ({exc!r})"
            ) from None
        return value

    def project_for(self, domain: str) -> str:
        """The DataZone project of a dbt domain: as mapped, else the domain's own name."""
        project = self.projects.get(domain, domain)
        if not _PROJECT_NAME.fullmatch(project):
            raise BadInputError(
                f"the dbt domain {domain!r} maps to {project!r}, which is not a valid DataZone "
                "project name (1 to 64 letters, digits, `_`, `-` or spaces)",
                file=self.source,
                fix=f"map it under `projects:` in {self.source} (`{domain}: <project name>`), or "
                f"set {ENV_PREFIX}PROJECT_{domain.upper()}",
            )
        return project

    def domain_projects(self, domains: Iterable[str]) -> dict[str, str]:
        """dbt domain -> DataZone project, for each of `domains`."""
        return {domain: self.project_for(domain) for domain in domains}

    def data_products_file(self, root: Path, domain: str) -> Path:
        return root / self.data_products.format(domain=domain)


def _overrides(env: Mapping[str, str]) -> dict[str, object]:
    out: dict[str, object] = {}
    if env.get(f"{ENV_PREFIX}DOMAIN_ID"):
        out["domain"] = {"id": env[f"{ENV_PREFIX}DOMAIN_ID"]}
    elif env.get(f"{ENV_PREFIX}DOMAIN_NAME"):
        out["domain"] = {"name": env[f"{ENV_PREFIX}DOMAIN_NAME"]}
    for key in ("region", "account_id", "governance_project"):
        value = env.get(f"{ENV_PREFIX}{key.upper()}")
        if value:
            out[key] = value
    projects = {
        key[len(f"{ENV_PREFIX}PROJECT_") :].lower(): value
        for key, value in env.items()
        if key.startswith(f"{ENV_PREFIX}PROJECT_") and value
    }
    if projects:
        out["projects"] = projects
    return out


def load_config(path: Path, env: Mapping[str, str] | None = None) -> DataZoneConfig:
    """Read, override from the environment and validate; any problem is a BadInputError."""
    env = os.environ if env is None else env
    document = (
        read_yaml(
            path,
            "the DataZone configuration",
            fix=_FIX,
            missing_fix="run from the repository root, or pass --config with the path of "
            "datazone.yml",
        )
        or {}
    )
    if not isinstance(document, dict):
        raise BadInputError("the DataZone configuration must be a mapping", file=path, fix=_FIX)
    overrides = _overrides(env)
    projects = overrides.pop("projects", None)
    merged = {**document, **overrides}
    if isinstance(projects, dict):
        merged["projects"] = {**(document.get("projects") or {}), **projects}
    return validate(
        DataZoneConfig,
        {**merged, "source": path},
        path,
        "the DataZone configuration",
        fix=_FIX + f"; or fix the {ENV_PREFIX}* environment variable that overrides it",
    )
