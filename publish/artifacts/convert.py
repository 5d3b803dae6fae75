"""Decoded artifacts of one domain (manifest v9 - v12 and v20, catalog, run results, sources) ->
`Domain`.

Which models a domain has: every enabled model node of its manifest, those of installed packages
included (they are built tables like the project's own, marked by `package_name`), except the
nodes a plugin injected without a file of their own: dbt-loom's copies of upstream domains'
models, which become `Domain.upstream_models`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, cast

from publish.artifacts.runs import (
    build_result,
    compiled_code,
    gaps,
    message,
    read_run,
    test_status,
)
from publish.artifacts.schemas import (
    CatalogColumnV1,
    CatalogTableV1,
    CatalogV1,
    ColumnV12,
    ConstraintV12,
    FreshnessThresholdV12,
    ManifestV12,
    Metadata,
    NodeV12,
    RunResultsV6,
    RunResultV6,
    SourcesV3,
    SourceV12,
)
from publish.model import (
    Access,
    Column,
    Constraint,
    Domain,
    Group,
    Model,
    Relation,
    Source,
    SourceFreshness,
    TestResult,
)
from publish.wording import some

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def to_domain(
    name: str,
    directory: Path,
    manifest: ManifestV12,
    *,
    version: str | None = None,
    catalog: CatalogV1 | None = None,
    run_results: RunResultsV6 | None = None,
    sources: SourcesV3 | None = None,
    warnings: Sequence[str] = (),
) -> Domain:
    """The domain `name` (or the manifest's project name) from its decoded artifacts."""
    nodes = manifest.nodes.values()
    project = _project_name(manifest.metadata, (n.package_name for n in nodes)) or name
    notes = list(warnings)
    groups = tuple(
        Group(
            unique_id=key,
            name=g.name,
            package_name=g.package_name,
            owner_name=g.owner.name,
            owner_email=_first(g.owner.email),
            description=(g.description or "").strip(),
        )
        for key, g in manifest.groups.items()
    )
    group_owners = {g.name: g.owner_email for g in groups}

    run_results_path = directory / "run_results.json"
    run = read_run(run_results, run_results_path) if run_results is not None else None
    if run is not None:
        notes += run.notes
    results = run.results if run is not None else {}
    invocation_id = run.invocation_id if run is not None else None

    tests = _tests(nodes, results)
    tests_by_model: dict[str, list[TestResult]] = {}
    for test in tests:
        if test.model is not None:
            tests_by_model.setdefault(test.model, []).append(test)
    models: list[Model] = []
    upstream: list[Model] = []
    not_in_catalog: list[str] = []
    catalog_nodes = catalog.nodes if catalog is not None else {}
    for node in nodes:
        if node.resource_type != "model" or node.config.enabled is False:
            continue
        if not node.path and not node.original_file_path:  # injected by dbt-loom
            upstream.append(_model(node, node.package_name, None, group_owners, (), None, None))
            continue
        table = catalog_nodes.get(node.unique_id)
        model = _model(
            node,
            project,
            table,
            group_owners,
            tests_by_model.get(node.unique_id, ()),
            results.get(node.unique_id),
            invocation_id,
        )
        models.append(model)
        if catalog is not None and table is None and model.relation is not None:
            not_in_catalog.append(model.unique_id)
    if not_in_catalog:
        notes.append(
            f"{directory / 'catalog.json'} has no table for {len(not_in_catalog)} model(s) "
            f"({some(not_in_catalog)}): not built on this target, or the docs were generated "
            "before the build; their columns come from the dbt YAML only"
        )

    if catalog is not None and catalog.errors:
        shown = [" ".join(e.split())[:200] for e in catalog.errors[:2]]
        notes.append(
            f"{directory / 'catalog.json'} records {len(catalog.errors)} error(s) of "
            f"`dbt docs generate` ({'; '.join(shown)}{' ...' if len(catalog.errors) > 2 else ''}):"
            " the tables it could not read have no columns or types from the warehouse; fix "
            "the error and run `dbt docs generate` again"
        )
    if run is not None and run_results is not None:
        gap = gaps(run_results_path, run, run_results, models)
        if gap is not None:
            notes.append(gap)
    overview = manifest.docs.get(f"doc.{project}.__overview__")
    freshness = tuple(  # Fusion writes the status capitalised ("Pass"), dbt-core in lower case
        SourceFreshness(r.unique_id, r.status.lower(), r.max_loaded_at, r.snapshotted_at)
        for r in (sources.results if sources else ())
    )
    by_source = {f.unique_id: f for f in freshness}
    return Domain(
        name=project,
        artifacts_dir=directory,
        description=_first_paragraph(overview.block_contents) if overview else "",
        owners=tuple(sorted({e for e in group_owners.values() if e})),
        models=tuple(models),
        adapter_type=manifest.metadata.adapter_type,
        dbt_version=manifest.metadata.dbt_version,
        generated_at=manifest.metadata.generated_at,
        run_command=run.command if run is not None else None,
        run_target=run.target if run is not None else None,
        sources=freshness,
        warnings=tuple(notes),
        groups=groups,
        source_tables=tuple(
            _source(s, project, by_source.get(s.unique_id))
            for s in manifest.sources.values()
            if s.config.enabled is not False
        ),
        upstream_models=tuple(upstream),
        manifest_version=version,
        tests=tuple(tests),
        run_finished_at=run.finished_at if run is not None else None,
    )


def _tests(nodes: Any, results: Mapping[str, RunResultV6]) -> list[TestResult]:
    """Every data test, with its status in the run results and the model it is attached to."""
    tests: list[TestResult] = []
    for node in nodes:
        if node.resource_type != "test":
            continue
        attached = node.attached_node or next(
            (n for n in node.depends_on.nodes if n.startswith("model.")), None
        )
        result = results.get(node.unique_id)
        status = test_status(result)
        metadata = node.test_metadata
        kind = metadata.name if metadata else None
        if node.column_name:
            columns: tuple[str, ...] = (node.column_name,)
        elif metadata and metadata.kwargs and metadata.kwargs.combination_of_columns:
            columns = metadata.kwargs.combination_of_columns
        else:
            columns = ()
        tests.append(  # positionally: a mesh has several tests per model
            TestResult(
                node.unique_id,
                kind or node.name,
                node.column_name,
                status,
                kind,
                columns,
                attached,
                node.package_name,
                node.depends_on.nodes,
                node.fqn,
                result.failures if result is not None and status != "skipped" else None,
                message(result),
            )
        )
    return tests


def _model(
    node: NodeV12,
    domain: str,
    table: CatalogTableV1 | None,
    group_owners: Mapping[str, str | None],
    tests: Sequence[TestResult],
    result: RunResultV6 | None,
    invocation_id: str | None,
) -> Model:
    config = node.config
    materialized = config.materialized or "view"
    relation = (
        None
        if materialized == "ephemeral"
        else Relation(node.database, node.schema_name, node.alias or node.name)
    )
    contract = node.contract or config.contract
    group = node.group or config.group
    build = build_result(result, invocation_id)
    source_file = node.patch_path.split("://", 1)[-1] if node.patch_path else None
    return Model(
        unique_id=node.unique_id,
        domain=domain,
        name=node.name,
        description=node.description or "",
        materialized=materialized,
        relation=relation,
        columns=_columns(node.columns, table),
        meta=_merged(node.meta, config.meta),
        access=cast(Access, node.access or config.access or "protected"),
        group=group,
        group_owner_email=group_owners.get(group) if group else None,
        contract_enforced=bool(contract and contract.enforced),
        version=_version(node.version),
        latest_version=_version(node.latest_version),
        deprecation_date=node.deprecation_date,
        depends_on=node.depends_on.nodes,
        tests=tuple(tests),
        build=build,
        source_file=source_file or node.original_file_path,
        package_name=node.package_name,
        tags=node.tags,
        constraints=_constraints(node.constraints),
        checksum=node.checksum.checksum if node.checksum else None,
        original_file_path=node.original_file_path,
        in_catalog=table is not None,
        fqn=node.fqn,
        table_type=config.table_type.lower() if config.table_type else None,
        compiled_code=node.compiled_code or compiled_code(result),
        relation_name=node.relation_name,
    )


def _columns(declared: Mapping[str, ColumnV12], table: CatalogTableV1 | None) -> tuple[Column, ...]:
    """The YAML's columns with the catalog's types and positions, then the columns only the
    catalog knows (in the relation's order).

    The hottest loop of a load (10,000 models have hundreds of thousands of columns): each Column
    is built once, positionally, in place; the usual column (no meta, no constraints, found under
    its own name) takes no function call but the Column's own.
    """
    catalog: Mapping[str, CatalogColumnV1] = table.columns if table is not None else _EMPTY
    matched: set[str] = set()
    lowered: dict[str, str] | None = None
    columns = []
    for col in declared.values():
        name = col.name
        found = catalog.get(name)
        if found is not None:
            matched.add(name)
        elif catalog:  # the warehouse may spell it in another case
            if lowered is None:
                lowered = {k.lower(): k for k in catalog}
            key = lowered.get(name.lower())
            if key is not None:
                found = catalog[key]
                matched.add(key)
        # one shared empty mapping rather than a dict per column to keep (and scan)
        meta: Mapping[str, Any] = col.meta or _EMPTY  # `null` too
        config = col.config
        if config is not None and config.meta:
            meta = _merged(meta, config.meta)
        constraints = _constraints(col.constraints) if col.constraints else ()
        if found is None:
            columns.append(
                Column(name, col.description or "", col.data_type, meta, True, constraints)
            )
        else:
            columns.append(
                Column(
                    name,
                    col.description or "",
                    found.type if col.data_type is None else col.data_type,
                    meta,
                    True,
                    constraints,
                    found.type,
                    found.index,
                )
            )
    if len(matched) < len(catalog):
        extra = sorted((c for k, c in catalog.items() if k not in matched), key=_index)
        columns += [
            Column(c.name, "", c.type, documented=False, catalog_type=c.type, position=c.index)
            for c in extra
        ]
    return tuple(columns)


def _index(column: CatalogColumnV1) -> int:
    return column.index


def _source(source: SourceV12, domain: str, result: SourceFreshness | None) -> Source:
    freshness = source.freshness
    return Source(
        unique_id=source.unique_id,
        domain=domain,
        source_name=source.source_name,
        name=source.name,
        relation=Relation(source.database, source.schema_name, source.identifier or source.name),
        description=source.description or "",
        columns=_columns(source.columns, None),
        meta=_merged(source.source_meta, _merged(source.meta, source.config.meta)),
        tags=source.tags,
        package_name=source.package_name,
        loaded_at_field=source.loaded_at_field,
        warn_after=_threshold(freshness.warn_after) if freshness else None,
        error_after=_threshold(freshness.error_after) if freshness else None,
        freshness=result,
        relation_name=source.relation_name,
    )


def _threshold(value: FreshnessThresholdV12 | None) -> str | None:
    if value is None or not value.count or not value.period:
        return None
    return f"{value.count} {value.period}"


def _constraints(found: Sequence[ConstraintV12]) -> tuple[Constraint, ...]:
    if not found:  # the usual case: one shared empty tuple
        return ()
    return tuple([Constraint(c.type, c.name, c.expression, c.columns or ()) for c in found])


def _merged(first: Mapping[str, Any] | None, second: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """`{**first, **second}`, without copying when one is empty or both are the same (the usual
    cases: dbt 1.10+ writes `meta` both at the top and in `config`)."""
    if not second:
        return first or _EMPTY
    if not first or first == second:
        return second
    return {**first, **second}


def _version(value: str | int | float | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _project_name(metadata: Metadata, packages: Iterable[str]) -> str | None:
    """The root project's name: `project_name`, or, in dbt 1.5's manifest v9, which has none, the
    package whose name's MD5 is the manifest's `project_id`."""
    if metadata.project_name or not metadata.project_id:
        return metadata.project_name
    return next((p for p in set(packages) if _md5(p) == metadata.project_id), None)


def _md5(name: str) -> str:
    return hashlib.md5(name.encode(), usedforsecurity=False).hexdigest()


def _first(email: str | Sequence[str] | None) -> str | None:
    """A group owner's email; of a list (dbt 1.10+, Fusion), the first: the catalogs keep one."""
    if email is None or isinstance(email, str):
        return email
    return email[0] if email else None


def _first_paragraph(markdown: str) -> str:
    """The first prose paragraph; a heading is used only when nothing else follows it."""
    heading = ""
    for block in markdown.strip().split("\n\n"):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        prose = [line for line in lines if not line.startswith("#")]
        if prose:
            return " ".join(prose)
        heading = heading or " ".join(line.lstrip("#").strip() for line in lines)
    return heading
