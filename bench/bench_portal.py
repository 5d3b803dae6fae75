"""Benchmark of `mesh docs portal` on synthetic artifacts of 1,000 and 10,000 models.

Prints, per size: wall time and peak memory of the command in a fresh process (the CLI as a user
runs it), and the size of what it writes (the page, mesh.json). The artifacts are
bench_publish_glue.py's (five domains, a quarter of the models public); the repository around them
holds the mesh core, the catalog and no domain of its own, so the repository's data products do
not name models the synthetic domains lack. No target: the numbers say how the portal scales.

    .venv/bin/python bench/bench_portal.py [--sizes 1000 10000]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_publish_glue

REPO = bench_publish_glue.REPO
MESH = Path(sys.executable).parent / "mesh"


def _root(work: Path) -> Path:
    """A repository with the mesh core and the catalog, and no domain of its own."""
    root = work / "repo"
    (root / "domains").mkdir(parents=True)
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(REPO / name, root / name)
    for name in ("catalog", "macros"):
        shutil.copytree(REPO / name, root / name)
    return root


def measure(size: int) -> dict[str, float]:
    work = Path(tempfile.mkdtemp(prefix="bench_portal_"))
    try:
        artifacts = work / "artifacts"
        bench_publish_glue.write_artifacts(artifacts, size)
        root, site = _root(work), work / "site"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(
            [str(MESH), "docs", "portal", "--artifacts", str(artifacts), "--out", str(site)],
            env={**os.environ, "MESH_ROOT": str(root)},
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            sys.exit(f"mesh docs portal failed:\n{done.stdout}{done.stderr}")
        return {
            "wall_s": wall,
            "cpu_s": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
            "peak_mb": after.ru_maxrss / 1024,
            "page_mb": (site / "index.html").stat().st_size / 1e6,
            "json_mb": (site / "mesh.json").stat().st_size / 1e6,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()
    header = ("models", "wall s", "CPU s", "peak MB", "page MB", "JSON MB")
    print("  ".join(f"{h:>8}" for h in header))
    for size in args.sizes:
        m = measure(size)
        print(
            f"{size:>8}  {m['wall_s']:>8.2f}  {m['cpu_s']:>8.2f}  {m['peak_mb']:>8.0f}  "
            f"{m['page_mb']:>8.1f}  {m['json_mb']:>8.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
