"""The files of a new domain in the house style (STYLE.md), rendered from templates/.

The templates write dbt's own Jinja (`{{ ref(...) }}`) verbatim, so they use square
delimiters (`[[ ... ]]`, `[% ... %]`) for what the scaffold fills in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from mesh.scaffold.upstream import UpstreamModel

TEMPLATES = Path(__file__).parent / "templates"
#: files that link the shared file instead of copying it
LINKS = {"profiles.yml": "../../profiles.yml"}
_INTEGER_TYPES = ("tinyint", "smallint", "int", "integer", "bigint")
#: the example items of a new domain's staging model (name, category as a source spells it)
EXAMPLE_ITEMS = (
    ("Example item 1", "Example"),
    ("Example item 2", "Example"),
    ("Example item 3", "Sample"),
)


@dataclass(frozen=True)
class Import:
    """One upstream public model, imported once in a private `int_` model (STYLE.md 8a)."""

    model: UpstreamModel
    fk: str  # the column of the new domain's items holding the upstream key

    @property
    def alias(self) -> str:
        """`<domain>_<entity>` (sales.fct_orders: sales_orders; customers.dim_customers:
        customers), the import CTE's name."""
        entity = self.model.name.removeprefix("dim_").removeprefix("fct_")
        domain = self.model.domain
        return entity if entity.startswith(domain) else f"{domain}_{entity}"

    @property
    def name(self) -> str:
        return f"int_{self.alias}"

    @property
    def key_description(self) -> str:
        return f"Key into `{self.model.label}` ({self.model.key.name}). " + (
            self.model.key.description or ""
        )

    @property
    def known(self) -> int | str:
        return 1 if self.model.key.data_type.lower().startswith(_INTEGER_TYPES) else "1"

    @property
    def unknown(self) -> int | str:
        return 99 if isinstance(self.known, int) else "99"

    def literal(self, number: int) -> str:
        """The key `number` as an SQL literal of the upstream key's type."""
        return str(number) if isinstance(self.known, int) else f"'{number}'"


@dataclass(frozen=True)
class DomainSpec:
    name: str
    owner: str
    imports: tuple[Import, ...] = ()

    @property
    def title(self) -> str:
        return self.name.replace("_", " ").title()

    @property
    def staging(self) -> str:
        return f"stg_{self.name}__items"

    @property
    def mart(self) -> str:
        return f"dim_{self.name}_items"

    @property
    def example_columns(self) -> list[str]:
        return ["id", "name", "category", *(i.fk for i in self.imports), "updated_at"]

    @property
    def example_rows(self) -> list[str]:
        """The staging model's example rows, SQL literals in `example_columns` order."""
        rows = []
        for number, (label, category) in enumerate(EXAMPLE_ITEMS, start=1):
            keys = [i.literal(number) for i in self.imports]
            updated = f"'2026-01-0{number + 4} 09:00:00'"
            rows.append(", ".join([str(number), f"'{label}'", f"'{category}'", *keys, updated]))
        return rows

    @property
    def reads_text(self) -> str:
        return ", ".join(f"`{i.model.label}`" for i in self.imports)

    @property
    def upstream_domains(self) -> list[str]:
        return sorted({i.model.domain for i in self.imports})


def render_domain(spec: DomainSpec) -> dict[str, str]:
    """Path inside domains/<name>/ -> file content, for every file but the LINKS."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        variable_start_string="[[",
        variable_end_string="]]",
        block_start_string="[%",
        block_end_string="%]",
        comment_start_string="[#",
        comment_end_string="#]",
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
        autoescape=False,  # YAML, SQL, CSV and Markdown, never HTML
    )
    env.filters["yaml"] = _yaml_string

    def render(template: str, **extra: Any) -> str:
        return env.get_template(template).render(d=spec, **extra)

    name = spec.name
    files = {
        "dbt_project.yml": render("dbt_project.yml.j2"),
        "packages.yml": render("packages.yml.j2"),
        "dbt_loom.config.yml": render("dbt_loom.config.yml.j2"),
        "data_products.yml": render("data_products.yml.j2"),
        ".sqlfluff": render("sqlfluff.j2"),
        "macros/generate_schema_name.sql": render("generate_schema_name.sql.j2"),
        "models/_groups.yml": render("groups.yml.j2"),
        f"models/_{name}__docs.md": render("docs.md.j2"),
        f"models/staging/{name}/_{name}__models.yml": render("staging.yml.j2"),
        f"models/staging/{name}/{spec.staging}.sql": render("staging.sql.j2"),
        f"models/marts/{name}/_{name}__models.yml": render("mart.yml.j2"),
        f"models/marts/{name}/{spec.mart}.sql": render("mart.sql.j2"),
    }
    if spec.imports:
        files["models/intermediate/imports/_imports__models.yml"] = render("imports.yml.j2")
        for item in spec.imports:
            path = f"models/intermediate/imports/{item.name}.sql"
            files[path] = render("import.sql.j2", i=item)
    return files


def _yaml_string(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is YAML's)."""
    return json.dumps(text, ensure_ascii=False)
