"""The mesh's own typed model of dbt projects, decoupled from dbt's artifact schemas.

`publish.artifacts` fills it from the artifacts of each domain, once per command; the publisher,
the portal, governance and the CI steps all read this model, never the artifacts. Nothing here
knows about dbt's JSON layout or about AWS.

The records are frozen msgspec Structs rather than dataclasses: a 10,000-model mesh builds
hundreds of thousands of them, and a Struct is constructed about nine times faster than a frozen
dataclass (measured). `gc=False`: they hold no reference cycles, so the garbage collector never
needs to scan them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from msgspec import Struct

Access = Literal["public", "protected", "private"]
TestStatus = Literal["pass", "warn", "fail", "error", "skipped", "not_run"]
#: worst first; `not_run` = the model has tests but the run results hold none of them
TEST_STATUS_ORDER: tuple[TestStatus, ...] = ("error", "fail", "warn", "not_run", "skipped", "pass")


class Relation(Struct, frozen=True, gc=False):
    """Where a model (or source) lives on the target the artifacts were built for.

    On Athena the dbt schema is the Glue database and the alias is the Glue table name; Glue stores
    both in lower case.
    """

    database: str | None
    schema: str
    identifier: str

    @property
    def glue_database(self) -> str:
        return self.schema.lower()

    @property
    def glue_table(self) -> str:
        return self.identifier.lower()

    def __str__(self) -> str:
        return f"{self.glue_database}.{self.glue_table}"


class Constraint(Struct, frozen=True, gc=False):
    """A dbt constraint (`not_null`, `unique`, `primary_key`, `foreign_key`, `check`, ...)."""

    type: str
    name: str | None = None
    expression: str | None = None
    #: the columns of a model-level constraint (empty on a column's own constraint)
    columns: tuple[str, ...] = ()


class Column(Struct, frozen=True, gc=False):
    name: str
    description: str = ""
    #: the type declared in dbt YAML (the contract), else the type the catalog found
    data_type: str | None = None
    meta: Mapping[str, Any] = {}
    #: documented in dbt YAML (dbt-athena's persist_docs only touches these)
    documented: bool = True
    constraints: tuple[Constraint, ...] = ()
    #: the type and position (1-based) of the column in the built relation, per catalog.json
    catalog_type: str | None = None
    position: int | None = None

    @property
    def sensitivity(self) -> str | None:
        value = self.meta.get("sensitivity")
        return None if value is None else str(value)

    @property
    def glossary_terms(self) -> tuple[str, ...]:
        return str_tuple(self.meta.get("glossary_terms"))


class TestResult(Struct, frozen=True, gc=False):
    unique_id: str
    #: the generic test's name (`unique`, `not_null`, ...), or the singular test's node name
    name: str
    column_name: str | None
    status: TestStatus
    #: the generic test's name, None for a singular (data) test
    kind: str | None = None
    #: the columns the test covers: its column, or a multi-column test's columns
    columns: tuple[str, ...] = ()
    #: the model the test is attached to (None: a test of a source, or of no model)
    model: str | None = None
    package_name: str | None = None
    #: every node the test reads (a relationships test reads two models)
    depends_on: tuple[str, ...] = ()
    #: dbt's fully qualified name: `<package>.<folders>.<name>`, what `dbt ls` selects it by
    fqn: tuple[str, ...] = ()
    #: failing rows, and dbt's message, when the run evaluated the test
    failures: int | None = None
    message: str | None = None


class BuildResult(Struct, frozen=True, gc=False):
    """The model's own node in the run results of a build (`dbt build` / `dbt run`)."""

    status: str
    completed_at: str | None
    invocation_id: str | None


class Model(Struct, frozen=True, gc=False):
    unique_id: str
    #: the domain (root dbt project) whose artifacts hold the model
    domain: str
    name: str
    description: str
    materialized: str
    relation: Relation | None  # None for ephemeral models: no table anywhere
    columns: tuple[Column, ...] = ()
    meta: Mapping[str, Any] = {}
    access: Access = "protected"
    group: str | None = None
    group_owner_email: str | None = None
    contract_enforced: bool = False
    version: str | None = None
    latest_version: str | None = None
    deprecation_date: str | None = None
    depends_on: tuple[str, ...] = ()
    tests: tuple[TestResult, ...] = ()
    build: BuildResult | None = None
    #: the YAML (or SQL) file a person edits to change this model, relative to the domain
    source_file: str | None = None
    #: the dbt package that defines the model: the domain itself or an installed package
    package_name: str | None = None
    tags: tuple[str, ...] = ()
    #: model-level constraints (columns carry their own)
    constraints: tuple[Constraint, ...] = ()
    #: dbt's checksum of the model's file (changes with its SQL)
    checksum: str | None = None
    #: the model's SQL (or Python) file, relative to its package
    original_file_path: str | None = None
    #: catalog.json describes the built relation (False: not built, or no catalog)
    in_catalog: bool = False
    #: dbt-athena's table format on Athena: `iceberg`, `hive`, or None where unset
    table_type: str | None = None
    #: dbt's fully qualified name: `<package>.<folders>.<name>[.v<version>]`, a selector
    fqn: tuple[str, ...] = ()
    #: the SQL the last compile or build rendered (None after a bare `dbt parse`)
    compiled_code: str | None = None
    #: dbt's rendered relation, as compiled SQL names it (`"db"."schema"."table"`)
    relation_name: str | None = None

    @property
    def owner(self) -> str | None:
        owner = self.meta.get("owner")
        return str(owner) if owner else self.group_owner_email

    @property
    def tier(self) -> str | None:
        tier = self.meta.get("tier")
        return None if tier is None else str(tier)

    @property
    def glossary_terms(self) -> tuple[str, ...]:
        return str_tuple(self.meta.get("glossary_terms"))

    @property
    def from_package(self) -> bool:
        """Defined by an installed package rather than by the domain's own project."""
        return self.package_name is not None and self.package_name != self.domain

    @property
    def documented_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.documented)

    @property
    def is_latest_version(self) -> bool:
        return self.version is None or self.version == self.latest_version

    @property
    def test_status(self) -> TestStatus | None:
        """Worst status of the model's tests in the run results, or None without tests."""
        if not self.tests:
            return None
        statuses = {t.status for t in self.tests}
        return next(s for s in TEST_STATUS_ORDER if s in statuses)

    def column(self, name: str) -> Column | None:
        lowered = name.lower()
        return next((c for c in self.columns if c.name.lower() == lowered), None)


class SourceFreshness(Struct, frozen=True, gc=False):
    """One source's result in `sources.json` (`dbt source freshness`)."""

    unique_id: str
    status: str
    max_loaded_at: str | None
    snapshotted_at: str | None


class Source(Struct, frozen=True, gc=False):
    """A source table the domain declares (`sources:` in its YAML)."""

    unique_id: str
    domain: str
    source_name: str
    name: str
    relation: Relation
    description: str = ""
    columns: tuple[Column, ...] = ()
    meta: Mapping[str, Any] = {}
    tags: tuple[str, ...] = ()
    package_name: str | None = None
    loaded_at_field: str | None = None
    #: the freshness thresholds, as dbt states them (`26 hour`), None when not set
    warn_after: str | None = None
    error_after: str | None = None
    #: the result of the last `dbt source freshness`, None when sources.json has none
    freshness: SourceFreshness | None = None
    #: dbt's rendered relation, as compiled SQL names it (a DuckDB source over files renders as
    #: `read_parquet('...')`)
    relation_name: str | None = None


class Group(Struct, frozen=True, gc=False):
    """A dbt group: the team that owns a set of models."""

    unique_id: str
    name: str
    package_name: str | None = None
    owner_name: str | None = None
    owner_email: str | None = None
    description: str = ""


class Domain(Struct, frozen=True, gc=False):
    """One dbt project of the mesh, as loaded from its artifacts."""

    name: str
    artifacts_dir: Path
    description: str
    owners: tuple[str, ...]
    #: the models the domain builds: its own and those of installed packages
    models: tuple[Model, ...]
    adapter_type: str | None = None
    dbt_version: str | None = None
    generated_at: str | None = None
    #: the dbt command that wrote run_results.json (`build`, `run`, `generate`, ...)
    run_command: str | None = None
    #: the target named on that command line, when dbt recorded it
    run_target: str | None = None
    #: the results of `dbt source freshness` (sources.json)
    sources: tuple[SourceFreshness, ...] = ()
    warnings: tuple[str, ...] = ()
    groups: tuple[Group, ...] = ()
    #: the sources the domain declares, with their freshness result
    source_tables: tuple[Source, ...] = ()
    #: other domains' models dbt-loom injected into this manifest (relation, access, version only)
    upstream_models: tuple[Model, ...] = ()
    #: the manifest's dbt schema version (`v12`, ...)
    manifest_version: str | None = None
    #: every data test of the manifest (each model's own are also in `Model.tests`)
    tests: tuple[TestResult, ...] = ()
    #: when the run that wrote run_results.json finished (its `generated_at`), None without one
    run_finished_at: str | None = None

    def model(self, unique_id: str) -> Model:
        return next(m for m in self.models if m.unique_id == unique_id)

    @property
    def own_models(self) -> tuple[Model, ...]:
        """The models of the domain's own project (installed packages' left out)."""
        return tuple(m for m in self.models if not m.from_package)

    @property
    def packages(self) -> tuple[str, ...]:
        """Installed packages the domain builds models of."""
        return tuple(
            sorted({m.package_name for m in self.models if m.from_package and m.package_name})
        )


def nodes_by_id(domains: Iterable[Domain]) -> dict[str, Model | Source]:
    """Every model and source of the loaded domains by unique id.

    A domain's own model wins over the copy dbt-loom injected into a downstream domain's manifest
    (the copy has no columns); a copy stands in for a domain that was not loaded.
    """
    domains = list(domains)
    found: dict[str, Model | Source] = {}
    for domain in domains:
        found.update((m.unique_id, m) for m in domain.upstream_models)
    for domain in domains:
        found.update((s.unique_id, s) for s in domain.source_tables)
        found.update((m.unique_id, m) for m in domain.models)
    return found


def str_tuple(value: Any) -> tuple[str, ...]:
    """A `meta` value that may be one string or a list of them, as a tuple of strings.

    `glossary_terms: "Order"` and `glossary_terms: ["Order"]` mean the same; this is the one
    place that says so, for the publisher, the portal and governance alike.
    """
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value)
    return (str(value),)
