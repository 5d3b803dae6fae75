"""One rich console for the command line, and the one way a MeshError reaches a person."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from publish.errors import MeshError

if TYPE_CHECKING:
    from mesh.runner import DomainRun

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

P = ParamSpec("P")
R = TypeVar("R")


def reports_mesh_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Print a MeshError as one paragraph on stderr and exit with its code, no traceback."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except MeshError as exc:
            # the message may hold brackets (`Parameters[mesh:owner]`): never read it as markup
            err_console.print(f"[bold red]error:[/] {escape(exc.paragraph())}", soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None

    return wrapper


def print_failures(runs: Iterable[DomainRun]) -> None:
    """One line per failed dbt node of the runs, under the summary table."""
    for run in runs:
        for failure in run.failures:
            console.print(f"  [red]x[/] {escape(failure)}")
