"""What a decoded run_results.json says of a build, and what it cannot say.

dbt-core writes every key of every result and names the command in `args.which`. dbt Fusion
(dbt 2.0, the Rust engine) writes run-results v6 with gaps, each checked in its source
(crates/dbt-schemas/src/schemas/run_results.rs, crates/dbt-tasks-core/src/utils.rs) and
CHANGELOG: no `message` before 2.0.0-preview.158 (dbt-fusion#1271, #1437); no result for nodes
that errored or were skipped before preview.90, and still not always (dbt-fusion#1130); the
status `reused` for a node its state-aware orchestration did not run; `args.which` always, but
never `args.target`; `compiled_code` per result only since preview.209, and never in the
manifest. What the gaps cost is said in one warning line, never one per node.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import cast

import msgspec
from msgspec import UNSET

from publish.artifacts.schemas import RunResultsV6, RunResultV6
from publish.model import BuildResult, Model, TestStatus
from publish.wording import some

#: dbt commands whose run_results.json describe a build of the models
BUILD_COMMANDS = frozenset({"build", "run", "seed", "snapshot", "test", "retry"})
#: commands that build models, so that a model without a result was not built by them
_MODEL_COMMANDS = frozenset({"build", "run", "retry"})
#: `args.which` -> the command a person types, for messages (Fusion's `dbt docs generate`
#: writes `docs`, its `dbt source freshness` writes `freshness`)
_COMMANDS = {
    "generate": "docs generate",
    "docs": "docs generate",
    "serve": "docs serve",
    "freshness": "source freshness",
}
_TEST_STATUSES: frozenset[str] = frozenset({"pass", "warn", "fail", "error", "skipped"})
#: test statuses only an executed test has (a compile reports `success`)
_EXECUTED = frozenset({"pass", "fail", "warn"})
#: Fusion: a node its state-aware orchestration kept from an earlier run, not run by this one
REUSED = "reused"
_CODE = msgspec.json.Decoder(str | None)


@dataclass(frozen=True, slots=True)
class Run:
    """The build a run_results.json describes (empty `results` when it is not a build)."""

    command: str | None = None
    target: str | None = None
    invocation_id: str | None = None
    finished_at: str | None = None
    results: Mapping[str, RunResultV6] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def read_run(run_results: RunResultsV6, path: Path) -> Run:
    """The command, target and results of the file at `path`; the results only of a build.

    Without `args.which` (a generator that drops it), a file whose tests passed, failed or
    warned is read as a build: only an executed test has those statuses.
    """
    command = run_results.args.get("which")
    which = str(command) if command else None
    target = run_results.args.get("target")
    run = Run(which, str(target) if target else None, run_results.metadata.invocation_id)
    tests_ran = any(r.status in _EXECUTED for r in run_results.results)
    if which in BUILD_COMMANDS or (not which and tests_ran):
        notes: tuple[str, ...] = ()
        if not which:
            notes = (
                f"{path} does not say which dbt command wrote it (args.which); its tests ran "
                "(pass, fail or warn), so it is read as the build's",
            )
        return replace(
            run,
            finished_at=run_results.metadata.generated_at,
            results={r.unique_id: r for r in run_results.results},
            notes=notes,
        )
    shown = _COMMANDS.get(which, which) if which else None
    note = (
        f"{path} was written by `dbt {shown}`, not by a build: build time and test status are "
        "not published (keep the build's run_results.json, e.g. run `dbt docs generate` before "
        "`dbt build`)"
        if shown
        else f"{path} does not say which dbt command wrote it (args.which), and no test in it ran: "
        "build time and test status are not published"
    )
    return replace(run, notes=(note,))


def test_status(result: RunResultV6 | None) -> TestStatus:
    """A test's status in this run: `not_run` without a result, `skipped` when Fusion reused it
    (no evaluation of this run), `error` for dbt's other statuses (runtime error, ...)."""
    if result is None:
        return "not_run"
    if result.status == REUSED:
        return "skipped"
    return cast(TestStatus, result.status if result.status in _TEST_STATUSES else "error")


def message(result: RunResultV6 | None) -> str | None:
    if result is None or not isinstance(result.message, str):
        return None  # absent (UNSET) or null
    return result.message


def build_result(result: RunResultV6 | None, invocation_id: str | None) -> BuildResult | None:
    """The model's build in this run; a reused model has no time of its own (Fusion's timing of
    it is when it decided to reuse the table, not when the table was built)."""
    if result is None:
        return None
    completed = None
    if result.status != REUSED:
        completed = next((t.completed_at for t in result.timing if t.name == "execute"), None)
    return BuildResult(result.status, completed, invocation_id)


def compiled_code(result: RunResultV6 | None) -> str | None:
    """The SQL a build ran for the node, from its result (a manifest written by Fusion, or
    rewritten by `dbt source freshness`, has none)."""
    if result is None or not result.compiled_code:
        return None
    return _CODE.decode(result.compiled_code)


def gaps(path: Path, run: Run, run_results: RunResultsV6, models: Sequence[Model]) -> str | None:
    """One line on what a build's run_results.json lacks and what is not published for it."""
    if not run.results:
        return None
    parts = []
    missing = sum(r.message is UNSET for r in run_results.results)
    if missing:
        parts.append(
            f"`message` is missing on {missing} of {len(run_results.results)} results, as dbt "
            "Fusion wrote them before 2.0.0-preview.158 (dbt-fusion#1437): test messages are not "
            "published"
        )
    if missing and run.command in _MODEL_COMMANDS:
        unbuilt = [m.unique_id for m in models if m.relation is not None and m.build is None]
        if unbuilt:
            parts.append(
                f"{len(unbuilt)} model(s) have no result ({some(unbuilt)}): not selected, or "
                "errored or skipped without one, as Fusion leaves them (dbt-fusion#1130); they "
                "are published without build status, their tests as not run"
            )
    reused = sorted(k for k, r in run.results.items() if r.status == REUSED)
    if reused:
        parts.append(
            f"{len(reused)} node(s) are `reused` ({some(reused)}): Fusion's state-aware "
            "orchestration kept them from an earlier run, so those models have no build time "
            "and those tests are no evaluation of this run"
        )
    uncompiled = [
        m.unique_id
        for m in models
        if not m.compiled_code and m.build is not None and m.build.status == "success"
    ]
    if uncompiled:
        parts.append(
            f"{len(uncompiled)} model(s) built by it have no compiled SQL, here nor in "
            f"manifest.json ({some(uncompiled)}): their lineage events carry no column lineage "
            "(a manifest rewritten by `dbt parse` or `dbt source freshness` has none, Fusion's "
            "never has; run results have it since dbt 1.7, Fusion's since 2.0.0-preview.209)"
        )
    return f"{path}: " + "; ".join(parts) if parts else None
