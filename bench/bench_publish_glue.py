"""Benchmark of `mesh publish glue` on synthetic artifacts of 1,000 and 10,000 models.

Prints, per size: the artifacts' size; load + desired state + plan time and peak memory (each in a
fresh subprocess, so the peak RSS is the publisher's alone); and the API calls of a first publish
and of a no-op publish against moto on loopback (over HTTP, counted with botocore event hooks).

    .venv/bin/python bench/bench_publish_glue.py [--sizes 1000 10000] [--no-publish] [--runs 5]

Targets: load+plan of 10,000 models under 1 s (issue 10; issue 4 asked for 5 s); a no-op publish
makes 0 writes and no more reads than Glue databases x result pages (+1 GetDatabases, +1
ListLFTags). Load + plan is what a dry run computes before printing: the plan's field-by-field
changes are listed when printed, and the JSON of all of them is timed apart.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DOMAINS = ("orders", "billing", "crm", "logistics", "marketing")
LAYERS = ("staging", "intermediate", "marts", "reporting")
COLUMNS = 12
LF_TAGS = REPO / "catalog" / "lf_tags.yml"
SENSITIVITY = ("public", "internal", "confidential", "pii")
TIERS = ("gold", "silver", "bronze")
ACCOUNT, REGION = "123456789012", "eu-west-1"


# --- synthetic artifacts (shaped like dbt 1.11's, incl. the fields the publisher skips) --------


def _column(name: str, i: int, rng: random.Random) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    if i % 5 == 1:
        meta["sensitivity"] = rng.choice(SENSITIVITY)
    return {
        "name": name,
        "description": f"Column {name}: " + "lorem ipsum dolor sit amet " * rng.randint(1, 6),
        "meta": meta,
        "data_type": "varchar" if i % 3 else "integer",
        "constraints": [],
        "quote": None,
        "config": {"meta": dict(meta), "tags": []},
        "tags": [],
        "granularity": None,
        "doc_blocks": [],
    }


def write_artifacts(out: Path, n_models: int, seed: int = 4) -> dict[str, int]:
    rng = random.Random(seed)
    per_domain = n_models // len(DOMAINS)
    sizes = {}
    for domain in DOMAINS:
        nodes: dict[str, Any] = {}
        catalog: dict[str, Any] = {}
        results = []
        for m in range(per_domain):
            layer = LAYERS[m % len(LAYERS)]
            name = f"{layer[:3]}_{domain}_{m:05d}"
            uid = f"model.{domain}.{name}"
            cols = {f"col_{c:02d}": _column(f"col_{c:02d}", c, rng) for c in range(COLUMNS)}
            meta = {"owner": f"{domain}@example.com", "tier": rng.choice(TIERS)}
            code = f"select * from {{{{ ref('x') }}}} -- {name}\n" + "select 1 as a\n" * 20
            nodes[uid] = {
                "database": "awsdatacatalog",
                "schema": f"{domain}_{layer}",
                "name": name,
                "resource_type": "model",
                "package_name": domain,
                "path": f"{layer}/{name}.sql",
                "original_file_path": f"models/{layer}/{name}.sql",
                "unique_id": uid,
                "fqn": [domain, layer, name],
                "alias": name,
                "checksum": {"name": "sha256", "checksum": "0" * 64},
                "config": {
                    "enabled": True,
                    "materialized": "table",
                    "meta": meta,
                    "group": f"{domain}_team",
                    "access": "public" if layer == "marts" else "protected",
                    "contract": {"enforced": layer == "marts", "alias_types": True},
                    "persist_docs": {"relation": True, "columns": True},
                    "tags": [],
                    "post-hook": [],
                    "pre-hook": [],
                    "table_type": "iceberg",
                    "format": "parquet",
                },
                "tags": [],
                "description": f"Model {name}. " + "A synthetic model for the benchmark. " * 5,
                "columns": cols,
                "meta": meta,
                "group": f"{domain}_team",
                "docs": {"show": True, "node_color": None},
                "patch_path": f"{domain}://models/{layer}/_{layer}__models.yml",
                "unrendered_config": {"materialized": "table"},
                "created_at": 1.7e9,
                "relation_name": f'"awsdatacatalog"."{domain}_{layer}"."{name}"',
                "raw_code": code,
                "compiled_code": code,
                "language": "sql",
                "refs": [],
                "sources": [],
                "depends_on": {"macros": [], "nodes": []},
                "contract": {"enforced": layer == "marts", "alias_types": True},
                "access": "public" if layer == "marts" else "protected",
                "constraints": [],
                "version": None,
                "latest_version": None,
                "deprecation_date": None,
            }
            catalog[uid] = {
                "metadata": {
                    "type": "BASE TABLE",
                    "schema": f"{domain}_{layer}",
                    "name": name,
                    "database": "awsdatacatalog",
                },
                "columns": {
                    c: {"type": "varchar", "index": i + 1, "name": c, "comment": None}
                    for i, c in enumerate(cols)
                },
                "stats": {},
                "unique_id": uid,
            }
            done = {"name": "execute", "started_at": "2026-01-01T00:00:00Z"}
            done["completed_at"] = "2026-01-01T00:01:00Z"
            # every key dbt-core writes that the loader reads (Fusion leaves some out)
            results.append(
                {
                    "unique_id": uid,
                    "status": "success",
                    "timing": [done],
                    "message": "SUCCESS 1",
                    "failures": None,
                }
            )
            for test in ("unique", "not_null"):
                tid = f"test.{domain}.{test}_{name}_col_00.abc{m}"
                nodes[tid] = {
                    "database": "awsdatacatalog",
                    "schema": f"{domain}_dbt_test__audit",
                    "name": f"{test}_{name}_col_00",
                    "resource_type": "test",
                    "package_name": domain,
                    "unique_id": tid,
                    "attached_node": uid,
                    "column_name": "col_00",
                    "test_metadata": {"name": test, "kwargs": {"column_name": "col_00"}},
                    "depends_on": {"macros": ["macro.dbt.test_unique"], "nodes": [uid]},
                    "config": {"enabled": True, "severity": "ERROR"},
                    "raw_code": "{{ test_unique(**_dbt_generic_test_kwargs) }}",
                }
                results.append(
                    {
                        "unique_id": tid,
                        "status": "pass",
                        "timing": [done],
                        "message": None,
                        "failures": 0,
                    }
                )
        macros = {
            f"macro.dbt.m{i}": {
                "name": f"m{i}",
                "resource_type": "macro",
                "macro_sql": "{% macro m() %}" + "select 1 " * 40 + "{% endmacro %}",
            }
            for i in range(600)
        }
        meta = {
            "dbt_version": "1.11.16",
            "generated_at": "2026-01-01T00:00:00Z",
            "invocation_id": "bench",
            "adapter_type": "athena",
        }
        manifest = {
            "metadata": {
                "dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json",
                **meta,
                "project_name": domain,
            },
            "nodes": nodes,
            "sources": {},
            "macros": macros,
            "docs": {
                f"doc.{domain}.__overview__": {
                    "name": "__overview__",
                    "block_contents": f"The {domain} domain.",
                }
            },
            "groups": {
                f"group.{domain}.{domain}_team": {
                    "name": f"{domain}_team",
                    "owner": {"email": f"{domain}-team@example.com"},
                }
            },
        }
        d = out / domain
        d.mkdir(parents=True, exist_ok=True)
        schema = "https://schemas.getdbt.com/dbt/{}.json"
        files = {
            "manifest.json": manifest,
            "catalog.json": {
                "metadata": {"dbt_schema_version": schema.format("catalog/v1"), **meta},
                "nodes": catalog,
                "sources": {},
            },
            "run_results.json": {
                "metadata": {"dbt_schema_version": schema.format("run-results/v6"), **meta},
                "results": results,
                "args": {"which": "build", "target": "prod"},
            },
        }
        for file, document in files.items():
            (d / file).write_text(json.dumps(document))
            sizes[file] = sizes.get(file, 0) + (d / file).stat().st_size
    return sizes


# --- load + plan in a fresh process ------------------------------------------------------------


def _glue_table(t: Any) -> dict[str, Any]:
    """What Glue holds after a build, for the in-memory plan (no AWS)."""
    return {
        "Name": t.name,
        "DatabaseName": t.database,
        "VersionId": "1",
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"table_type": "ICEBERG", "metadata_location": "s3://m/0.json"},
        "StorageDescriptor": {
            "Columns": [{"Name": f"col_{c:02d}", "Type": "string"} for c in range(COLUMNS)],
            "Location": f"s3://w/{t.database}/{t.name}",
        },
    }


def _cpu() -> float:
    """CPU seconds of this process and its reaped children (the loader may fork one)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def child_load_plan(artifacts: Path) -> None:
    os.environ.update(AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x")  # pragma: allowlist secret

    from publish.artifacts import load_domains
    from publish.aws import AwsClients, AwsSettings
    from publish.drift import DEFAULT_POLICY
    from publish.mapping import map_mesh
    from publish.targets.glue import CurrentState, GlueTarget

    # plan only: the clients are made before the clock starts (no network), and the Glue read
    # is replaced by what a build left
    clients = AwsClients(AwsSettings(region=REGION))
    assert clients.glue and clients.lakeformation
    c0, t0 = _cpu(), time.perf_counter()
    domains = load_domains(REPO, artifacts)
    c1, t1 = _cpu(), time.perf_counter()
    target = GlueTarget(
        clients,
        map_mesh(domains),
        ontology_file=LF_TAGS,
        root=REPO,
        on_drift=DEFAULT_POLICY,
    )
    target.validate()  # mapping + desired state
    c2, t2 = _cpu(), time.perf_counter()
    desired = target.desired
    assert desired is not None
    current = CurrentState(databases={name: {"Name": name} for name in desired.databases})
    for t in desired.tables:
        current.tables.setdefault(t.database, {})[t.name] = _glue_table(t)
    target.current = current
    c3, t3 = _cpu(), time.perf_counter()
    plan = target.plan()
    c4, t4 = _cpu(), time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # not part of load + plan: the field-by-field changes are listed when printed (-o json)
    document = plan.to_dict()
    t5 = time.perf_counter()
    print(
        json.dumps(
            {
                "models": sum(len(d.models) for d in domains),
                "load_s": t1 - t0,
                "desired_s": t2 - t1,
                "plan_s": t4 - t3,
                "load_plan_s": (t2 - t0) + (t4 - t3),
                "load_plan_cpu_s": (c2 - c0) + (c4 - c3),
                "load_cpu_s": c1 - c0,
                "desired_cpu_s": c2 - c1,
                "plan_cpu_s": c4 - c3,
                "peak_rss_mb": peak_mb,
                "updates": len(plan.actions),
                "changes": sum(len(a["changes"]) for a in document["actions"]),
                "json_s": t5 - t4,
            }
        )
    )


# --- publish against moto on loopback ----------------------------------------------------------


def publish_calls(artifacts: Path, concurrency: int) -> list[dict[str, Any]]:
    from moto.backends import get_backend
    from moto.server import ThreadedMotoServer

    from publish.artifacts import load_domains
    from publish.aws import AwsClients, AwsSettings
    from publish.desired import desired_state, load_ontology
    from publish.mapping import map_mesh
    from publish.run import PublishOptions, publish

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request otherwise
    server = ThreadedMotoServer("127.0.0.1", port, verbose=False)
    server.start()
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",  # pragma: allowlist secret
        AWS_REGION=REGION,
        AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}",
    )
    try:
        reset = urllib.request.Request(f"http://127.0.0.1:{port}/moto-api/reset", method="POST")
        urllib.request.urlopen(reset, timeout=30).close()  # moto's state is per process
        desired = desired_state(map_mesh(load_domains(REPO, artifacts)), load_ontology(LF_TAGS))
        # a production build, straight into moto's backend (setup, not measured)
        backend = get_backend("glue")[ACCOUNT][REGION]
        for name in desired.databases:
            backend.create_database(name, {"Name": name})
        for t in desired.tables:
            table = _glue_table(t)
            backend.create_table(
                t.database,
                t.name,
                {k: v for k, v in table.items() if k not in ("DatabaseName", "VersionId")},
            )
        runs = []
        for label in ("first publish", "no-op publish"):
            clients = AwsClients(AwsSettings(concurrency=concurrency))
            calls: Counter[str] = Counter()

            def count(model: Any, calls: Counter[str] = calls, **_: Any) -> None:
                calls[f"{model.service_model.service_name}:{model.name}"] += 1

            clients.glue.meta.events.register("before-call.*.*", count)
            clients.lakeformation.meta.events.register("before-call.*.*", count)
            options = PublishOptions(root=REPO, artifacts=artifacts, lf_tags=LF_TAGS)
            t0 = time.perf_counter()
            report = publish("glue", options, clients=clients)
            t2 = time.perf_counter()
            writes = {
                k: v for k, v in calls.items() if not k.split(":")[1].startswith(("Get", "List"))
            }
            reads = {k: v for k, v in calls.items() if k not in writes}
            runs.append(
                {
                    "run": label,
                    "databases": len(desired.databases),
                    "publish_s": t2 - t0,
                    "reads": reads,
                    "writes": writes,
                    "failures": sum(len(r.failures) for r in report.results.values()),
                }
            )
        return runs
    finally:
        server.stop()


def load_plan(artifacts: Path, runs: int = 5) -> dict[str, Any]:
    """Load + plan of `artifacts`, each run in a fresh process (so the peak RSS is the
    publisher's alone): the median of every measure, and the wall times of every run."""
    results = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(artifacts)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))
    median = {k: statistics.median(r[k] for r in results) for k in results[0]}
    return {**median, "load_plan_runs": [r["load_plan_s"] for r in results]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--no-publish", action="store_true", help="only load + plan")
    parser.add_argument("--publish-max", type=int, default=10000, help="largest size to publish")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--runs", type=int, default=5, help="load + plan runs (median taken)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_load_plan(args.child)
        return
    for n in args.sizes:
        work = Path(tempfile.mkdtemp(prefix=f"bench_publish_{n}_"))
        try:
            t0 = time.perf_counter()
            sizes = write_artifacts(work, n)
            gen = time.perf_counter() - t0
            mb = {k: round(v / 2**20, 1) for k, v in sizes.items()}
            load = os.getloadavg()[0]
            print(
                f"\n== {n} models in {len(DOMAINS)} domains ({gen:.1f} s to generate; MB: {mb}; "
                f"load average {load:.1f} on {os.cpu_count()} CPUs)"
            )
            r = load_plan(work, args.runs)
            print(
                f"load {r['load_s']:.2f} s + desired {r['desired_s']:.2f} s + plan "
                f"{r['plan_s']:.2f} s = load+plan {r['load_plan_s']:.2f} s wall "
                f"({r['load_plan_cpu_s']:.2f} s CPU), median of {args.runs} runs "
                f"({', '.join(f'{t:.2f}' for t in r['load_plan_runs'])}); "
                f"peak RSS {r['peak_rss_mb']:.0f} MB ({r['models']:.0f} models, "
                f"{r['updates']:.0f} updates planned)"
            )
            print(
                f"the plan as JSON (-o json: every one of its {r['changes']:.0f} field changes "
                f"listed): {r['json_s']:.2f} s more"
            )
            if not args.no_publish and n <= args.publish_max:
                for run in publish_calls(work, args.concurrency):
                    print(
                        f"{run['run']}: {run['publish_s']:.1f} s (load, read, plan, apply); "
                        f"{run['databases']} databases; "
                        f"reads {run['reads']}; writes {run['writes'] or 0}; "
                        f"failures {run['failures']}"
                    )
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
