"""sqlfluff on dbt models, one domain at a time, optionally only the files a branch changed.

sqlfluff's dbt templater needs the dbt project as its working directory, so files are
grouped by domain. Run `mesh parse` before: downstream domains resolve upstream refs from
the upstream manifests, as dbt-loom does during a build.
"""

from __future__ import annotations

import difflib
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from publish.errors import BadInputError


def changed_sql(root: Path, base: str) -> list[Path]:
    """Model files added or modified on this branch since it left `base`."""
    _check_base(root, base)
    done = _git(root, "diff", "-z", "--name-only", "--diff-filter=AMR", f"{base}...HEAD")
    if done.returncode != 0:
        reason = _first_line(done.stderr)
        if "no merge base" in done.stderr:  # a shallow clone (CI's default checkout depth)
            raise BadInputError(
                f"{base!r} and HEAD share no history in this clone (git: {reason})",
                fix="fetch the whole history (`git fetch --unshallow origin`, or `fetch-depth: "
                "0` in actions/checkout), then run again",
            )
        raise BadInputError(
            f"git cannot compare with {base!r}: {reason}",
            fix="fetch the base branch first (e.g. `git fetch origin main`) and pass --base",
        )
    return [
        root / name
        for name in done.stdout.split("\0")
        if name.startswith("domains/") and "/models/" in name and name.endswith(".sql")
    ]


def _check_base(root: Path, base: str) -> None:
    """`base` names a commit of the repository at `root`, or a clear error says what is wrong."""
    if _git(root, "rev-parse", "--is-inside-work-tree").returncode != 0:
        raise BadInputError(
            "is not in a git repository: the changed models are found with git",
            file=root,
            fix="run it in a git clone of the repository",
        )
    if _git(root, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}").returncode == 0:
        return
    refs = _git(root, "for-each-ref", "--format=%(refname:short)").stdout.split()
    close = difflib.get_close_matches(base, refs, n=3, cutoff=0.6)
    hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
    raise BadInputError(
        f"--base {base!r} is not a branch, tag or commit of this repository{hint}",
        fix="fetch the base branch first (e.g. `git fetch origin main`) and pass --base "
        "origin/main, or pass an existing branch or commit",
    )


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "no message")


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
