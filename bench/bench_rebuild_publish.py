"""Benchmark: the writes of "publish, rebuild without change, publish".

On a scratch copy of the mesh: build every domain and generate the docs, start moto and the
DataZone emulator, mirror the built tables into Glue, import the marts with Glue data source runs
and `mesh publish all`; then rebuild (`mesh build`, no model changed), generate the docs again and
publish again. Prints the write calls of each publish by service and operation. The target for the
second publish: 0 `CreateAssetRevision`, 0 `CreateListingChangeSet`, 0 Glue `UpdateTable`; only
the new build's data-quality points (`PostTimeSeriesDataPoints`) and lineage runs
(`PostLineageEvent`) are written.

    .venv/bin/python bench/bench_rebuild_publish.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from mesh.build import MeshInvocation, run_mesh  # noqa: E402
from mesh.rawdata import RawDataSpec  # noqa: E402
from mesh.scratch import copy_mesh  # noqa: E402
from mesh_standins.demo import (  # noqa: E402
    REGION,
    environment,
    run_glue_data_sources,
    stand_in_env,
    stand_ins,
)
from mesh_standins.iam import record_aws_calls  # noqa: E402
from mesh_standins.prodmirror import seed_glue  # noqa: E402
from publish.aws import AwsClients, AwsSettings  # noqa: E402
from publish.datazone.api import DataZoneApi  # noqa: E402
from publish.datazone.config import load_config  # noqa: E402
from publish.run import PublishOptions, publish  # noqa: E402

READS = ("Get", "List", "Search", "Describe", "BatchGet")
#: the writes the target says must be zero in the second publish
MUST_BE_ZERO = (
    ("glue", "UpdateTable"),
    ("datazone", "CreateAssetRevision"),
    ("datazone", "CreateListingChangeSet"),
)


def build(root: Path, out: Path) -> None:
    """`mesh build` + `mesh docs generate` (keeping the build's run results); artifacts to out."""
    for command, args in ((("build",), ("--quiet",)), (("docs", "generate"), ("--quiet",))):
        args = (*args, "--no-write-json") if command[0] == "docs" else args
        runs = run_mesh(root, MeshInvocation(command, dbt_args=args))
        failed = [r.domain for r in runs if not r.success]
        if failed:
            raise SystemExit(f"`mesh {' '.join(command)}` failed in {failed}")
    for target in sorted((root / "domains").glob("*/target")):
        dest = out / target.parent.name
        dest.mkdir(parents=True)
        for name in ("manifest.json", "catalog.json", "run_results.json", "sources.json"):
            if (target / name).exists():
                shutil.copy(target / name, dest / name)


def writes(aws: AwsClients, artifacts: Path) -> Counter[tuple[str, str]]:
    with record_aws_calls() as log:
        report = publish("all", PublishOptions(root=REPO, artifacts=artifacts), clients=aws)
    failed = [r for r in report.results.values() if not r.ok]
    if failed:
        raise SystemExit(f"the publish failed: {[r.to_dict() for r in failed]}")
    return Counter((c.service, c.operation) for c in log.calls if not c.operation.startswith(READS))


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        root = copy_mesh(Path(scratch) / "mesh", RawDataSpec())
        started = time.perf_counter()
        build(root, Path(scratch) / "first")
        print(f"build + docs: {time.perf_counter() - started:.1f} s")
        with stand_ins() as urls, environment(stand_in_env(urls)):
            aws = AwsClients(AwsSettings(region=REGION))
            mirror = seed_glue(aws.glue, REPO, Path(scratch) / "first")
            config = load_config(REPO / "catalog" / "datazone.yml")
            api = DataZoneApi.connect(aws, config)
            projects = {config.governance_project, *config.projects.values()}
            api.bootstrap(projects)
            api.resolve_projects(projects)
            run_glue_data_sources(
                api.client,
                api.domain_id,
                {d: api.projects[p] for d, p in config.projects.items()},
                {d: [db for db in mirror.databases if db == f"{d}_marts"] for d in config.projects},
            )
            first = writes(aws, Path(scratch) / "first")
            started = time.perf_counter()
            build(root, Path(scratch) / "second")  # nothing changed: same models, new run
            print(f"rebuild + docs: {time.perf_counter() - started:.1f} s")
            second = writes(aws, Path(scratch) / "second")
    print(f"\n{'service':<14} {'operation':<28} {'publish':>8} {'rebuild+publish':>16}")
    for key in sorted(set(first) | set(second)):
        print(f"{key[0]:<14} {key[1]:<28} {first[key]:>8} {second[key]:>16}")
    print(f"{'':<14} {'total':<28} {sum(first.values()):>8} {sum(second.values()):>16}")
    missed = {f"{s}:{o}": second[(s, o)] for s, o in MUST_BE_ZERO if second[(s, o)]}
    print("target (0 revisions, 0 listing change sets, 0 Glue writes):", missed or "met")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
