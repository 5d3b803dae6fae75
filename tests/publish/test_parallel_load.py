"""Loading a large mesh in two processes (publish/artifacts/parallel.py) gives what a sequential
load gives: the same domains, in the same order, and the same error for a bad artifact.

The forks run in a fresh interpreter (a subprocess): the test process may have threads (moto
servers), and a fork is refused there by design.
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from publish.artifacts import discover, load_domain, parallel

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "fixtures" / "dbt-artifacts"
REAL = ("fivetran__dbt_hubspot", "FlipsideCrypto__sui-models", "droher__baseball.computer")

#: run in a fresh interpreter: argv = artifacts dir, scenario; prints one JSON line
SCRIPT = """
import json, os, signal, sys
from functools import partial
from pathlib import Path
from publish.artifacts import discover, load_domain, parallel
from publish.errors import BadInputError

forks = []
os.register_at_fork(after_in_parent=lambda: forks.append(1))
found = discover(Path("."), Path(sys.argv[1]))
scenario = sys.argv[2]
load = partial(load_domain, require_catalog=False)
parent = os.getpid()


def killed_in_child(f):
    if os.getpid() != parent:
        os.kill(os.getpid(), signal.SIGKILL)
    return load(f)


def attempt(run):
    try:
        return run(), None
    except BadInputError as exc:
        return None, str(exc)


def children_left():
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return False
    return True


if scenario == "forked":
    run = lambda: parallel.load_forked(found[:1], found[1:], load)
elif scenario == "killed":
    run = lambda: parallel.load_forked(found[:1], found[1:], killed_in_child)
else:  # load_all, with this size threshold
    parallel.MIN_BYTES = int(scenario)
    run = lambda: parallel.load_all(found, load)
got, error = attempt(run)
forked = len(forks)
expected, expected_error = attempt(lambda: [load(f) for f in found])
print(json.dumps({
    "domains": [d.artifacts_dir.name for d in got] if got is not None else None,
    "equal": got == expected,
    "error": error,
    "expected_error": expected_error,
    "forks": forked,
    "children_left": children_left(),
}))
"""


def _run(artifacts: Path, scenario: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(artifacts), scenario],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture
def mesh(tiny_artifacts: Path, tmp_path: Path) -> Path:
    """Three domains: the tiny project's real build thrice (and the shared real-world sets)."""
    for name in ("alpha", "beta", "gamma"):
        shutil.copytree(tiny_artifacts / "tiny", tmp_path / name)
    for name in REAL:
        source = SHARED / name
        if not (source / "manifest.json.gz").is_file():
            continue
        (tmp_path / name).mkdir()
        for path in source.glob("*.json.gz"):
            with gzip.open(path) as fh:
                (tmp_path / name / path.name.removesuffix(".gz")).write_bytes(fh.read())
    return tmp_path


def test_domains_loaded_in_a_child_equal_a_sequential_load(mesh: Path) -> None:
    result = _run(mesh, "forked")
    assert result["forks"] == 1
    assert result["error"] is None
    assert result["domains"] == sorted(p.name for p in mesh.iterdir())
    assert result["equal"] is True  # every field of every domain, model and column
    assert result["children_left"] is False


def test_a_killed_child_leaves_its_domains_to_the_parent(mesh: Path) -> None:
    result = _run(mesh, "killed")
    assert result["forks"] == 1
    assert result["error"] is None
    assert result["equal"] is True
    assert result["children_left"] is False


@pytest.mark.parametrize("broken", ["alpha", "gamma"], ids=["in-parent-share", "in-child-share"])
def test_a_bad_artifact_raises_the_sequential_error_and_reaps_the_child(
    mesh: Path, broken: str
) -> None:
    manifest = mesh / broken / "manifest.json"
    manifest.write_bytes(manifest.read_bytes()[:5000])  # an interrupted download
    result = _run(mesh, "forked")
    assert result["forks"] == 1
    assert str(manifest) in result["expected_error"]
    assert result["error"] == result["expected_error"]
    assert result["children_left"] is False


def test_load_all_forks_only_above_its_size_threshold(mesh: Path) -> None:
    big = _run(mesh, "0")
    assert big["forks"] == 1
    assert big["equal"] is True
    small = _run(mesh, str(1 << 40))
    assert small["forks"] == 0
    assert small["equal"] is True


def test_a_failed_fork_loads_everything_here(
    tiny_artifacts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_process(*_: object) -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(parallel.os, "fork", no_process)
    found = discover(REPO, tiny_artifacts) * 3
    assert parallel.load_forked(found[:1], found[1:], load_domain) == [
        load_domain(f) for f in found
    ]


def test_no_fork_while_another_thread_runs() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert parallel.can_fork() is False
    finally:
        stop.set()
        thread.join()


@pytest.mark.parametrize(
    ("sizes", "cut"),
    [
        ([10, 10], 1),
        ([10, 10, 10, 10, 10], 3),  # 60% is closer to the parent's 55% than 40%
        ([90, 5, 5], 1),  # a large first domain: the parent takes it alone
        ([5, 5, 90], 2),  # the child always gets at least one domain
        ([1] * 20, 11),
    ],
)
def test_the_parent_takes_the_prefix_closest_to_its_share(sizes: list[int], cut: int) -> None:
    assert parallel._cut(sizes) == cut
