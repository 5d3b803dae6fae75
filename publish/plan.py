"""The plan of a publish, for every target alike: each write it would make and why, what it
skipped and why, and what applying it did; printed for people (rich) and as one JSON document.

A target (`publish.targets.glue`, `.lakeformation`, `publish.datazone.target`) computes a `Plan`
from the desired and the current state: `actions` are writes (an empty list means a publish makes
zero write calls), `unchanged` counts what is already right, `skipped` says what of the mesh the
target leaves out and why. An action's `requires` names the actions (of any target of the run)
that must be done first; `publish.apply` schedules by them. The `payload` of an action is what its
target needs to apply it; it is not part of the printed or JSON plan.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, overload

from msgspec import Struct
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from publish.wording import some

#: How people read an op: `+` adds, `~` changes, `-` takes away
_SYMBOL = {"unpublish": "-", "update": "~", "revise": "~", "adopt": "~", "add_values": "~"}
_STYLE = {"+": "green", "~": "yellow", "-": "red"}


class Change(Struct, gc=False):
    """One field's change. A Struct, not a dataclass: a first publish of 10,000 tables makes
    hundreds of thousands of them, and a Struct is built several times faster."""

    field: str
    before: str | None
    after: str | None


T = TypeVar("T")


class Deferred(Sequence[T]):
    """A list made when first read. A plan of 10,000 tables prints the changes of its first
    actions only, and an apply reads none: a target lists them only if someone looks."""

    __slots__ = ("_items", "_make")

    def __init__(self, make: Callable[[], Sequence[T]]) -> None:
        self._make: Callable[[], Sequence[T]] | None = make
        self._items: Sequence[T] = ()

    def _list(self) -> Sequence[T]:
        if self._make is not None:
            self._items, self._make = self._make(), None
        return self._items

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[T]: ...
    def __getitem__(self, index: int | slice) -> T | Sequence[T]:
        return self._list()[index]

    def __len__(self) -> int:
        return len(self._list())

    def __iter__(self) -> Iterator[T]:
        return iter(self._list())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    def __repr__(self) -> str:
        return repr(list(self))


def action_id(target: str, kind: str, domain: str | None, name: str) -> str:
    return f"{target}:{kind}:{domain or ''}:{name}"


@dataclass(slots=True)
class Action:
    target: str
    kind: str  # table, database, lf_tag, lf_tags, asset, asset_listing, term, lineage, ...
    op: str  # update, create, revise, adopt, publish, unpublish, post, assign, add_values
    name: str
    domain: str | None = None
    unique_id: str | None = None
    reason: str = ""
    changes: Sequence[Change] = ()
    details: Sequence[str] = ()  # further lines for people
    notes: Sequence[str] = ()
    #: ids of the actions that must be done first
    requires: tuple[str, ...] = ()
    #: the API operation the action calls: each operation has its own lane and pace
    operation: str = ""
    payload: Any = field(default=None, repr=False, compare=False)

    @property
    def id(self) -> str:
        return action_id(self.target, self.kind, self.domain, self.name)

    @property
    def label(self) -> str:
        return f"{self.kind} {self.op} {self.name}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "op": self.op,
            "name": self.name,
            "domain": self.domain,
            "unique_id": self.unique_id,
            "reason": self.reason,
            "changes": [
                {"field": c.field, "before": c.before, "after": c.after} for c in self.changes
            ],
            "details": list(self.details),
            "notes": list(self.notes),
            "requires": list(self.requires),
        }


@dataclass(frozen=True, slots=True)
class Skipped:
    """Something of the mesh a target leaves out, and why (`code` for machines)."""

    kind: str  # model, table, database
    name: str
    code: str  # ephemeral, from_package, not_public, no_contract, no_glue_table, ...
    reason: str
    domain: str | None = None
    unique_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "code": self.code,
            "reason": self.reason,
            "domain": self.domain,
            "unique_id": self.unique_id,
        }


@dataclass(slots=True)
class ApplyResult:
    done: list[Action] = field(default_factory=list)
    #: actions that found nothing left to write when retried (someone else wrote it)
    unchanged_on_retry: list[Action] = field(default_factory=list)
    failures: list[tuple[Action, str]] = field(default_factory=list)
    #: actions not run: a prerequisite failed or is missing
    skipped: list[tuple[Action, str]] = field(default_factory=list)
    #: optimistic-lock conflicts retried (Glue's ConcurrentModificationException)
    retries: int = 0

    @property
    def ok(self) -> bool:
        return not self.failures and not self.skipped

    def to_dict(self) -> dict[str, Any]:
        def short(action: Action) -> dict[str, Any]:
            return {"kind": action.kind, "op": action.op, "name": action.name}

        return {
            "done": [short(a) for a in self.done],
            "unchanged_on_retry": [short(a) for a in self.unchanged_on_retry],
            "retries": self.retries,
            "failures": [{**short(a), "error": e} for a, e in self.failures],
            "skipped": [{**short(a), "reason": r} for a, r in self.skipped],
        }


@dataclass(slots=True)
class Plan:
    target: str  # glue | lakeformation | datazone
    title: str  # for people
    actions: list[Action] = field(default_factory=list)
    unchanged: Counter[str] = field(default_factory=Counter)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Planned writes by `<kind>.<op>`."""
        return dict(sorted(Counter(f"{a.kind}.{a.op}" for a in self.actions).items()))

    def skipped_counts(self) -> dict[str, int]:
        return dict(sorted(Counter(s.code for s in self.skipped).items()))

    def to_dict(
        self, applied: ApplyResult | None = None, *, not_applied: str | None = None
    ) -> dict:
        return {
            "target": self.target,
            "counts": self.counts(),
            "unchanged": dict(sorted(self.unchanged.items())),
            "skipped_counts": self.skipped_counts(),
            "actions": [a.to_dict() for a in self.actions],
            "skipped": [s.to_dict() for s in self.skipped],
            "warnings": list(self.warnings),
            "applied": applied.to_dict() if applied is not None else None,
            "not_applied": not_applied,
        }


@dataclass(slots=True)
class Report:
    """One `mesh publish`: the plans of its targets, in the order they apply, and the results."""

    command: str
    dry_run: bool
    plans: list[Plan]
    results: dict[str, ApplyResult] = field(default_factory=dict)
    #: target -> why it was not applied (a target before it failed)
    not_applied: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.not_applied and all(r.ok for r in self.results.values())

    def plan(self, target: str) -> Plan:
        return next(p for p in self.plans if p.target == target)

    def to_dict(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "dry_run": self.dry_run,
            "targets": [
                p.to_dict(self.results.get(p.target), not_applied=self.not_applied.get(p.target))
                for p in self.plans
            ],
        }


# --- rendering for people -----------------------------------------------------------------------


def _short(value: str | None, width: int = 60) -> str:
    if value is None:
        return "(absent)"
    return value if len(value) <= width else value[: width - 1] + "…"


def render_plan(plan: Plan, console: Console, *, limit: int = 50) -> None:
    """One target's plan: its actions (the first `limit`), what it skipped, its warnings."""
    console.print(Text(plan.title, style="bold"))
    if not plan.actions:
        console.print("  nothing to change")
    for action in plan.actions[:limit]:
        symbol = _SYMBOL.get(action.op, "+")
        head = f"{symbol} {action.kind} {action.name}"
        if action.unique_id and action.unique_id != action.name:
            head += f"  ({action.unique_id})"
        if action.reason:
            head += f": {action.reason}"
        console.print(Text(head, style=_STYLE[symbol]))
        for change in action.changes:
            console.print(
                Text(f"    {change.field}: {_short(change.before)} -> {_short(change.after)}")
            )
        for detail in action.details:
            console.print(Text(f"    {detail}"))
        for note in action.notes:
            console.print(Text(f"    note: {note}", style="cyan"))
    if len(plan.actions) > limit:
        console.print(f"  ... and {len(plan.actions) - limit} more actions (use --output json)")
    _render_skipped(plan, console)
    for warning in plan.warnings:
        console.print(Text(f"warning: {warning}", style="magenta"))


def _render_skipped(plan: Plan, console: Console) -> None:
    by_reason: dict[str, list[str]] = {}
    for item in plan.skipped:
        by_reason.setdefault(item.reason, []).append(item.name)
    for reason, names in sorted(by_reason.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        console.print(Text(f"  skipped {len(names)}: {reason}: {some(names)}", style="dim"))


def render_report(report: Report, console: Console, *, plans: bool = True) -> None:
    """Every target's plan (unless printed already), then one summary table of the run."""
    if plans:
        for plan in report.plans:
            render_plan(plan, console)
    title = f"mesh publish {report.command}" + (" (dry run)" if report.dry_run else "")
    table = Table(title=escape(title))
    table.add_column("target")
    headers = ["writes", "unchanged", "skipped"]
    if not report.dry_run:
        headers += ["done", "failed", "not run"]
    for header in headers:
        table.add_column(header, justify="right")
    for plan in report.plans:
        row = [
            plan.target,
            str(len(plan.actions)),
            str(sum(plan.unchanged.values())),
            str(len(plan.skipped)),
        ]
        if not report.dry_run:
            result = report.results.get(plan.target)
            if result is None:
                row += ["-", "-", "-"]
            else:
                row += [str(len(result.done)), str(len(result.failures)), str(len(result.skipped))]
        table.add_row(*row)
    console.print(table)
    for plan in report.plans:
        result = report.results.get(plan.target)
        if result is not None:
            if result.retries:
                console.print(f"{plan.target}: {result.retries} concurrent-modification retries")
            for action, error in result.failures:
                console.print(Text(f"  failed {action.label}: {error}", style="red"))
            for action, reason in result.skipped:
                console.print(Text(f"  not run {action.label}: {reason}", style="yellow"))
        if plan.target in report.not_applied:
            console.print(
                Text(f"{plan.target}: not applied: {report.not_applied[plan.target]}", style="red")
            )
    if not any(p.actions for p in report.plans):
        console.print("nothing to change")
