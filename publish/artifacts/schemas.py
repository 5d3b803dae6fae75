"""Typed models of the few dbt artifact fields the publisher reads, one set per schema version.

Only what the publisher needs is declared; everything else is skipped while decoding. They are
msgspec Structs rather than pydantic models for speed: on a 10,000-model manifest (75 MB) msgspec
decodes in a fraction of pydantic's time (measured by bench/bench_publish_glue.py), which is
what keeps load + plan under the 5 s target. A new dbt schema version gets its own classes here
and a line in `publish.artifacts.PARSERS`.
"""

from __future__ import annotations

from typing import Any

from msgspec import Struct, field


class Metadata(Struct):
    dbt_schema_version: str
    dbt_version: str | None = None
    generated_at: str | None = None
    invocation_id: str | None = None
    project_name: str | None = None
    adapter_type: str | None = None


# --- manifest v12 (dbt 1.8 - 1.11) -------------------------------------------------------------


class ColumnConfigV12(Struct):
    meta: dict[str, Any] = {}


class ColumnV12(Struct):
    name: str
    description: str | None = ""
    meta: dict[str, Any] = {}
    data_type: str | None = None
    config: ColumnConfigV12 | None = None


class ContractV12(Struct):
    enforced: bool = False


class NodeConfigV12(Struct):
    enabled: bool = True
    materialized: str | None = None
    meta: dict[str, Any] = {}
    access: str | None = None
    group: str | None = None
    contract: ContractV12 | None = None


class DependsOnV12(Struct):
    nodes: list[str] = []


class TestMetadataV12(Struct):
    name: str | None = None
    kwargs: dict[str, Any] = {}


class NodeV12(Struct):
    unique_id: str
    resource_type: str
    package_name: str
    name: str
    schema_name: str = field(name="schema")
    database: str | None = None
    alias: str | None = None
    relation_name: str | None = None
    description: str | None = ""
    columns: dict[str, ColumnV12] = {}
    meta: dict[str, Any] = {}
    config: NodeConfigV12 = field(default_factory=NodeConfigV12)
    access: str | None = None
    group: str | None = None
    version: str | int | float | None = None
    latest_version: str | int | float | None = None
    deprecation_date: str | None = None
    contract: ContractV12 | None = None
    depends_on: DependsOnV12 = field(default_factory=DependsOnV12)
    original_file_path: str | None = None
    patch_path: str | None = None
    # tests only
    attached_node: str | None = None
    column_name: str | None = None
    test_metadata: TestMetadataV12 | None = None


class GroupOwnerV12(Struct):
    email: str | None = None
    name: str | None = None


class GroupV12(Struct):
    name: str
    owner: GroupOwnerV12 = field(default_factory=GroupOwnerV12)
    original_file_path: str | None = None


class DocV12(Struct):
    name: str
    package_name: str | None = None
    block_contents: str = ""


class ManifestV12(Struct):
    metadata: Metadata
    nodes: dict[str, NodeV12] = {}
    groups: dict[str, GroupV12] = {}
    docs: dict[str, DocV12] = {}


# --- catalog v1 -------------------------------------------------------------------------------


class CatalogColumnV1(Struct):
    name: str
    type: str | None = None
    index: int = 0
    comment: str | None = None


class CatalogTableMetadataV1(Struct):
    name: str
    schema_name: str = field(name="schema")
    type: str | None = None
    database: str | None = None


class CatalogTableV1(Struct):
    metadata: CatalogTableMetadataV1
    columns: dict[str, CatalogColumnV1] = {}
    unique_id: str | None = None


class CatalogV1(Struct):
    metadata: Metadata
    nodes: dict[str, CatalogTableV1] = {}
    errors: list[str] | None = None


# --- run results v6 ---------------------------------------------------------------------------


class TimingV6(Struct):
    name: str
    started_at: str | None = None
    completed_at: str | None = None


class RunResultV6(Struct):
    unique_id: str
    status: str
    timing: list[TimingV6] = []
    failures: int | None = None
    message: str | None = None


class RunResultsV6(Struct):
    metadata: Metadata
    results: list[RunResultV6] = []
    args: dict[str, Any] = {}


# --- sources v3 -------------------------------------------------------------------------------


class SourceResultV3(Struct):
    unique_id: str
    status: str
    max_loaded_at: str | None = None
    snapshotted_at: str | None = None


class SourcesV3(Struct):
    metadata: Metadata
    results: list[SourceResultV3] = []
