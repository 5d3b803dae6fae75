"""Load the dbt artifacts of each domain into the publisher's typed model (`publish.model`).

Each domain's artifacts are `manifest.json` and `catalog.json` (required), `run_results.json` and
`sources.json` (optional), either in `domains/<domain>/target/` or in a directory of downloaded
artifacts laid out as `<dir>/<domain>/manifest.json`. Every file's `metadata.dbt_schema_version` is
read first and dispatched to the parser for that version; any other version is refused with a clear
error, as is a file that is not valid JSON.
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NoReturn, cast

import msgspec

from publish.artifacts.schemas import (
    CatalogV1,
    ManifestV12,
    NodeV12,
    RunResultsV6,
    SourcesV3,
)
from publish.errors import BadInputError
from publish.model import (
    Access,
    BuildResult,
    Column,
    Domain,
    Model,
    Relation,
    SourceFreshness,
    TestResult,
    TestStatus,
)

ArtifactKind = Literal["manifest", "catalog", "run-results", "sources"]

FILE_NAMES: dict[ArtifactKind, str] = {
    "manifest": "manifest.json",
    "catalog": "catalog.json",
    "run-results": "run_results.json",
    "sources": "sources.json",
}

#: (kind, schema version) -> parser. dbt 1.11 writes manifest v12, catalog v1, run-results v6 and
#: sources v3 (checked on files written by dbt-core 1.11.16).
PARSERS: dict[tuple[ArtifactKind, str], type[msgspec.Struct]] = {
    ("manifest", "v12"): ManifestV12,
    ("catalog", "v1"): CatalogV1,
    ("run-results", "v6"): RunResultsV6,
    ("sources", "v3"): SourcesV3,
}

#: dbt commands whose run_results.json describe a build of the models
BUILD_COMMANDS = frozenset({"build", "run", "seed", "snapshot", "test", "retry"})

_VERSION_RE = re.compile(
    rb'"dbt_schema_version"\s*:\s*"https?://schemas\.getdbt\.com/dbt/([a-z-]+)/(v\d+)\.json"'
)
_HEAD = 1 << 16  # dbt writes `metadata` first: the version is near the start of the file

_FIXES: dict[ArtifactKind, str] = {
    "manifest": "re-run `dbt build` and `dbt docs generate` in the domain (or download its "
    "artifacts again) with dbt-core 1.11, the version pinned in pyproject.toml",
    "catalog": "run `dbt docs generate` in the domain after its build (or download its "
    "catalog.json again) with dbt-core 1.11",
    "run-results": "re-run `dbt build` in the domain (or download its run_results.json again) with "
    "dbt-core 1.11, or delete the file to publish without build and test status",
    "sources": "re-run `dbt source freshness` in the domain with dbt-core 1.11, or delete the file "
    "to publish without source freshness",
}

_DECODERS: dict[type[msgspec.Struct], msgspec.json.Decoder[Any]] = {}


def supported_versions(kind: ArtifactKind) -> list[str]:
    return [version for (k, version) in PARSERS if k == kind]


def read_artifact(path: Path, kind: ArtifactKind) -> msgspec.Struct:
    """Parse one artifact file with the parser of its schema version."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise BadInputError(
            f"the dbt {kind} file does not exist", file=path, fix=_FIXES[kind]
        ) from None
    except OSError as exc:
        raise BadInputError(
            f"cannot read the file ({exc.strerror})", file=path, fix=_FIXES[kind]
        ) from exc

    match = _VERSION_RE.search(data, 0, _HEAD) or _VERSION_RE.search(data)
    if match is None:
        _raise_without_version(path, kind, data)
    found_kind, version = match.group(1).decode(), match.group(2).decode()
    if found_kind != kind:
        raise BadInputError(
            f"this is a dbt {found_kind} artifact ({version}), but a {kind} was expected here",
            file=path,
            fix=f"put the {kind} in {FILE_NAMES[kind]} ({_FIXES[kind]})",
        )
    parser = PARSERS.get((kind, version))
    if parser is None:
        readable = ", ".join(supported_versions(kind))
        raise BadInputError(
            f"the {kind} has dbt schema version {version} (metadata.dbt_schema_version), which "
            f"this publisher does not read; it reads {kind} {readable}, as written by dbt-core "
            "1.11",
            file=path,
            fix=_FIXES[kind],
        )
    decoder = _DECODERS.get(parser)
    if decoder is None:
        decoder = _DECODERS[parser] = msgspec.json.Decoder(parser)
    try:
        return decoder.decode(data)
    except msgspec.ValidationError as exc:
        problem = f"the {kind} does not match dbt's {kind} {version} schema: {exc}"
    except msgspec.DecodeError as exc:
        problem = (
            f"the {kind} is not valid JSON ({exc}); the file is probably truncated (an "
            "interrupted run or download)"
        )
    raise BadInputError(problem, file=path, fix=_FIXES[kind])


def _raise_without_version(path: Path, kind: ArtifactKind, data: bytes) -> NoReturn:
    try:
        document = json.loads(data)
    except json.JSONDecodeError as exc:
        raise BadInputError(
            f"the {kind} is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno}); "
            "the file is probably truncated (an interrupted run or download)",
            file=path,
            fix=_FIXES[kind],
        ) from None
    found = None
    if isinstance(document, dict) and isinstance(document.get("metadata"), dict):
        found = document["metadata"].get("dbt_schema_version")
    problem = (
        f"the {kind} has an unrecognised dbt schema version {found!r}"
        if found
        else f"this is not a dbt {kind}: it has no metadata.dbt_schema_version"
    )
    raise BadInputError(problem, file=path, fix=_FIXES[kind])


# --- discovery --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DomainArtifacts:
    """Where one domain's artifacts are."""

    name: str
    directory: Path


def discover(
    root: Path, artifacts: Path | None = None, domains: Sequence[str] = ()
) -> list[DomainArtifacts]:
    """Find artifact directories: `<artifacts>/<domain>/` or `<root>/domains/<domain>/target/`."""
    if artifacts is not None:
        if not artifacts.is_dir():
            raise BadInputError(
                "the artifacts directory does not exist",
                file=artifacts,
                fix="pass --artifacts a directory laid out as <dir>/<domain>/manifest.json",
            )
        found = {p.parent.name: p.parent for p in sorted(artifacts.glob("*/manifest.json"))}
        layout = f"{artifacts}/<domain>/manifest.json"
    else:
        base = root / "domains"
        found = {p.parent.name: p.parent / "target" for p in sorted(base.glob("*/dbt_project.yml"))}
        layout = f"{base}/<domain>/target/manifest.json"
    if domains:
        missing = [d for d in domains if d not in found]
        if missing:
            raise BadInputError(
                f"no artifacts for domain(s) {', '.join(missing)} (expected {layout}); "
                f"found: {', '.join(found) or 'none'}",
                file=artifacts or root / "domains",
                fix="build the domain (`dbt build` and `dbt docs generate` in domains/<domain>), "
                "download its artifacts, or correct --domain",
            )
        found = {d: found[d] for d in domains}
    if not found:
        raise BadInputError(
            f"no domain artifacts found (expected {layout})",
            file=artifacts or root / "domains",
            fix="run `dbt build` and `dbt docs generate` in each domain, or pass --artifacts",
        )
    return [DomainArtifacts(name, directory) for name, directory in found.items()]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small acyclic objects.

    Loading 10,000 models creates millions of objects; the collector's repeated scans of them
    cost more than the loading itself (2.6x, measured). Nothing built here has reference cycles,
    so reference counting frees it all the same.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_domains(
    root: Path, artifacts: Path | None = None, domains: Sequence[str] = ()
) -> list[Domain]:
    with paused_gc():
        return [load_domain(found) for found in discover(root, artifacts, domains)]


def load_domain(found: DomainArtifacts) -> Domain:
    """Load, validate and convert one domain's artifacts."""
    directory = found.directory
    manifest = read_artifact(directory / FILE_NAMES["manifest"], "manifest")
    catalog_path = directory / FILE_NAMES["catalog"]
    if not catalog_path.exists():
        raise BadInputError(
            "catalog.json is missing; the publisher needs it for the columns and types each "
            "table really has",
            file=catalog_path,
            fix=_FIXES["catalog"],
        )
    catalog = read_artifact(catalog_path, "catalog")
    run_results_path = directory / FILE_NAMES["run-results"]
    run_results = (
        read_artifact(run_results_path, "run-results") if run_results_path.exists() else None
    )
    sources_path = directory / FILE_NAMES["sources"]
    sources = read_artifact(sources_path, "sources") if sources_path.exists() else None
    # One manifest version exists today; a new one gets its own converter next to this one.
    assert isinstance(manifest, ManifestV12) and isinstance(catalog, CatalogV1)
    assert run_results is None or isinstance(run_results, RunResultsV6)
    assert sources is None or isinstance(sources, SourcesV3)
    return _domain_from_v12(found, manifest, catalog, run_results, sources)


# --- conversion (manifest v12) ----------------------------------------------------------------

_TEST_STATUSES: frozenset[str] = frozenset({"pass", "warn", "fail", "error", "skipped"})


def _domain_from_v12(
    found: DomainArtifacts,
    manifest: ManifestV12,
    catalog: CatalogV1,
    run_results: RunResultsV6 | None,
    sources: SourcesV3 | None,
) -> Domain:
    project = manifest.metadata.project_name or found.name
    warnings: list[str] = []
    group_owners = {g.name: g.owner.email for g in manifest.groups.values()}

    results: dict[str, Any] = {}
    run_command = run_target = invocation_id = finished_at = None
    if run_results is not None:
        run_command = run_results.args.get("which")
        target = run_results.args.get("target")
        run_target = str(target) if target else None
        invocation_id = run_results.metadata.invocation_id
        if run_command in BUILD_COMMANDS:
            results = {r.unique_id: r for r in run_results.results}
            finished_at = run_results.metadata.generated_at
        else:
            warnings.append(
                f"{found.directory / 'run_results.json'} was written by `dbt {run_command}`, not "
                "by a build: build time and test status are not published (keep the build's "
                "run_results.json, e.g. run `dbt docs generate` before `dbt build`)"
            )

    tests_by_model: dict[str, list[TestResult]] = {}
    for node in manifest.nodes.values():
        if node.resource_type != "test":
            continue
        attached = node.attached_node or next(
            (n for n in node.depends_on.nodes if n.startswith("model.")), None
        )
        if attached is None:
            continue
        result = results.get(node.unique_id)
        status = result.status if result is not None else "not_run"
        tests_by_model.setdefault(attached, []).append(
            TestResult(
                unique_id=node.unique_id,
                name=(node.test_metadata.name if node.test_metadata else None) or node.name,
                column_name=node.column_name,
                status=cast(TestStatus, status if status in _TEST_STATUSES else "error"),
                columns=_test_columns(node),
                failures=result.failures if result is not None else None,
                message=result.message if result is not None else None,
            )
        )

    models = []
    for node in manifest.nodes.values():
        if (
            node.resource_type != "model"
            or node.package_name != project  # mesh_core and other packages: not ours
            or not node.config.enabled
        ):
            continue
        models.append(
            _model_from_v12(
                node,
                project,
                catalog,
                group_owners,
                tests_by_model.get(node.unique_id, ()),
                results.get(node.unique_id),
                invocation_id,
            )
        )

    overview = manifest.docs.get(f"doc.{project}.__overview__")
    description = _first_paragraph(overview.block_contents) if overview else ""
    freshness = tuple(
        SourceFreshness(r.unique_id, r.status, r.max_loaded_at, r.snapshotted_at)
        for r in (sources.results if sources else ())
    )
    return Domain(
        name=project,
        artifacts_dir=found.directory,
        description=description,
        owners=tuple(sorted({e for e in group_owners.values() if e})),
        models=tuple(models),
        adapter_type=manifest.metadata.adapter_type,
        dbt_version=manifest.metadata.dbt_version,
        generated_at=manifest.metadata.generated_at,
        run_command=run_command,
        run_target=run_target,
        sources=freshness,
        warnings=tuple(warnings),
        run_finished_at=finished_at,
    )


def _model_from_v12(
    node: NodeV12,
    project: str,
    catalog: CatalogV1,
    group_owners: dict[str, str | None],
    tests: Iterable[TestResult],
    result: Any,
    invocation_id: str | None,
) -> Model:
    config = node.config
    materialized = config.materialized or "view"
    relation = (
        None
        if materialized == "ephemeral"
        else Relation(node.database, node.schema_name, node.alias or node.name)
    )
    columns = [
        Column(
            name=col.name,
            description=col.description or "",
            data_type=col.data_type,
            meta={**col.meta, **(col.config.meta if col.config else {})},
        )
        for col in node.columns.values()
    ]
    table = catalog.nodes.get(node.unique_id)
    if table is not None:
        documented = {c.name.lower(): i for i, c in enumerate(columns)}
        for cat_col in sorted(table.columns.values(), key=lambda c: c.index):
            i = documented.get(cat_col.name.lower())
            if i is None:
                columns.append(Column(cat_col.name, data_type=cat_col.type, documented=False))
            elif columns[i].data_type is None:
                col = columns[i]
                columns[i] = Column(col.name, col.description, cat_col.type, col.meta)
    contract = node.contract or config.contract
    group = node.group or config.group
    build = None
    if result is not None:
        completed = next((t.completed_at for t in result.timing if t.name == "execute"), None)
        build = BuildResult(result.status, completed, invocation_id)
    source_file = node.patch_path.split("://", 1)[-1] if node.patch_path else None
    return Model(
        unique_id=node.unique_id,
        domain=project,
        name=node.name,
        description=node.description or "",
        materialized=materialized,
        relation=relation,
        columns=tuple(columns),
        meta={**node.meta, **config.meta},
        access=cast(Access, node.access or config.access or "protected"),
        group=group,
        group_owner_email=group_owners.get(group) if group else None,
        contract_enforced=bool(contract and contract.enforced),
        version=_version(node.version),
        latest_version=_version(node.latest_version),
        deprecation_date=node.deprecation_date,
        depends_on=tuple(node.depends_on.nodes),
        tests=tuple(tests),
        build=build,
        source_file=source_file or node.original_file_path,
    )


def _test_columns(node: NodeV12) -> tuple[str, ...]:
    """The columns a data test reads: its `column_name`, or a combination's columns."""
    kwargs = node.test_metadata.kwargs if node.test_metadata else {}
    combination = kwargs.get("combination_of_columns")
    if isinstance(combination, list):
        return tuple(str(c) for c in combination)
    return (node.column_name,) if node.column_name else ()


def _version(value: str | int | float | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


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
