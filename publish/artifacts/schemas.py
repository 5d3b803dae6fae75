"""Typed models of the dbt artifact fields the mesh reads, one set per schema version.

Only what the publisher, the portal, governance and CI need is declared; everything else is
skipped while decoding. They are msgspec Structs rather than pydantic models for speed: on a
10,000-model manifest (75 MB) msgspec decodes in a fraction of pydantic's time (measured by
bench/bench_publish_glue.py). `gc=False`: decoded artifacts hold no reference cycles, so the
garbage collector need not track (and rescan) their millions of objects. Sequences are tuples:
dbt writes `"constraints": []` on every column, and an empty tuple is one shared object where an
empty list is a new one each time (a third of a 10,000-model manifest's decoding time, measured).

The fields read here have the same shape in manifest v9 (dbt 1.5) to v12 (1.8 - 1.11) and in
dbt Fusion's manifests (v20, then v12), and in run-results v4 (dbt 1.0 - 1.6) to v6 (1.8+),
checked field by field against dbt's JSON schemas and Fusion's Rust structs; the differences lie
in fields the mesh does not read, or in fields older versions lack, which therefore default to
empty: v9 has no `metadata.project_name` (its `project_id` is the name's MD5), no
`deprecation_date`, no `config.access`; columns gained `config` in 1.9, groups `description` in
1.9. Where a writer puts `null` (hand-edited or generated YAML, which dbt keeps; Fusion writes
`null` for an unset `config.meta`, `config.enabled` or a model constraint's `columns`), it reads
as empty. A version that changes a field read here gets its own classes and a line in
`publish.artifacts.PARSERS`.
"""

from __future__ import annotations

from typing import Any

from msgspec import UNSET, Raw, Struct, UnsetType, field


class _S(Struct, gc=False):
    """Base of every artifact struct (untracked by the garbage collector)."""


class Metadata(_S):
    dbt_schema_version: str
    dbt_version: str | None = None
    generated_at: str | None = None
    invocation_id: str | None = None
    project_name: str | None = None
    #: MD5 of the project name (dbt 1.5 writes no `project_name`: this finds it)
    project_id: str | None = None
    adapter_type: str | None = None


# --- manifest v9 - v12 (dbt 1.5 - 1.11), v20 (dbt Fusion previews) ---------------------------


class ConstraintV12(_S):
    type: str
    name: str | None = None
    expression: str | None = None
    columns: tuple[str, ...] | None = ()  # model-level constraints only (Fusion: null)


class ColumnConfigV12(_S):
    meta: dict[str, Any] | None = {}


class ColumnV12(_S):
    name: str
    description: str | None = ""
    meta: dict[str, Any] | None = {}
    data_type: str | None = None
    constraints: tuple[ConstraintV12, ...] = ()
    config: ColumnConfigV12 | None = None  # dbt 1.9+


class ContractV12(_S):
    enforced: bool = False


class NodeConfigV12(_S):
    enabled: bool | None = True  # Fusion writes null when unset: enabled, as dbt's default
    materialized: str | None = None
    meta: dict[str, Any] | None = {}
    access: str | None = None
    group: str | None = None
    contract: ContractV12 | None = None
    #: dbt-athena's table format (`iceberg` or `hive`); other adapters ignore it
    table_type: str | None = None


class DependsOnV12(_S):
    nodes: tuple[str, ...] = ()


class TestKwargsV12(_S):
    column_name: str | None = None
    combination_of_columns: tuple[str, ...] | None = None


class TestMetadataV12(_S):
    name: str | None = None
    namespace: str | None = None
    kwargs: TestKwargsV12 | None = None


class ChecksumV12(_S):
    name: str = ""
    checksum: str = ""


class NodeV12(_S):
    unique_id: str
    resource_type: str
    package_name: str
    name: str
    schema_name: str = field(name="schema")
    database: str | None = None
    alias: str | None = None
    relation_name: str | None = None
    fqn: tuple[str, ...] = ()
    #: the model's SQL as the last compile or build rendered it (absent after `dbt parse`)
    compiled_code: str | None = None
    description: str | None = ""
    columns: dict[str, ColumnV12] = {}
    meta: dict[str, Any] | None = {}
    tags: tuple[str, ...] = ()
    config: NodeConfigV12 = field(default_factory=NodeConfigV12)
    access: str | None = None
    group: str | None = None
    version: str | int | float | None = None
    latest_version: str | int | float | None = None
    deprecation_date: str | None = None
    contract: ContractV12 | None = None
    constraints: tuple[ConstraintV12, ...] = ()
    depends_on: DependsOnV12 = field(default_factory=DependsOnV12)
    checksum: ChecksumV12 | None = None
    #: both empty on nodes a plugin injected (dbt-loom's upstream models)
    path: str | None = None
    original_file_path: str | None = None
    patch_path: str | None = None
    # tests only
    attached_node: str | None = None
    column_name: str | None = None
    test_metadata: TestMetadataV12 | None = None


class FreshnessThresholdV12(_S):
    count: int | None = None
    period: str | None = None


class FreshnessV12(_S):
    warn_after: FreshnessThresholdV12 | None = None
    error_after: FreshnessThresholdV12 | None = None
    filter: str | None = None


class SourceConfigV12(_S):
    enabled: bool | None = True
    meta: dict[str, Any] | None = {}


class SourceV12(_S):
    unique_id: str
    package_name: str
    source_name: str
    name: str
    schema_name: str = field(name="schema")
    database: str | None = None
    identifier: str | None = None
    relation_name: str | None = None
    description: str | None = ""
    source_description: str | None = ""
    columns: dict[str, ColumnV12] = {}
    meta: dict[str, Any] | None = {}
    source_meta: dict[str, Any] | None = {}
    tags: tuple[str, ...] = ()
    loaded_at_field: str | None = None
    freshness: FreshnessV12 | None = None
    config: SourceConfigV12 = field(default_factory=SourceConfigV12)
    original_file_path: str | None = None


class GroupOwnerV12(_S):
    email: str | tuple[str, ...] | None = None  # or a list: dbt 1.10+ and Fusion
    name: str | None = None


class GroupV12(_S):
    name: str
    package_name: str | None = None
    owner: GroupOwnerV12 = field(default_factory=GroupOwnerV12)
    description: str | None = None  # dbt 1.9+
    original_file_path: str | None = None


class DocV12(_S):
    name: str
    package_name: str | None = None
    block_contents: str = ""


class ManifestV12(_S):
    metadata: Metadata
    nodes: dict[str, NodeV12] = {}
    sources: dict[str, SourceV12] = {}
    groups: dict[str, GroupV12] = {}
    docs: dict[str, DocV12] = {}


class ManifestV12Entries(_S):
    """The same manifest with each entry left undecoded, to find and skip the broken ones."""

    metadata: Metadata
    nodes: dict[str, Raw] = {}
    sources: dict[str, Raw] = {}
    groups: dict[str, Raw] = {}
    docs: dict[str, Raw] = {}


class EntryKind(_S):
    """Just enough of a broken manifest entry to say what it is."""

    resource_type: str | None = None
    package_name: str | None = None


# --- catalog v1 -------------------------------------------------------------------------------


class CatalogColumnV1(_S):
    name: str
    type: str | None = None
    index: int = 0
    comment: str | None = None


class CatalogTableMetadataV1(_S):
    name: str
    schema_name: str = field(name="schema")
    type: str | None = None
    database: str | None = None


class CatalogTableV1(_S):
    metadata: CatalogTableMetadataV1
    columns: dict[str, CatalogColumnV1] = {}
    unique_id: str | None = None


class CatalogV1(_S):
    metadata: Metadata
    nodes: dict[str, CatalogTableV1] = {}
    errors: list[str] | None = None


# --- run results v4 - v6 ----------------------------------------------------------------------


class TimingV6(_S):
    name: str
    started_at: str | None = None
    completed_at: str | None = None


class RunResultV6(_S):
    unique_id: str
    status: str
    timing: tuple[TimingV6, ...] = ()
    failures: int | None = None
    #: UNSET when the key is missing: dbt-core always writes it, Fusion's previews before
    #: 2.0.0-preview.158 never did (dbt-fusion#1271, #1437)
    message: str | UnsetType | None = UNSET
    #: the SQL the build ran (dbt-core; Fusion since 2.0.0-preview.209), undecoded until needed
    compiled_code: Raw = Raw()


class RunResultsV6(_S):
    metadata: Metadata
    results: list[RunResultV6] = []
    args: dict[str, Any] = {}


# --- sources v3 -------------------------------------------------------------------------------


class SourceResultV3(_S):
    unique_id: str
    status: str
    max_loaded_at: str | None = None
    snapshotted_at: str | None = None


class SourcesV3(_S):
    metadata: Metadata
    results: list[SourceResultV3] = []
