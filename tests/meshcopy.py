"""The scratch copy of the mesh that tests build, with raw data pinned for expectations."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from mesh import scratch
from mesh.order import select_domains
from mesh.project import discover_domains
from mesh.rawdata import RawDataSpec

REPO = Path(__file__).resolve().parents[1]
# Fixed so that expectations computed from the raw files never depend on the day.
TEST_SPEC = RawDataSpec(seed=7, scale=0.5, as_of=date(2026, 11, 1))


def copy_mesh(dest: Path, spec: RawDataSpec = TEST_SPEC) -> Path:
    """A runnable copy of the repository's mesh at `dest`, raw data written by `spec`."""
    return scratch.copy_mesh(dest, spec, source=REPO)


def domain_names(root: Path = REPO) -> list[str]:
    """The domains under `root`/domains, upstream first: tests never hard-code the list."""
    return [d.name for d in select_domains(discover_domains(root))]


def assert_upstream_first(order: list[str], root: Path = REPO) -> None:
    """`order` holds every domain once, each after the domains it reads."""
    domains = discover_domains(root)
    assert sorted(order) == sorted(domains), order
    for position, name in enumerate(order):
        assert set(domains[name].upstream_names) <= set(order[:position]), (name, order)
