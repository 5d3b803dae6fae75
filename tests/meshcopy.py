"""Copy the repository's dbt parts into a scratch folder, so tests build the real
domains from scratch without touching the working tree's targets or warehouse."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from publish.mesh.rawdata import RawDataSpec, write_raw_data

REPO = Path(__file__).resolve().parents[1]
# Fixed so that expectations computed from the raw files never depend on the day.
TEST_SPEC = RawDataSpec(seed=7, scale=0.5, as_of=date(2026, 11, 1))
_IGNORE = shutil.ignore_patterns("target", "dbt_packages", "logs", "*.duckdb*", "__pycache__")


def copy_mesh(dest: Path, spec: RawDataSpec = TEST_SPEC) -> Path:
    """A runnable copy of the mesh at `dest`, with raw data written by `spec`."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy2(REPO / name, dest / name)
    for folder in ("macros", "domains", "catalog"):
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, dest / folder, ignore=_IGNORE, symlinks=True)
    (dest / "warehouse").mkdir(exist_ok=True)
    write_raw_data(spec, dest / "data" / "raw")
    return dest
