"""Start-up time of the `mesh` command against a bare `import boto3` (issue 10: within 3x).

Each command runs in a fresh process, several times; the median wall time is printed side by side
with the ratio to `python -c "import boto3"` on the same machine at the same moment.

    .venv/bin/python bench/bench_startup.py [--runs 9]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
TARGET = 3.0  # the bound: mesh --help within 3x of `import boto3`


def _commands() -> dict[str, list[str]]:
    mesh = str(BIN / "mesh") if (BIN / "mesh").exists() else None
    run_mesh = [mesh] if mesh else [sys.executable, "-c", "from mesh.cli import app; app()"]
    return {
        'python -c "import boto3"': [sys.executable, "-c", "import boto3"],
        "mesh --help": [*run_mesh, "--help"],
        "mesh publish glue --help": [*run_mesh, "publish", "glue", "--help"],
    }


def _once(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="runs per command (median taken)")
    args = parser.parse_args()
    commands = _commands()
    for argv in commands.values():  # warm the file cache: the first run reads every .pyc
        _once(argv)
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):  # interleaved, so machine load hits every command alike
        for name, argv in commands.items():
            samples[name].append(_once(argv))
    medians = {name: statistics.median(times) for name, times in samples.items()}
    base = medians['python -c "import boto3"']
    load = os.getloadavg()[0]
    cpus = os.cpu_count()
    print(f"start-up, median of {args.runs} runs (load average {load:.1f} on {cpus} CPUs)")
    for name, median in medians.items():
        ratio = median / base
        verdict = "" if name.startswith("python") else ("ok" if ratio <= TARGET else "SLOW")
        print(f"  {name:<28} {median * 1000:7.0f} ms  {ratio:4.1f}x boto3  {verdict}")


if __name__ == "__main__":
    main()
