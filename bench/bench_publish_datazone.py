"""Benchmark: `mesh publish datazone` of 1,000 synthetic public models against the emulator.

Prints the DataZone API calls (reads, writes, by operation) and the wall time of a first publish
(every asset created and listed, lineage posted) and of a no-op publish (target: 0 writes), and
sets the first publish's wall time against its bound: every operation is paced at `--rate`
requests/s, so no publish can beat the slowest single operation (its calls / its rate); the
apply engine schedules by dependency, so the whole publish should take about that long
(target: within 1.1x of the bound).

    .venv/bin/python bench/bench_publish_datazone.py [--models 1000] [--artifacts DIR] [--rate N]

The synthetic domain clones a public model of the built `sales` domain (needs its manifest.json
and catalog.json: `mesh build -s sales && mesh docs generate -s sales`, or pass --artifacts).
`--rate` is the client-side pace of every operation (default 20/s, DataZone's quota for
CreateAsset and most writes; `--rate 1000` measures the publisher and the emulator instead).
"""

from __future__ import annotations

import argparse
import copy
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from mesh_standins.demo import REGION, environment, stand_in_env, stand_ins  # noqa: E402
from publish.aws import AwsClients, AwsSettings  # noqa: E402
from publish.run import PublishOptions, publish  # noqa: E402


def synthesize(source: Path, out: Path, models: int) -> None:
    """<out>/sales/{manifest,catalog,run_results}.json with `models` clones of fct_orders."""
    manifest = json.loads((source / "manifest.json").read_text())
    catalog = json.loads((source / "catalog.json").read_text())
    run_results = json.loads((source / "run_results.json").read_text())
    template_id = "model.sales.fct_orders"
    node = manifest["nodes"][template_id]
    result = next(r for r in run_results["results"] if r["unique_id"] == template_id)
    manifest["nodes"] = {k: v for k, v in manifest["nodes"].items() if k != template_id}
    manifest["nodes"] = {
        k: v for k, v in manifest["nodes"].items() if v["resource_type"] != "model"
    }
    results = []
    for i in range(models):
        name = f"fct_synthetic_{i:04d}"
        uid = f"model.sales.{name}"
        clone = copy.deepcopy(node)
        clone.update(unique_id=uid, name=name, alias=name, fqn=["sales", "marts", name])
        clone["description"] = f"Synthetic copy {i} of fct_orders. " + node["description"]
        manifest["nodes"][uid] = clone
        catalog["nodes"][uid] = {
            **copy.deepcopy(catalog["nodes"][template_id]),
            "unique_id": uid,
        }
        results.append({**copy.deepcopy(result), "unique_id": uid})
    run_results["results"] = results
    dest = out / "sales"
    dest.mkdir(parents=True)
    (dest / "manifest.json").write_text(json.dumps(manifest))
    (dest / "catalog.json").write_text(json.dumps(catalog))
    (dest / "run_results.json").write_text(json.dumps(run_results))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--artifacts", type=Path, default=REPO / "domains" / "sales" / "target")
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-dz-"))
    try:
        synthesize(args.artifacts, work / "artifacts", args.models)
        root = work / "repo"
        shutil.copytree(REPO / "catalog", root / "catalog")
        config = yaml.safe_load((root / "catalog" / "datazone.yml").read_text())
        config["rate_limits"] = {"default": args.rate}
        (root / "catalog" / "datazone.yml").write_text(yaml.safe_dump(config))
        (root / "domains" / "sales").mkdir(parents=True)  # no data products

        with stand_ins() as urls, environment(stand_in_env(urls)):
            from mesh_standins.datazone import EmulatorAdmin

            admin = EmulatorAdmin(urls.datazone_url)
            options = PublishOptions(root=root, artifacts=work / "artifacts", bootstrap=True)
            clients = AwsClients(AwsSettings(region=REGION, concurrency=args.concurrency))
            for label in ("first publish", "no-op publish"):
                admin.reset_calls()
                start = time.perf_counter()
                report = publish("datazone", options, clients=clients)
                elapsed = time.perf_counter() - start
                result = report.results.get("datazone")
                writes, reads = admin.writes(), admin.reads()
                print(
                    f"{label}: {args.models} models, {elapsed:.2f} s wall, "
                    f"{sum(writes.values())} writes, {sum(reads.values())} reads, "
                    f"{len(result.failures) if result else 0} failures"
                )
                for op, n in sorted({**writes, **reads}.items()):
                    print(f"    {op:28s} {n:6d}  ({n / args.models:.2f} per model)")
                if label != "first publish":
                    continue
                calls = {**writes, **reads}
                slowest = max(calls, key=lambda op: calls[op])
                bound = calls[slowest] / args.rate
                print(
                    f"    bound at {args.rate:g} requests/s per operation: {bound:.2f} s "
                    f"({calls[slowest]} {slowest}); wall / bound = {elapsed / bound:.2f}x"
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
