"""Wall time and peak memory of `dbt parse` and of the full mesh build, at two scales.

Each measurement runs in a fresh Python process (dbt runs in-process through
dbtRunner, so the child's peak RSS is dbt's), on a scratch copy of the mesh with
freshly generated raw data. Usage: python bench/bench_build.py [--scales 1 10]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def child(step: str, root: str) -> None:
    """Run one step in this process and print its wall time and peak RSS as JSON."""
    from mesh.build import MeshInvocation, run_mesh

    started = time.perf_counter()
    command = ("parse",) if step == "parse" else ("build",)
    args = ("--quiet", "--no-partial-parse") if step == "parse" else ("--quiet",)
    runs = run_mesh(Path(root), MeshInvocation(command, dbt_args=args))
    seconds = time.perf_counter() - started
    nodes = sum(sum(r.statuses.values()) for r in runs)
    ok = all(r.success for r in runs)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mib": peak_mib, "nodes": nodes, "ok": ok}))


def measure(step: str, root: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", step, str(root)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 10.0])
    parser.add_argument("--child", nargs=2, metavar=("STEP", "ROOT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return

    from mesh.rawdata import RawDataSpec
    from mesh.scratch import copy_mesh

    print(f"{'scale':>6} {'step':<12} {'wall s':>8} {'peak MiB':>9} {'nodes':>6}")
    for scale in args.scales:
        with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
            started = time.perf_counter()
            root = copy_mesh(Path(tmp) / "mesh", RawDataSpec(scale=scale))
            data_s = time.perf_counter() - started
            print(f"{scale:>6g} {'raw data':<12} {data_s:>8.2f} {'-':>9} {'-':>6}")
            # The first parse also installs the mesh_core package (dbt deps).
            labels = ["parse+deps", "parse", "build", "rebuild"]
            for step, label in zip(("parse", "parse", "build", "build"), labels, strict=True):
                result = measure(step, root)
                print(
                    f"{scale:>6g} {label:<12} {result['seconds']:>8.2f} "
                    f"{result['peak_mib']:>9.0f} {result['nodes']:>6}"
                    + ("" if result["ok"] else "  FAILED")
                )


if __name__ == "__main__":
    main()
