"""`mesh` starts without importing dbt or the other heavy libraries: commands import what they run.

Checked in a fresh interpreter, on the import of the CLI and on `--help` of a command (which
builds and renders every option). Start-up times are measured by bench/bench_startup.py.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("dbt", "duckdb", "pyarrow", "sqlglot", "openlineage", "boto3", "botocore", "networkx")

_PROBE = """
import contextlib, importlib, io, json, sys
from mesh.cli import app
preload, *args = sys.argv[1:]
if preload:
    importlib.import_module(preload)
if args:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        app(args)
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def _imported(*args: str, preload: str = "") -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, preload, *args], check=True, capture_output=True, text=True
    ).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "args",
    [(), ("--help",), ("publish", "glue", "--help"), ("publish", "--help"), ("ci", "--help")],
    ids=lambda a: " ".join(a) or "import",
)
def test_the_cli_starts_without_heavy_imports(args: tuple[str, ...]) -> None:
    found = _imported(*args) & set(HEAVY)
    assert not found, f"`mesh {' '.join(args)}` imported {sorted(found)}"


def test_the_probe_sees_a_heavy_import() -> None:
    """The check can fail: the dbt runner, once a command imports it, is seen."""
    assert "dbt" in _imported("--help", preload="dbt.cli.main")
