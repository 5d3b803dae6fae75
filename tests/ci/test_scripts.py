"""Every `mesh` call in ci/*.sh, the workflows and the Makefile names a real command and
real options, so a renamed command cannot leave CI calling something that no longer exists."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from publish.cli import app

REPO = Path(__file__).resolve().parents[2]
CALLERS = [
    *sorted((REPO / "ci").glob("*.sh")),
    *sorted((REPO / ".github/workflows").glob("*.yml")),
    REPO / "Makefile",
]
MESH_CALL = re.compile(r"""(?:\.venv/bin/mesh|\$\(BIN\)/mesh|"\$MESH")\s+([^#\n;]*)""")


def mesh_calls() -> list[tuple[str, list[str]]]:
    calls = []
    for path in CALLERS:
        for line in path.read_text(encoding="utf-8").splitlines():
            for match in MESH_CALL.finditer(line):
                words = shlex.split(match.group(1).split(" -- ")[0])
                calls.append((f"{path.relative_to(REPO)}: {line.strip()}", words))
    return calls


@pytest.mark.parametrize(("where", "words"), mesh_calls(), ids=lambda v: str(v)[:60])
def test_mesh_call_exists(where: str, words: list[str]) -> None:
    path = []
    for word in words:
        if word.startswith("-"):
            break
        path.append(word)
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, f"{where}: `mesh {' '.join(path)}` is not a command"
    help_text = result.output
    for option in (w.split("=")[0] for w in words if w.startswith("--")):
        assert option in help_text, f"{where}: `mesh {' '.join(path)}` has no option {option}"


def test_every_caller_was_read() -> None:
    assert len(mesh_calls()) >= 15
