"""dbt (the typed model of `publish.model`) -> the state the Glue Data Catalog should have.

What the publisher owns in Glue (see publish/OWNERSHIP.md): the table Description and the Comment of
each documented column, computed exactly as dbt-athena's `persist_docs` computes them; table and
database Parameters under the `mesh:` prefix; and the LF-tags of `catalog/lf_tags.yml` assigned from
`meta`. Nothing else.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from msgspec import Struct
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from publish.artifacts import paused_gc
from publish.errors import raise_problems
from publish.model import Domain, Model
from publish.yamlfile import load_model

PREFIX = "mesh:"
#: Parameters that come from the run results: a publish from artifacts that did not build a model
#: leaves them as they are instead of removing them.
BUILD_KEYS = frozenset(
    {
        f"{PREFIX}last_build_at",
        f"{PREFIX}last_build_status",
        f"{PREFIX}test_status",
        f"{PREFIX}tests_passed",
    }
)
#: Fingerprint of the LF-tag assignments the publisher made on a table (see targets/glue.py).
LF_TAGS_KEY = f"{PREFIX}lf_tags"

#: Glue's limits (TableInput.Description, Column.Comment, DatabaseInput.Description)
DESCRIPTION_LIMIT = 2048
COMMENT_LIMIT = 255
ELLIPSIS = "..."  # what dbt-athena appends; the same here so that both write identical text

DEFAULT_ONTOLOGY = Path("catalog/lf_tags.yml")


# --- Glue text --------------------------------------------------------------------------------


class GlueText(Struct, frozen=True, gc=False):
    """A text as the publisher writes it to Glue (`value`) and as dbt has it (`full`, for DataZone).

    `athena` is what dbt-athena's persist_docs writes for the same text; it differs from `value`
    only for long non-ASCII text, and Glue holding it counts as in sync (no write), so that a build
    and a publish never undo each other's work.
    """

    value: str
    full: str
    athena: str
    truncated: bool = False

    def in_sync(self, current: str) -> bool:
        return current in (self.value, self.athena)


def clean_sql_comment(text: str) -> str:
    """dbt-athena's `clean_sql_comment`: lines stripped, blank lines dropped, joined by spaces."""
    if "\n" not in text:
        return text.strip()
    return " ".join(line.strip() for line in text.split("\n") if line.strip())


_JOINERS = frozenset("\u200d\ufe0e\ufe0f")


@lru_cache(maxsize=1 << 16)  # column docs repeat (shared doc blocks): compute each text once
def glue_text(text: str, limit: int) -> GlueText:
    """The text dbt-athena's persist_docs writes, made safe for Glue's byte limit.

    dbt-athena cuts at `limit` characters and appends "...". Whenever that result also fits in
    `limit` UTF-8 bytes (always for ASCII), this returns exactly the same string. Otherwise (long
    non-ASCII text) it cuts at a character boundary so that the UTF-8 encoding fits, without
    splitting a character from its combining marks, and appends the same ellipsis; dbt-athena's
    version is kept in `athena` and accepted as in sync.
    """
    clean = clean_sql_comment(text)
    athena = f"{clean[: limit - len(ELLIPSIS)]}{ELLIPSIS}" if len(clean) > limit else clean
    if len(athena.encode("utf-8")) <= limit:
        return GlueText(athena, text, athena, athena != clean)
    budget = limit - len(ELLIPSIS.encode("utf-8"))
    kept = clean.encode("utf-8")[:budget].decode("utf-8", errors="ignore")
    following = clean[len(kept)] if len(kept) < len(clean) else ""
    if following and (unicodedata.combining(following) or following in _JOINERS):
        # the cut falls inside a grapheme: drop its marks and its base character too
        while kept and (unicodedata.combining(kept[-1]) or kept[-1] in _JOINERS):
            kept = kept[:-1]
        kept = kept[:-1]
    return GlueText(f"{kept}{ELLIPSIS}", text, athena, True)


# --- LF-tag ontology --------------------------------------------------------------------------

_LF_KEY = re.compile(r"^[\w\s.:/=+\-@%]{1,128}$")


class LfTag(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str
    description: str = ""
    applies_to: Literal["table", "column"]
    meta_key: str
    values: list[str] = Field(min_length=1, max_length=1000)

    @field_validator("key")
    @classmethod
    def _key(cls, key: str) -> str:
        if not _LF_KEY.match(key):
            raise ValueError(
                f"{key!r} is not a valid LF-tag key (1-128 letters, digits, _.:/=+-@%)"
            )
        return key

    @field_validator("values")
    @classmethod
    def _values(cls, values: list[str]) -> list[str]:
        values = [str(v) for v in values]
        if len(set(values)) != len(values):
            raise ValueError("values must be unique")
        if any(not v or len(v) > 256 for v in values):
            raise ValueError("each value must have 1 to 256 characters")
        return values


class LfTagOntology(BaseModel):
    """`catalog/lf_tags.yml`: the LF-tags of the mesh and the `meta` keys they come from."""

    model_config = ConfigDict(extra="forbid")

    tags: list[LfTag] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> LfTagOntology:
        keys = [t.key for t in self.tags]
        if len(set(keys)) != len(keys):
            raise ValueError("tag keys must be unique")
        return self

    def for_level(self, level: Literal["table", "column"]) -> list[LfTag]:
        return [t for t in self.tags if t.applies_to == level]


def load_ontology(path: Path) -> LfTagOntology:
    return load_model(
        path,
        LfTagOntology,
        "the LF-tag ontology",
        fix="correct catalog/lf_tags.yml (see the comment at its top for the expected shape)",
        missing_fix="run from the repository root, or pass --lf-tags with the path of the ontology",
    )


# --- desired state ----------------------------------------------------------------------------


class DesiredColumn(Struct, frozen=True, gc=False):
    name: str
    comment: GlueText
    tags: Mapping[str, str] = {}


class DesiredTable(Struct, frozen=True, gc=False):
    unique_id: str
    domain: str
    database: str
    name: str
    description: GlueText
    columns: tuple[DesiredColumn, ...]
    #: every `mesh:` parameter the table should have (except the LF-tag fingerprint); a `mesh:`
    #: parameter not listed here and not in BUILD_KEYS is removed
    parameters: Mapping[str, str]
    table_tags: Mapping[str, str] = {}

    @property
    def key(self) -> str:
        return f"{self.database}.{self.name}"


@dataclass(frozen=True, slots=True)
class DesiredDatabase:
    name: str
    domain: str
    description: GlueText
    parameters: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class DesiredState:
    databases: Mapping[str, DesiredDatabase]
    tables: tuple[DesiredTable, ...]
    ontology: LfTagOntology
    warnings: tuple[str, ...] = ()


def desired_state(
    domains: Sequence[Domain],
    ontology: LfTagOntology,
    *,
    ontology_file: Path = DEFAULT_ONTOLOGY,
    docs_url: str | None = None,
) -> DesiredState:
    """Compute the desired Glue state of every model with a table; bad `meta` is an error."""
    with paused_gc():
        return _desired_state(domains, ontology, ontology_file, docs_url)


def _desired_state(
    domains: Sequence[Domain],
    ontology: LfTagOntology,
    ontology_file: Path,
    docs_url: str | None,
) -> DesiredState:
    problems: list[tuple[str, str]] = []
    tables: list[DesiredTable] = []
    databases: dict[str, DesiredDatabase] = {}
    warnings: list[str] = [w for d in domains for w in d.warnings]
    seen: dict[str, str] = {}
    table_specs, column_specs = ontology.for_level("table"), ontology.for_level("column")
    for domain in domains:
        for model in domain.models:
            if model.relation is None:
                continue  # ephemeral: no table
            table = _desired_table(domain, model, table_specs, column_specs, docs_url, problems)
            if table.key in seen:
                problems.append(
                    (
                        _file(domain, model),
                        f"{model.unique_id} and {seen[table.key]} both resolve to the Glue "
                        f"table {table.key}",
                    )
                )
                continue
            seen[table.key] = model.unique_id
            tables.append(table)
            if table.database not in databases:
                databases[table.database] = _desired_database(domain, table.database)
    raise_problems(
        problems,
        fix=f"use one of the allowed values in the dbt YAML, or add the value to "
        f"{ontology_file} (the publisher then creates it in Lake Formation)",
    )
    return DesiredState(databases, tuple(tables), ontology, tuple(warnings))


def _file(domain: Domain, model: Model) -> str:
    return f"domains/{domain.name}/{model.source_file}" if model.source_file else model.unique_id


def _tags(
    meta: Mapping[str, object],
    specs: Iterable[LfTag],
    where: str,
    file: str,
    problems: list[tuple[str, str]],
) -> Mapping[str, str]:
    if not meta:
        return _NO_TAGS
    tags: dict[str, str] = {}
    for spec in specs:
        value = meta.get(spec.meta_key)
        if value is None:
            continue
        if str(value) not in spec.values:
            problems.append(
                (
                    file,
                    f"{where} has meta `{spec.meta_key}: {value}`, which is not a value of the "
                    f"LF-tag `{spec.key}` (allowed: {', '.join(spec.values)})",
                )
            )
            continue
        tags[spec.key] = str(value)
    return tags or _NO_TAGS


_NO_TAGS: Mapping[str, str] = MappingProxyType({})


def _desired_table(
    domain: Domain,
    model: Model,
    table_specs: Sequence[LfTag],
    column_specs: Sequence[LfTag],
    docs_url: str | None,
    problems: list[tuple[str, str]],
) -> DesiredTable:
    assert model.relation is not None
    file = _file(domain, model)
    table_tags = _tags(model.meta, table_specs, model.unique_id, file, problems)
    columns = tuple(
        DesiredColumn(
            column.name,
            glue_text(column.description, COMMENT_LIMIT),
            _tags(
                column.meta,
                column_specs,
                f"column `{column.name}` of {model.unique_id}",
                file,
                problems,
            )
            if column.meta  # most columns have none: skip the message too
            else _NO_TAGS,
        )
        for column in model.columns
        if column.documented
    )
    return DesiredTable(
        unique_id=model.unique_id,
        domain=domain.name,
        database=model.relation.glue_database,
        name=model.relation.glue_table,
        description=glue_text(model.description, DESCRIPTION_LIMIT),
        columns=columns,
        parameters=model_parameters(model, docs_url),
        table_tags=table_tags,
    )


def model_parameters(model: Model, docs_url: str | None = None) -> dict[str, str]:
    """The `mesh:` table parameters of a model (values are strings, as Glue stores them)."""
    params: dict[str, str | None] = {
        "unique_id": model.unique_id,
        "domain": model.domain,
        "access": model.access,
        "owner": model.owner,
        "group": model.group,
        "tier": model.tier,
        "contract_enforced": "true" if model.contract_enforced else "false",
        "version": model.version,
        "latest_version": model.latest_version if model.version is not None else None,
        "deprecation_date": model.deprecation_date,
        "glossary_terms": json.dumps(list(model.glossary_terms)) if model.glossary_terms else None,
        "docs_url": docs_link(docs_url, model) if docs_url else None,
    }
    if model.build is not None:
        params["last_build_at"] = model.build.completed_at
        params["last_build_status"] = model.build.status
        if model.tests:
            passed = sum(t.status == "pass" for t in model.tests)
            params["test_status"] = model.test_status
            params["tests_passed"] = f"{passed}/{len(model.tests)}"
    return {f"{PREFIX}{k}": v for k, v in params.items() if v is not None}


def docs_link(template: str, model: Model) -> str:
    """`--docs-url` with `{domain}`/`{unique_id}` placeholders, or a base URL of a dbt docs site."""
    if "{" in template:
        return template.format(domain=model.domain, unique_id=model.unique_id)
    return f"{template.rstrip('/')}/#!/model/{model.unique_id}"


def _desired_database(domain: Domain, database: str) -> DesiredDatabase:
    layer = database.removeprefix(f"{domain.name.lower()}_")
    head = domain.description or f"dbt domain {domain.name}."
    head = head if head.endswith((".", "!", "?")) else head + "."
    text = f"{head} Domain: {domain.name}; layer: {layer}."
    params = {
        f"{PREFIX}domain": domain.name,
        f"{PREFIX}layer": layer,
    }
    if domain.owners:
        params[f"{PREFIX}owners"] = ",".join(domain.owners)
    return DesiredDatabase(database, domain.name, glue_text(text, DESCRIPTION_LIMIT), params)
