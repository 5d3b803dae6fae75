"""Lint dbt models with sqlfluff's dbt templater, one domain at a time.

sqlfluff's dbt templater needs the dbt project as its working directory, so the
files (all models, or the ones pre-commit passes) are grouped by domain first.
Run `mesh parse` before: downstream domains resolve upstream refs from the
upstream manifests, as dbt-loom does during a build.
"""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SQLFLUFF = Path(sys.executable).parent / "sqlfluff"


def main(argv: list[str]) -> int:
    by_domain: dict[Path, list[str]] = defaultdict(list)
    if argv:
        for name in argv:
            path = Path(name).resolve()
            domain = next((p for p in path.parents if p.parent == ROOT / "domains"), None)
            if domain is not None and path.suffix == ".sql" and "models" in path.parts:
                by_domain[domain].append(str(path.relative_to(domain)))
    else:
        for domain in sorted((ROOT / "domains").glob("*/dbt_project.yml")):
            by_domain[domain.parent].append("models")
    status = 0
    for domain, paths in sorted(by_domain.items()):
        print(f"sqlfluff: {domain.name} ({len(paths)} path(s))", flush=True)
        result = subprocess.run([str(SQLFLUFF), "lint", *paths], cwd=domain, check=False)
        status = status or result.returncode
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
