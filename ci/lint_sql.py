"""Lint dbt models with sqlfluff (dbt templater), domain by domain: every model, or the
files given (pre-commit passes the staged ones)."""

from __future__ import annotations

import sys
from pathlib import Path

from mesh.ci.sqllint import lint

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    files = [Path(name) for name in sys.argv[1:]] or None
    sys.exit(lint(ROOT, files))
