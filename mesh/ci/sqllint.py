"""sqlfluff on dbt models, one domain at a time, optionally only the files a branch changed.

sqlfluff's dbt templater needs the dbt project as its working directory, so files are
grouped by domain. Run `mesh parse` before: downstream domains resolve upstream refs from
the upstream manifests, as dbt-loom does during a build.
"""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from publish.errors import BadInputError


def changed_sql(root: Path, base: str) -> list[Path]:
    """Model files added or modified on this branch since it left `base`."""
    try:
        out = subprocess.run(
            ["git", "diff", "--name-only", "--diff-filter=AMR", f"{base}...HEAD"],
            cwd=root,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    except subprocess.CalledProcessError as exc:
        raise BadInputError(
            f"git cannot compare with {base!r}: {exc.stderr.strip()}",
            fix="fetch the base branch first (e.g. `git fetch origin main`) and pass --base",
        ) from exc
    return [
        root / name
        for name in out.split()
        if name.startswith("domains/") and "/models/" in name and name.endswith(".sql")
    ]


def group_by_domain(root: Path, files: list[Path] | None) -> dict[Path, list[str]]:
    """Domain folder -> paths relative to it (all models when `files` is None)."""
    by_domain: dict[Path, list[str]] = defaultdict(list)
    if files is None:
        for project in sorted((root / "domains").glob("*/dbt_project.yml")):
            by_domain[project.parent].append("models")
        return by_domain
    for path in (f.resolve() for f in files):
        domain = next((p for p in path.parents if p.parent == root / "domains"), None)
        if domain is not None and path.suffix == ".sql" and "models" in path.parts:
            by_domain[domain].append(str(path.relative_to(domain)))
    return by_domain


def lint(root: Path, files: list[Path] | None = None) -> int:
    """Run sqlfluff per domain; returns the worst exit code (0: clean)."""
    sqlfluff = Path(sys.executable).parent / "sqlfluff"
    status = 0
    for domain, paths in sorted(group_by_domain(root, files).items()):
        print(f"sqlfluff: {domain.name} ({len(paths)} path(s))", flush=True)
        result = subprocess.run([str(sqlfluff), "lint", *paths], cwd=domain, check=False)
        status = status or result.returncode
    return status
