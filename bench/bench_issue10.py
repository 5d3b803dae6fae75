"""Issue 10's three measurable targets, in one run, side by side, each with PASS or MISS.

1. start-up: `mesh --help` and `mesh publish glue --help` against `python -c "import boto3"`
   (median of fresh processes; target: within 3x), from bench_startup.py;
2. a first DataZone publish of 1,000 models at 20 requests/s per operation against the slowest
   single operation's bound (target: within 1.1x), from bench_publish_datazone.py (needs the built
   `sales` domain: `mesh build -s sales && mesh docs generate -s sales`);
3. load + plan of 10,000 models (median of fresh processes; target: under 1 s wall), from
   bench_publish_glue.py.

    .venv/bin/python bench/bench_issue10.py [--runs 9] [--models 1000] [--rate 20] [--size 10000]

The machine's load average is printed with the results: on a shared machine, wall times grow with
it (the CPU time of load + plan is printed beside its wall time for that reason).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_publish_datazone
import bench_publish_glue
import bench_startup

STARTUP_TARGET = bench_startup.TARGET  # x `import boto3`
PUBLISH_TARGET = 1.1  # x the slowest operation's bound
LOAD_PLAN_TARGET = 1.0  # seconds


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="start-up runs per command (median)")
    parser.add_argument("--models", type=int, default=1000, help="models of the DataZone publish")
    parser.add_argument("--rate", type=float, default=20.0, help="requests/s per operation")
    parser.add_argument("--size", type=int, default=10000, help="models of load + plan")
    parser.add_argument("--plan-runs", type=int, default=5, help="load + plan runs (median)")
    args = parser.parse_args()
    artifacts = bench_publish_datazone.REPO / "domains" / "sales" / "target"
    if not (artifacts / "manifest.json").exists() or not (artifacts / "catalog.json").exists():
        sys.exit(
            f"{artifacts} has no manifest.json and catalog.json: the DataZone publish clones a "
            "model of the built sales domain. Run `mesh data && mesh build -s sales && mesh docs "
            "generate -s sales` first."
        )
    loads = [os.getloadavg()[0]]

    print("measuring start-up ...", flush=True)
    startup = bench_startup.measure(args.runs)
    loads.append(os.getloadavg()[0])

    print(f"measuring a first DataZone publish of {args.models} models ...", flush=True)
    datazone = bench_publish_datazone.measure(args.models, rate=args.rate, show=False)
    loads.append(os.getloadavg()[0])

    print(f"measuring load + plan of {args.size} models ...", flush=True)
    work = Path(tempfile.mkdtemp(prefix="bench_issue10_"))
    try:
        bench_publish_glue.write_artifacts(work, args.size)
        plan = bench_publish_glue.load_plan(work, args.plan_runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    loads.append(os.getloadavg()[0])

    base = startup[bench_startup.BASE]
    rows = []
    for name, median in startup.items():
        if name == bench_startup.BASE:
            continue
        ratio = median / base
        rows.append(
            (
                f"{name} (median of {args.runs})",
                f"{median:.2f} s vs {base:.2f} s for import boto3",
                f"{ratio:.2f}x",
                f"within {STARTUP_TARGET:g}x",
                _verdict(ratio <= STARTUP_TARGET),
            )
        )
    ratio = datazone["wall_s"] / datazone["bound_s"]
    failures = datazone["failures"]
    rows.append(
        (
            f"first DataZone publish, {args.models} models at {args.rate:g}/s per operation",
            f"{datazone['wall_s']:.2f} s vs bound {datazone['bound_s']:.2f} s "
            f"({datazone['slowest_calls']} {datazone['slowest']})"
            + (f", {failures} failures" if failures else ""),
            f"{ratio:.2f}x",
            f"within {PUBLISH_TARGET:g}x",
            _verdict(ratio <= PUBLISH_TARGET and not failures),
        )
    )
    wall = plan["load_plan_s"]
    rows.append(
        (
            f"load + plan, {plan['models']:.0f} models (median of {args.plan_runs})",
            f"{wall:.2f} s wall, {plan['load_plan_cpu_s']:.2f} s CPU "
            f"(runs: {', '.join(f'{t:.2f}' for t in plan['load_plan_runs'])})",
            f"{wall / LOAD_PLAN_TARGET:.2f}x",
            f"under {LOAD_PLAN_TARGET:g} s",
            _verdict(wall < LOAD_PLAN_TARGET),
        )
    )

    print(
        f"\nissue 10 targets (load average {', '.join(f'{x:.1f}' for x in loads)} on "
        f"{os.cpu_count()} CPUs, before and after each measure)"
    )
    headers = ("measure", "measured", "ratio", "target", "")
    widths = [max(len(str(row[i])) for row in (headers, *rows)) for i in range(len(headers))]
    for row in (headers, *rows):
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
