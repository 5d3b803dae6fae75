"""Run `mesh publish glue` in-process (typer's CliRunner) and read its JSON plan."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import Result
from typer.testing import CliRunner

from mesh.cli import app

REPO = Path(__file__).resolve().parents[2]
LF_TAGS = REPO / "catalog" / "lf_tags.yml"


def run_publish(artifacts: Path, *args: str, lf_tags: Path = LF_TAGS) -> Result:
    return CliRunner().invoke(
        app,
        [
            "publish",
            "glue",
            "--artifacts",
            str(artifacts),
            "--lf-tags",
            str(lf_tags),
            "--output",
            "json",
            *args,
        ],
        catch_exceptions=False,
    )


def plan_of(result: Result) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(result.stdout)
    return data
