"""Slim CI against the downstream closure of a change: for every model, nodes built vs needed.

Builds the mesh once in one checkout folder (production: its artifacts become dbt's --state and
its DuckDB file the production warehouse), then, in a second checkout folder, changes one model
file at a time (a trailing comment line) and runs the slim pull-request build (`mesh.ci.slim`)
against that state, restoring the file afterwards. The closure of each change is computed here,
independently of dbt's selection, from the production manifests: the changed model, every model
downstream of it across domains, and the data tests and unit tests attached to any of them
(`tests/ci/closure.py`, the oracle the CI tests use too).
Prints one row per model (closure, built, overbuilt, underbuilt, wall time) and the totals; exits
1 when any change built other than its closure or failed.
Usage: python bench/bench_slim_ci.py [--scale 1] [--only SUBSTRING]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mesh.build import MeshInvocation, run_mesh  # noqa: E402
from mesh.ci.slim import slim_build  # noqa: E402
from mesh.rawdata import RawDataSpec  # noqa: E402
from mesh.scratch import copy_mesh  # noqa: E402
from tests.ci.closure import closure, dependency_graph  # noqa: E402


def model_files(manifests: dict[str, dict[str, Any]]) -> list[tuple[str, str]]:
    """(path relative to the mesh root, unique id) of every model, in domain order."""
    return sorted(
        (f"domains/{domain}/{node['original_file_path']}", uid)
        for domain, manifest in manifests.items()
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["package_name"] == domain
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--only", default="", help="only models whose path contains this")
    args = parser.parse_args()
    spec = RawDataSpec(scale=args.scale)
    with tempfile.TemporaryDirectory(prefix="bench-slim-") as tmp:
        prod = copy_mesh(Path(tmp) / "prod-checkout", spec)
        started = time.perf_counter()
        runs = run_mesh(prod, MeshInvocation(("build",), dbt_args=("--quiet",)))
        full_seconds = time.perf_counter() - started
        full_nodes = sum(len(r.nodes) for r in runs)
        state = Path(tmp) / "state"
        for run in runs:
            shutil.copytree(prod / "domains" / run.domain / "target", state / run.domain)
        manifests = {
            run.domain: json.loads((state / run.domain / "manifest.json").read_text())
            for run in runs
        }
        mentions = sum(
            (state / d / "manifest.json").read_text().count(str(prod)) for d in manifests
        )
        print(
            f"production build: {full_nodes} nodes in {full_seconds:.1f} s (scale {args.scale:g}); "
            f"its manifests name its checkout folder {mentions} time(s)"
        )
        # The pull request's checkout: another folder, sharing only the production warehouse.
        checkout = copy_mesh(Path(tmp) / "pr-checkout", spec)
        os.environ["MESH_DUCKDB_PATH"] = str(prod / "warehouse" / "mesh.duckdb")
        graph = dependency_graph(manifests)
        header = f"{'changed model':<40} {'closure':>7} {'built':>5} {'over':>4} {'under':>5}"
        print(f"{header} {'wall s':>6}  built in")
        totals = {"closure": 0, "built": 0, "over": 0, "under": 0, "failed": 0}
        for path, uid in model_files(manifests):
            if args.only not in path:
                continue
            model = checkout / path
            original = model.read_text(encoding="utf-8")
            model.write_text(original + "\n-- changed by bench_slim_ci\n", encoding="utf-8")
            try:
                started = time.perf_counter()
                result = slim_build(checkout, state, dbt_args=("--quiet",))
                seconds = time.perf_counter() - started
            finally:
                model.write_text(original, encoding="utf-8")
            built = {node for run in result.runs for node in run.nodes}
            need = closure(graph, uid)
            over, under = built - need, need - built
            totals["closure"] += len(need)
            totals["built"] += len(built)
            totals["over"] += len(over)
            totals["under"] += len(under)
            totals["failed"] += not result.success
            domains = ",".join(run.domain for run in result.runs)
            status = "" if result.success else "  FAILED"
            print(
                f"{uid.removeprefix('model.'):<40} {len(need):>7} {len(built):>5} "
                f"{len(over):>4} {len(under):>5} {seconds:>6.1f}  {domains}{status}"
            )
            for node in sorted(over):
                print(f"    overbuilt  {node}")
            for node in sorted(under):
                print(f"    underbuilt {node}")
        print(
            f"total: closure {totals['closure']}, built {totals['built']}, "
            f"overbuilt {totals['over']}, underbuilt {totals['under']}, "
            f"failed {totals['failed']} (full build: {full_nodes} nodes)"
        )
    if totals["over"] or totals["under"] or totals["failed"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
