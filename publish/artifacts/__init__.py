"""Load the dbt artifacts of each domain into the mesh's typed model (`publish.model`).

The one place that parses dbt artifacts: the publisher, the portal, governance, the CI steps and
the stand-ins all call these functions, once per command, and read the model they return.

Each domain's artifacts are `manifest.json` and `catalog.json` (required for publishing),
`run_results.json` and `sources.json` (optional), either in `domains/<domain>/target/` or in a
directory of downloaded artifacts laid out as `<dir>/<domain>/manifest.json`. Governance and CI
read parsed projects: `load_manifest` needs the manifest only.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from publish.artifacts.convert import to_domain
from publish.artifacts.discover import DomainArtifacts, discover
from publish.artifacts.files import (
    FILE_NAMES,
    FIXES,
    PARSERS,
    ArtifactKind,
    manifest_without,
    read_artifact,
    supported_versions,
)
from publish.artifacts.parallel import load_all
from publish.artifacts.runs import BUILD_COMMANDS
from publish.artifacts.schemas import CatalogV1, ManifestV12, RunResultsV6, SourcesV3
from publish.errors import BadInputError
from publish.model import Domain

__all__ = [
    "BUILD_COMMANDS",
    "FILE_NAMES",
    "PARSERS",
    "ArtifactKind",
    "DomainArtifacts",
    "discover",
    "load_domain",
    "load_domains",
    "load_manifest",
    "manifest_without",
    "paused_gc",
    "read_artifact",
    "supported_versions",
]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small acyclic objects.

    Loading 10,000 models creates millions of objects; the collector's repeated scans of them
    cost more than the loading itself (2.6x, measured). Nothing built here has reference cycles,
    so reference counting frees it all the same. When many tracked objects were built, they are
    also frozen (`gc.freeze`): the collection that would otherwise follow at once scans them
    all for cycles they cannot have (0.08 s of a 10,000-model load + plan, measured); frozen
    objects are still freed when their last reference goes.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if gc.get_count()[0] > _FREEZE_AFTER:
                gc.freeze()
            gc.enable()


#: tracked objects built under `paused_gc` above which they are frozen (a mesh of about 4,000
#: models). A freeze takes every older object out of the collector's reach too, so a reference
#: cycle among them that dies later is never reclaimed: a command's life can afford that for a
#: large mesh; small ones (and the test suite's many loads) are left to the collector
_FREEZE_AFTER = 50_000


def load_domains(
    root: Path,
    artifacts: Path | None = None,
    domains: Sequence[str] = (),
    *,
    require_catalog: bool = True,
) -> list[Domain]:
    """Every domain's artifacts (or those of `domains`), from `artifacts` or `root/domains`."""
    found = discover(root, artifacts, domains)
    with paused_gc():
        return load_all(found, partial(load_domain, require_catalog=require_catalog))


def load_domain(found: DomainArtifacts, *, require_catalog: bool = True) -> Domain:
    """Load, validate and convert one domain's artifacts."""
    directory = found.directory
    warnings: list[str] = []
    manifest_path = directory / FILE_NAMES["manifest"]
    manifest = read_artifact(manifest_path, "manifest", warnings)
    catalog_path = directory / FILE_NAMES["catalog"]
    if require_catalog and not catalog_path.exists():
        raise BadInputError(
            "catalog.json is missing; the publisher needs it for the columns and types each "
            "table really has",
            file=catalog_path,
            fix=FIXES["catalog"],
        )
    catalog = read_artifact(catalog_path, "catalog", warnings) if catalog_path.exists() else None
    run_results_path = directory / FILE_NAMES["run-results"]
    run_results = (
        read_artifact(run_results_path, "run-results", warnings)
        if run_results_path.exists()
        else None
    )
    sources_path = directory / FILE_NAMES["sources"]
    sources = read_artifact(sources_path, "sources", warnings) if sources_path.exists() else None
    assert isinstance(manifest, ManifestV12)
    assert catalog is None or isinstance(catalog, CatalogV1)
    assert run_results is None or isinstance(run_results, RunResultsV6)
    assert sources is None or isinstance(sources, SourcesV3)
    return to_domain(
        found.name,
        directory,
        manifest,
        version=_version_of(manifest),
        catalog=catalog,
        run_results=run_results,
        sources=sources,
        warnings=warnings,
    )


def load_manifest(directory: Path, name: str | None = None) -> Domain:
    """A domain from its `manifest.json` alone (after `dbt parse`: governance, CI)."""
    warnings: list[str] = []
    manifest = read_artifact(directory / FILE_NAMES["manifest"], "manifest", warnings)
    assert isinstance(manifest, ManifestV12)
    return to_domain(
        name or directory.name,
        directory,
        manifest,
        version=_version_of(manifest),
        warnings=warnings,
    )


def _version_of(manifest: ManifestV12) -> str:
    return manifest.metadata.dbt_schema_version.rsplit("/", 1)[-1].removesuffix(".json")
