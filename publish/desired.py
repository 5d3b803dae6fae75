"""The mesh's catalog facts (`publish.mapping`) -> the state Glue and Lake Formation should have.

What the publisher owns in Glue (see publish/OWNERSHIP.md): the table Description and the Comment of
each documented column (the Glue cut of the mapping's text, as dbt-athena's `persist_docs` computes
it); table and database Parameters under the `mesh:` prefix (`publish.mapping.glue_parameters`);
and the LF-tags of `catalog/lf_tags.yml` assigned from `meta`. Nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from msgspec import Struct
from msgspec.structs import force_setattr
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from publish.artifacts import paused_gc
from publish.drift import glue_fields, record
from publish.errors import raise_problems
from publish.mapping import (
    DESCRIPTION_LIMIT,
    GLUE_PREFIX,
    GlueText,
    MeshFacts,
    ModelFacts,
    glue_comment,
    glue_parameters,
    glue_text,
)
from publish.model import Domain
from publish.plan import Skipped
from publish.yamlfile import load_model

PREFIX = GLUE_PREFIX
#: Fingerprint of the LF-tag assignments the publisher made on a table (see targets/glue.py).
LF_TAGS_KEY = f"{PREFIX}lf_tags"
#: What the publisher wrote on a table (a digest per description and comment: `publish.drift`).
WRITTEN_KEY = f"{PREFIX}written"

DEFAULT_ONTOLOGY = Path("catalog/lf_tags.yml")


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
    #: the name in lower case, as Glue stores it: what a Glue column is matched by
    key: str
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
    #: parameter not listed here (but `mesh:lf_tags`) is removed
    parameters: Mapping[str, str]
    table_tags: Mapping[str, str] = {}
    #: derived from `columns`: those with LF-tags (a few per table; the tags to assign are found
    #: by walking these rather than every column of the mesh)
    tagged_columns: tuple[DesiredColumn, ...] = ()

    def __post_init__(self) -> None:
        force_setattr(self, "tagged_columns", tuple([c for c in self.columns if c.tags]))

    @property
    def key(self) -> str:
        return f"{self.database}.{self.name}"

    @property
    def texts(self) -> dict[str, GlueText]:
        """The texts drift is judged on, by field (`publish.drift.glue_fields`)."""
        return glue_fields(self.description, ((c.name, c.comment) for c in self.columns))


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
    #: models without a table (ephemeral)
    skipped: tuple[Skipped, ...] = ()


def desired_state(
    mesh: MeshFacts,
    ontology: LfTagOntology,
    *,
    ontology_file: Path = DEFAULT_ONTOLOGY,
    docs_url: str | None = None,
) -> DesiredState:
    """The desired Glue state of every model with a table; bad `meta` is an error."""
    with paused_gc():
        return _desired_state(mesh, ontology, ontology_file, docs_url)


def _desired_state(
    mesh: MeshFacts,
    ontology: LfTagOntology,
    ontology_file: Path,
    docs_url: str | None,
) -> DesiredState:
    problems: list[tuple[str, str]] = []
    tables: list[DesiredTable] = []
    databases: dict[str, DesiredDatabase] = {}
    skipped: list[Skipped] = []
    seen: dict[str, str] = {}
    table_specs, column_specs = ontology.for_level("table"), ontology.for_level("column")
    domains = {d.name: d for d in mesh.domains}
    for facts in mesh.models:
        if facts.model.relation is None:
            skipped.append(
                Skipped(
                    "model",
                    facts.unique_id,
                    "ephemeral",
                    "ephemeral: no table",
                    facts.domain,
                    facts.unique_id,
                )
            )
            continue
        table = _desired_table(facts, table_specs, column_specs, docs_url, problems)
        key = table.key
        if key in seen:
            problems.append(
                (
                    facts.file,
                    f"{facts.unique_id} and {seen[key]} both resolve to the Glue table {key}",
                )
            )
            continue
        seen[key] = facts.unique_id
        tables.append(table)
        if table.database not in databases:
            databases[table.database] = _desired_database(domains[facts.domain], table.database)
    raise_problems(
        problems,
        fix=f"use one of the allowed values in the dbt YAML, or add the value to "
        f"{ontology_file} (the publisher then creates it in Lake Formation)",
    )
    warnings = tuple(w for d in mesh.domains for w in d.warnings)
    return DesiredState(databases, tuple(tables), ontology, warnings, tuple(skipped))


def _tags(
    meta: Mapping[str, object],
    specs: Iterable[LfTag],
    facts: ModelFacts,
    column: str | None,
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
            where = f"column `{column}` of {facts.unique_id}" if column else facts.unique_id
            problems.append(
                (
                    facts.file,
                    f"{where} has meta `{spec.meta_key}: {value}`, which is not a value of the "
                    f"LF-tag `{spec.key}` (allowed: {', '.join(spec.values)})",
                )
            )
            continue
        tags[spec.key] = str(value)
    return tags or _NO_TAGS


_NO_TAGS: Mapping[str, str] = MappingProxyType({})


@lru_cache(maxsize=1 << 16)
def _untagged(name: str, description: str) -> DesiredColumn:
    """A column without tags, one object per name and text (shared doc blocks: id and audit
    columns recur in most tables)."""
    return DesiredColumn(name, name.lower(), glue_comment(description))


def _desired_table(
    facts: ModelFacts,
    table_specs: list[LfTag],
    column_specs: list[LfTag],
    docs_url: str | None,
    problems: list[tuple[str, str]],
) -> DesiredTable:
    model = facts.model
    assert model.relation is not None
    table_tags = _tags(model.meta, table_specs, facts, None, problems)
    # every column of the mesh passes here: straight from the model's Columns, positionally
    columns = [
        DesiredColumn(
            column.name,
            column.name.lower(),
            glue_comment(column.description),
            _tags(column.meta, column_specs, facts, column.name, problems),
        )
        if column.meta
        else _untagged(column.name, column.description)
        for column in model.columns
        if column.documented
    ]
    description = facts.description.glue
    return DesiredTable(
        model.unique_id,
        model.domain,
        model.relation.glue_database,
        model.relation.glue_table,
        description,
        tuple(columns),
        _Parameters(glue_parameters(facts, docs_url), description, columns),
        table_tags,
    )


class _Parameters(Mapping[str, str]):
    """A table's `mesh:` parameters with the record of the texts written (`WRITTEN_KEY`,
    `publish.drift`), which is hashed when first read: a plan that finds a table's description
    to change already (a first publish of 10,000 tables) never needs it before the apply."""

    __slots__ = ("_all", "_base", "_columns", "_description")

    def __init__(
        self, base: dict[str, str], description: GlueText, columns: Sequence[DesiredColumn]
    ) -> None:
        self._base, self._description, self._columns = base, description, columns
        self._all: dict[str, str] | None = None

    def _parameters(self) -> dict[str, str]:
        if self._all is None:
            texts = ((c.name, c.comment.value) for c in self._columns)
            written = record(glue_fields(self._description.value, texts))
            self._all = {**self._base, WRITTEN_KEY: written}
        return self._all

    def __getitem__(self, key: str) -> str:
        return self._parameters()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._parameters())

    def __len__(self) -> int:
        return len(self._parameters())

    def __repr__(self) -> str:
        return repr(self._parameters())


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
