"""Every `mesh` and `mesh-standins` call in ci/*.sh, the workflows and the Makefile names a real
command and real options, so a renamed command cannot leave CI calling something that no longer
exists."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mesh.cli import app
from mesh_standins.cli import app as standins_app

REPO = Path(__file__).resolve().parents[2]
CALLERS = [
    *sorted((REPO / "ci").glob("*.sh")),
    *sorted((REPO / ".github/workflows").glob("*.yml")),
    REPO / "Makefile",
]
MESH_CALL = re.compile(
    r"""(?:\.venv/bin/|\$\(BIN\)/|")(mesh(?:-standins)?|\$MESH)"?\s+([^#\n;]*)"""
)
APPS = {"mesh": app, "$MESH": app, "mesh-standins": standins_app}


def mesh_calls() -> list[tuple[str, str, list[str]]]:
    calls = []
    for path in CALLERS:
        for line in path.read_text(encoding="utf-8").splitlines():
            for match in MESH_CALL.finditer(line):
                words = shlex.split(match.group(2).split(" -- ")[0])
                calls.append((f"{path.relative_to(REPO)}: {line.strip()}", match.group(1), words))
    return calls


@pytest.mark.parametrize(("where", "command", "words"), mesh_calls(), ids=lambda v: str(v)[:60])
def test_mesh_call_exists(where: str, command: str, words: list[str]) -> None:
    path = []
    for word in words:
        if word.startswith("-"):
            break
        path.append(word)
    result = CliRunner().invoke(APPS[command], [*path, "--help"])
    assert result.exit_code == 0, f"{where}: `{command} {' '.join(path)}` is not a command"
    help_text = result.output
    for option in (w.split("=")[0] for w in words if w.startswith("--")):
        assert option in help_text, f"{where}: `{command} {' '.join(path)}` has no option {option}"


def test_every_caller_was_read() -> None:
    assert len(mesh_calls()) >= 15
