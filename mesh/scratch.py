"""A runnable copy of the mesh's dbt parts in a scratch folder, with fresh raw data.

Tests and benchmarks build the real domains from scratch there, never touching the
working tree's targets, warehouse or raw data.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from mesh.project import find_root
from mesh.rawdata import RawDataSpec, write_raw_data

_IGNORE = shutil.ignore_patterns("target", "dbt_packages", "logs", "*.duckdb*", "__pycache__")


def copy_mesh(dest: Path, spec: RawDataSpec, source: Path | None = None) -> Path:
    """Copy dbt_project.yml, profiles.yml, macros/, domains/ and catalog/ to `dest`."""
    source = source or find_root(Path(__file__).parent)
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("dbt_project.yml", "profiles.yml", ".sqlfluff"):
        shutil.copy2(source / name, dest / name)
    for folder in ("macros", "domains", "catalog"):
        if (source / folder).is_dir():
            shutil.copytree(source / folder, dest / folder, ignore=_IGNORE, symlinks=True)
    (dest / "warehouse").mkdir(exist_ok=True)
    write_raw_data(spec, dest / "data" / "raw")
    return dest
