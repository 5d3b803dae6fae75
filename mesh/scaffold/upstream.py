"""What a `--reads` domain offers a new domain: one public, contracted model to import.

Read from the upstream domain's parsed manifest (the same file dbt-loom reads), through the
typed artifact loader: the model's latest version, its contracted columns with
their types and descriptions, and the one column its tests make a primary key, which the new
domain's example mart joins on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mesh.project import Domain
from publish.artifacts import load_manifest
from publish.errors import BadInputError
from publish.model import Column, TestResult

AUDIT_PREFIX = "_"  # _loaded_at, _dbt_invocation_id: the upstream's own build metadata
_PK_TESTS = {"unique", "not_null"}
_KEY_TYPES = ("tinyint", "smallint", "int", "bigint", "varchar", "string", "char", "text")


@dataclass(frozen=True)
class UpstreamColumn:
    name: str
    data_type: str
    description: str
    glossary_terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class UpstreamModel:
    """A public, contracted model of another domain, as the new domain imports it."""

    domain: str
    name: str
    version: str | None
    description: str
    columns: tuple[UpstreamColumn, ...]
    key: UpstreamColumn  # one column with unique + not_null tests

    @property
    def ref(self) -> str:
        """The cross-domain ref, pinned to the version read (dbt-loom resolves it)."""
        pinned = f", v={self.version}" if self.version else ""
        return f"ref('{self.domain}', '{self.name}'{pinned})"

    @property
    def label(self) -> str:
        return f"{self.domain}.{self.name}" + (f".v{self.version}" if self.version else "")


def public_models(domain: Domain) -> list[UpstreamModel]:
    """The latest versions of `domain`'s public, contracted models with a one-column key."""
    if not domain.manifest_path.is_file():
        raise BadInputError(
            f"domain {domain.name!r} has no parsed manifest yet, so its public models are unknown",
            file=domain.manifest_path,
            fix=f"parse it first: `mesh parse -s +{domain.name}` (or build it: "
            f"`mesh build -s +{domain.name}`), then run `mesh new domain` again",
        )
    loaded = load_manifest(domain.target_dir, domain.name)
    found = []
    for model in sorted(loaded.own_models, key=lambda m: m.unique_id):
        public = model.access == "public" and model.contract_enforced
        if not (public and model.is_latest_version):
            continue
        columns = tuple(_column(c) for c in model.columns if c.documented and c.data_type)
        keys = _key_columns(model.tests)
        key = next((c for c in columns if c.name in keys and _joinable(c.data_type)), None)
        if key is not None:
            found.append(
                UpstreamModel(
                    domain=domain.name,
                    name=model.name,
                    version=model.version,
                    description=model.description.strip(),
                    columns=tuple(c for c in columns if not c.name.startswith(AUDIT_PREFIX)),
                    key=key,
                )
            )
    return found


def choose(domain: Domain, model: str | None) -> UpstreamModel:
    """The model `--reads DOMAIN[.MODEL]` imports: the one named, else the first by name."""
    models = public_models(domain)
    if not models:
        raise BadInputError(
            f"domain {domain.name!r} has no public model to read (none is public, contracted "
            "and keyed by a column with unique and not_null tests)",
            file=domain.manifest_path,
            fix="read another domain with --reads, or make one of its marts public with an "
            "enforced contract first",
        )
    if model is None:
        return models[0]
    chosen = next((m for m in models if m.name == model), None)
    if chosen is None:
        names = ", ".join(m.name for m in models)
        raise BadInputError(
            f"--reads {domain.name}.{model}: {model!r} is not a public, contracted model of "
            f"{domain.name!r} (it offers {names})",
            fix=f"use one of: {', '.join(f'{domain.name}.{m.name}' for m in models)}",
        )
    return chosen


def _key_columns(tests: Iterable[TestResult]) -> set[str]:
    """The columns that have both a unique and a not_null test."""
    kinds: dict[str, set[str]] = {}
    for test in tests:
        if test.kind in _PK_TESTS and test.column_name:
            kinds.setdefault(test.column_name, set()).add(test.kind)
    return {column for column, found in kinds.items() if found >= _PK_TESTS}


def _joinable(data_type: str) -> bool:
    """Integer and string keys: the example rows can hold them as literals."""
    return data_type.lower().startswith(_KEY_TYPES)


def _column(column: Column) -> UpstreamColumn:
    return UpstreamColumn(
        name=column.name,
        data_type=column.data_type or "",
        description=" ".join(column.description.split()),
        glossary_terms=column.glossary_terms,
    )
