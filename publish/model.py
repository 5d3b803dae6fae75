"""The publisher's own typed model of a dbt mesh, decoupled from dbt's artifact schemas.

`publish.artifacts` fills it from the artifacts of each domain; `publish.desired` turns it into the
state the catalogs should have. Nothing here knows about dbt's JSON layout or about AWS.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Access = Literal["public", "protected", "private"]
TestStatus = Literal["pass", "warn", "fail", "error", "skipped", "not_run"]
#: worst first; `not_run` = the model has tests but the run results hold none of them
TEST_STATUS_ORDER: tuple[TestStatus, ...] = ("error", "fail", "warn", "not_run", "skipped", "pass")


@dataclass(frozen=True, slots=True)
class Relation:
    """Where a model lives on the target the artifacts were built for.

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


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    description: str = ""
    data_type: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)
    #: documented in dbt YAML (dbt-athena's persist_docs only touches these)
    documented: bool = True

    @property
    def sensitivity(self) -> str | None:
        value = self.meta.get("sensitivity")
        return None if value is None else str(value)

    @property
    def glossary_terms(self) -> tuple[str, ...]:
        return _str_tuple(self.meta.get("glossary_terms"))


@dataclass(frozen=True, slots=True)
class TestResult:
    unique_id: str
    name: str
    column_name: str | None
    status: TestStatus
    #: every column the test reads (`column_name`, or a combination's columns)
    columns: tuple[str, ...] = ()
    #: failing rows, and dbt's message, when the run evaluated the test
    failures: int | None = None
    message: str | None = None


@dataclass(frozen=True, slots=True)
class BuildResult:
    """The model's own node in the run results of a build (`dbt build` / `dbt run`)."""

    status: str
    completed_at: str | None
    invocation_id: str | None


@dataclass(frozen=True, slots=True)
class Model:
    unique_id: str
    domain: str
    name: str
    description: str
    materialized: str
    relation: Relation | None  # None for ephemeral models: no table anywhere
    columns: tuple[Column, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)
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
        return _str_tuple(self.meta.get("glossary_terms"))

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


@dataclass(frozen=True, slots=True)
class SourceFreshness:
    unique_id: str
    status: str
    max_loaded_at: str | None
    snapshotted_at: str | None


@dataclass(frozen=True, slots=True)
class Domain:
    """One dbt project of the mesh, as loaded from its artifacts."""

    name: str
    artifacts_dir: Path
    description: str
    owners: tuple[str, ...]
    models: tuple[Model, ...]
    adapter_type: str | None = None
    dbt_version: str | None = None
    generated_at: str | None = None
    #: the dbt command that wrote run_results.json (`build`, `run`, `generate`, ...)
    run_command: str | None = None
    #: the target named on that command line, when dbt recorded it
    run_target: str | None = None
    sources: tuple[SourceFreshness, ...] = ()
    warnings: tuple[str, ...] = ()
    #: when the run that wrote run_results.json finished (its `generated_at`), None without one
    run_finished_at: str | None = None

    def model(self, unique_id: str) -> Model:
        return next(m for m in self.models if m.unique_id == unique_id)


def _str_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value)
    return (str(value),)
