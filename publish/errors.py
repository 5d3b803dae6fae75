"""Errors the publisher reports to a person: what went wrong, in which file, and how to fix it.

A `MeshError` is printed by the CLI as one paragraph and turned into an exit code; everything else
is a bug and gets a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_BAD_INPUT = 2
EXIT_STRICT_MISSING = 3
EXIT_DRIFT = 4


class MeshError(Exception):
    """An error a person can act on: the file concerned, the problem, and the fix."""

    exit_code: int = EXIT_ERROR

    def __init__(
        self,
        problem: str,
        *,
        file: str | Path | None = None,
        fix: str | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.problem = problem.strip()
        self.fix = fix.strip() if fix else None
        super().__init__(self.paragraph())

    def paragraph(self) -> str:
        """The error as one paragraph: `<file>: <problem> Fix: <fix>`."""
        parts = []
        if self.file:
            parts.append(f"{self.file}:")
        parts.append(_sentence(self.problem))
        if self.fix:
            parts.append(f"Fix: {_sentence(self.fix)}")
        return " ".join(parts)


class BadInputError(MeshError):
    """The artifacts, configuration or arguments cannot be used; nothing was written."""

    exit_code = EXIT_BAD_INPUT


class StrictMissingError(MeshError):
    """`--strict`: a built model has no table in the catalog; nothing was written."""

    exit_code = EXIT_STRICT_MISSING


class PublishError(MeshError):
    """Talking to AWS failed (reading or applying)."""

    exit_code = EXIT_ERROR


def raise_problems(problems: Sequence[tuple[str | Path, str]], fix: str) -> None:
    """One BadInputError for every problem found in a validation pass (none: return).

    Validation collects all problems before anything is written; the first is told in full,
    the next three in brief, so one run shows the person most of what to fix.
    """
    if not problems:
        return
    file, first = problems[0]
    rest = [problem for _, problem in problems[1:]]
    more = ""
    if rest:
        more = f" (and {len(rest)} more: " + "; ".join(rest[:3])
        more += ("; ..." if len(rest) > 3 else "") + ")"
    raise BadInputError(first + more, file=file, fix=fix)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?", ")")) else text + "."
