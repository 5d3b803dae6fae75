"""Run `mesh publish glue` in-process (typer's CliRunner) and read its JSON document."""

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


def document(result: Result) -> dict[str, Any]:
    """The one JSON document a `mesh publish ... -o json` prints."""
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def plan_of(result: Result, target: str = "glue") -> dict[str, Any]:
    """One target's part of the document (its plan, and what applying it did)."""
    return next(t for t in document(result)["targets"] if t["target"] == target)


def summary(plan: dict[str, Any], kind: str) -> dict[str, int]:
    """Writes planned, things unchanged and things skipped, of one kind (table, database)."""
    return {
        "unchanged": plan["unchanged"].get(kind, 0),
        "update": sum(n for key, n in plan["counts"].items() if key.startswith(f"{kind}.")),
        "skipped": sum(s["kind"] == kind for s in plan["skipped"]),
    }
