"""What a `--reads` domain offers a new domain: one public, contracted model to import.

Read from the upstream domain's parsed manifest (the same file dbt-loom reads), through the
publisher's typed artifact reader: the model's latest version, its contracted columns with
their types and descriptions, and the one column its tests make a primary key, which the new
domain's example mart joins on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from mesh.project import Domain
from publish.artifacts import read_artifact
from publish.errors import BadInputError

AUDIT_PREFIX = "_"  # _loaded_at, _dbt_invocation_id: the upstream's own build metadata
_PK_TESTS = {"unique", "not_null"}


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
    manifest: Any = read_artifact(domain.manifest_path, "manifest")
    keys = _key_columns(manifest.nodes.values())
    found = []
    for uid, node in sorted(manifest.nodes.items()):
        if node.resource_type != "model" or node.package_name != domain.name:
            continue
        contract = node.contract or node.config.contract
        public = (node.access or node.config.access) == "public"
        latest = node.version is None or node.version == node.latest_version
        if not (public and contract and contract.enforced and latest and node.config.enabled):
            continue
        columns = tuple(_column(c) for c in node.columns.values() if c.data_type)
        key = next((c for c in columns if c.name in keys.get(uid, set())), None)
        if key is not None:
            found.append(
                UpstreamModel(
                    domain=domain.name,
                    name=node.name,
                    version=None if node.version is None else str(node.version),
                    description=(node.description or "").strip(),
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


def _key_columns(nodes: Iterable[Any]) -> dict[str, set[str]]:
    """Model id -> columns that have both a unique and a not_null test."""
    kinds: dict[tuple[str, str], set[str]] = {}
    for node in nodes:
        name = node.test_metadata.name if node.test_metadata else None
        if node.resource_type == "test" and name in _PK_TESTS and node.attached_node:
            kinds.setdefault((node.attached_node, node.column_name or ""), set()).add(name)
    keys: dict[str, set[str]] = {}
    for (model, column), found in kinds.items():
        if found >= _PK_TESTS:
            keys.setdefault(model, set()).add(column)
    return keys


def _column(column: Any) -> UpstreamColumn:
    meta = {**column.meta, **(column.config.meta if column.config else {})}
    return UpstreamColumn(
        name=column.name,
        data_type=column.data_type,
        description=" ".join((column.description or "").split()),
        glossary_terms=tuple(meta.get("glossary_terms") or ()),
    )
