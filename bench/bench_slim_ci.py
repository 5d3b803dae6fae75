"""Slim CI against the full build: nodes built and wall time for a one-model change.

Builds the mesh once (the "production" build whose artifacts become dbt's --state), then,
for every staging model in turn, changes only that file and runs the slim pull-request
build (`mesh.ci.slim`), restoring the file afterwards. Prints one row per model and
the ratio of nodes built to the full build. Target: under 20% for a staging change.
Usage: python bench/bench_slim_ci.py [--scale 1]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mesh.build import MeshInvocation, run_mesh  # noqa: E402
from mesh.ci.slim import slim_build  # noqa: E402
from mesh.rawdata import RawDataSpec  # noqa: E402
from mesh.scratch import copy_mesh  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-slim-") as tmp:
        root = copy_mesh(Path(tmp) / "mesh", RawDataSpec(scale=args.scale))
        started = time.perf_counter()
        runs = run_mesh(root, MeshInvocation(("build",), dbt_args=("--quiet",)))
        full_seconds = time.perf_counter() - started
        full_nodes = sum(sum(r.statuses.values()) for r in runs)
        state = Path(tmp) / "state"
        for run in runs:
            shutil.copytree(root / "domains" / run.domain / "target", state / run.domain)
        print(f"full build: {full_nodes} nodes in {full_seconds:.1f} s (scale {args.scale:g})")
        print(f"{'changed staging model':<42} {'nodes':>5} {'ratio':>6} {'wall s':>7}  domains")
        ratios = []
        for model in sorted(root.glob("domains/*/models/staging/*/stg_*.sql")):
            original = model.read_text(encoding="utf-8")
            model.write_text(original + "\n-- changed by bench_slim_ci\n", encoding="utf-8")
            try:
                started = time.perf_counter()
                result = slim_build(root, state, dbt_args=("--quiet",))
                seconds = time.perf_counter() - started
            finally:
                model.write_text(original, encoding="utf-8")
            ratio = result.nodes_built / full_nodes
            ratios.append(ratio)
            built_in = ",".join(run.domain for run in result.runs)
            status = "" if result.success else "  FAILED"
            print(
                f"{model.stem:<42} {result.nodes_built:>5} {ratio:>6.1%} {seconds:>7.1f}  "
                f"{built_in}{status}"
            )
        print(
            f"median ratio {statistics.median(ratios):.1%}, max {max(ratios):.1%}, "
            f"min {min(ratios):.1%} of the full build's {full_nodes} nodes"
        )


if __name__ == "__main__":
    main()
