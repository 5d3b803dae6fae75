"""Benchmark the DataZone emulator: GetAsset and SearchListings requests/s over loopback, and
memory with N assets (default 100k).

The catalog is seeded in this process through the emulator's own handlers (HTTP would take
minutes), saved as a state file, and served by `mesh-standins datazone --state` in a child
process, so server and clients do not share an interpreter. Request loops are bounded by both
a request count and a time limit.

    .venv/bin/python bench/bench_datazone_emulator.py --assets 100000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from mesh_standins.datazone.app import Emulator
from mesh_standins.datazone.handlers import Context


def seed(n_assets: int, state_file: Path) -> tuple[str, list[str], float, float]:
    """Create a domain, a project, terms and `n_assets` published Glue table assets."""
    tracemalloc.start()
    app = Emulator()
    ctx = Context(app.store, "bench", "AKIDBENCH", "us-east-1", app.account, 50)
    h = app.handlers
    domain = h["CreateDomain"](ctx, {"name": "bench"})["id"]
    project = h["CreateProject"](ctx, {"domainIdentifier": domain, "name": "sales"})["id"]
    glossary = h["CreateGlossary"](
        ctx, {"domainIdentifier": domain, "name": "terms", "owningProjectIdentifier": project}
    )["id"]
    terms = [
        h["CreateGlossaryTerm"](
            ctx, {"domainIdentifier": domain, "glossaryIdentifier": glossary, "name": f"Term {k}"}
        )["id"]
        for k in range(20)
    ]
    ids = []
    started = time.perf_counter()
    for i in range(n_assets):
        name = f"table_{i:06d}"
        content = {
            "tableName": name,
            "tableArn": f"arn:aws:glue:us-east-1:123456789012:table/bench/{name}",
            "columns": [{"columnName": f"col_{c}", "dataType": "string"} for c in range(8)],
        }
        asset = h["CreateAsset"](
            ctx,
            {
                "domainIdentifier": domain,
                "owningProjectIdentifier": project,
                "name": name,
                "typeIdentifier": "amazon.datazone.GlueTableAssetType",
                "externalIdentifier": content["tableArn"],
                "description": f"Fact table about topic{i % 1000:03d}",
                "glossaryTerms": [terms[i % len(terms)]],
                "formsInput": [{"formName": "GlueTableForm", "content": json.dumps(content)}],
            },
        )
        h["CreateListingChangeSet"](
            ctx,
            {
                "domainIdentifier": domain,
                "entityIdentifier": asset["id"],
                "entityType": "ASSET",
                "action": "PUBLISH",
            },
        )
        ids.append(asset["id"])
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    app.store.save(state_file)
    return domain, ids, seconds, peak / 2**20


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(
    url: str,
    threads: int,
    max_requests: int,
    max_seconds: float,
    call: Callable[[Any, random.Random], None],
) -> tuple[int, float]:
    """Run `call` from `threads` clients until `max_requests` or `max_seconds`; (done, req/s)."""
    done = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + max_seconds

    def worker(seed_: int) -> None:
        nonlocal done
        client = boto3.client(
            "datazone",
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id="AKIDBENCH",
            aws_secret_access_key="x",
            config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
        )
        rng = random.Random(seed_)
        call(client, rng)  # warm the connection outside the count
        while time.perf_counter() < deadline:
            with lock:
                if done >= max_requests:
                    return
                done += 1
            call(client, rng)

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return done, done / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--assets", type=int, default=100_000, help="assets to seed (all published)"
    )
    parser.add_argument("--threads", type=int, default=4, help="concurrent boto3 clients")
    parser.add_argument("--requests", type=int, default=20_000, help="max requests per measurement")
    parser.add_argument("--seconds", type=float, default=10.0, help="max seconds per measurement")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "state.json"
        domain, ids, seed_s, peak_mib = seed(args.assets, state)
        print(
            f"seeded {args.assets} assets + listings in {seed_s:.1f}s "
            f"(tracemalloc peak {peak_mib:.0f} MiB, "
            f"state file {state.stat().st_size / 2**20:.0f} MiB)"
        )
        server = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from mesh_standins.cli import app; app()",
                "datazone",
                "--port",
                "0",
                "--state",
                str(state),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stdout is not None
            url = server.stdout.readline().rsplit(" ", 1)[1].strip()
            print(f"server pid {server.pid} at {url}: RSS after load {rss_mib(server.pid):.0f} MiB")

            def get_asset(client: Any, rng: random.Random) -> None:
                client.get_asset(domainIdentifier=domain, identifier=rng.choice(ids))

            def search_listings(client: Any, rng: random.Random) -> None:
                topic = f"topic{rng.randrange(1000):03d}"
                client.search_listings(domainIdentifier=domain, searchText=topic, maxResults=25)

            for name, call in (("GetAsset", get_asset), ("SearchListings", search_listings)):
                n, rps = measure(url, args.threads, args.requests, args.seconds, call)
                print(f"{name:15s} {rps:8.0f} req/s  ({n} requests, {args.threads} client threads)")
            print(
                f"server RSS after the runs {rss_mib(server.pid):.0f} MiB "
                f"({args.assets / 1000:.0f}k assets; target < 1024 MiB)"
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"cpu count {os.cpu_count()}")


if __name__ == "__main__":
    main()
