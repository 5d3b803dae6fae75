"""The plan: what a publish would change, printed for people (rich) and as JSON for CI.

A plan is computed by a target (`publish.targets.glue`) from the desired and the current state. It
holds, per item, the action (`noop` / `update` / `missing`), the fields that change, the LF-tags to
assign and notes (truncations, columns Glue does not have). The `payload` of an item is what the
target needs to apply it; it is not part of the printed or JSON plan.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from msgspec import Struct
from rich.console import Console
from rich.table import Table
from rich.text import Text

Action = Literal["noop", "update", "missing"]
ItemKind = Literal["database", "table"]


class Change(Struct, gc=False):
    """One field's change. A Struct, not a dataclass: a first publish of 10,000 tables makes
    hundreds of thousands of them, and a Struct is built several times faster."""

    field: str
    before: str | None
    after: str | None


class TagAssignment(Struct, frozen=True, gc=False):
    column: str | None  # None: on the table
    key: str
    value: str


@dataclass(slots=True)
class ItemPlan:
    kind: ItemKind
    name: str
    action: Action
    domain: str
    unique_id: str | None = None
    changes: list[Change] = field(default_factory=list)
    tags: list[TagAssignment] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    payload: Any = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "action": self.action,
            "domain": self.domain,
            "unique_id": self.unique_id,
            "changes": [
                {"field": c.field, "before": c.before, "after": c.after} for c in self.changes
            ],
            "lf_tags": [{"column": t.column, "key": t.key, "value": t.value} for t in self.tags],
            "notes": list(self.notes),
        }


@dataclass(slots=True)
class OntologyChange:
    key: str
    create: bool  # False: the key exists, values are added
    values: list[str]


@dataclass(slots=True)
class ApplyResult:
    updated: list[str] = field(default_factory=list)
    unchanged_on_retry: list[str] = field(default_factory=list)
    conflicts: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "updated": self.updated,
            "unchanged_on_retry": self.unchanged_on_retry,
            "concurrent_modification_retries": self.conflicts,
            "failures": [{"name": n, "error": e} for n, e in self.failures],
        }


@dataclass(slots=True)
class Plan:
    target: str
    items: list[ItemPlan] = field(default_factory=list)
    lf_tags: list[OntologyChange] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def tables(self) -> list[ItemPlan]:
        return [i for i in self.items if i.kind == "table"]

    @property
    def databases(self) -> list[ItemPlan]:
        return [i for i in self.items if i.kind == "database"]

    @property
    def updates(self) -> list[ItemPlan]:
        return [i for i in self.items if i.action == "update"]

    @property
    def missing(self) -> list[ItemPlan]:
        return [i for i in self.items if i.action == "missing"]

    @property
    def has_writes(self) -> bool:
        return bool(self.updates or self.lf_tags)

    def counts(self) -> dict[str, dict[str, int]]:
        result: dict[str, dict[str, int]] = {}
        for kind in ("database", "table"):
            counter: Counter[str] = Counter(i.action for i in self.items if i.kind == kind)
            result[kind] = {a: counter.get(a, 0) for a in ("noop", "update", "missing")}
        return result

    def to_dict(self, applied: ApplyResult | None = None, dry_run: bool = True) -> dict[str, Any]:
        return {
            "target": self.target,
            "dry_run": dry_run,
            "summary": self.counts(),
            "lf_tags": [
                {"key": c.key, "create": c.create, "values": c.values} for c in self.lf_tags
            ],
            "items": [i.to_dict() for i in self.items if i.action != "noop"],
            "warnings": self.warnings,
            "applied": applied.to_dict() if applied else None,
        }


# --- rendering --------------------------------------------------------------------------------

_STYLE = {"update": "yellow", "missing": "red", "noop": "dim"}


def _short(value: str | None, width: int = 60) -> str:
    if value is None:
        return "(absent)"
    return value if len(value) <= width else value[: width - 1] + "…"


def render_plan(plan: Plan, console: Console) -> None:
    """Print the plan: LF-tag ontology changes, then each item that changes or is missing."""
    if plan.lf_tags:
        console.print(Text("LF-tag ontology", style="bold"))
        for change in plan.lf_tags:
            verb = "create" if change.create else "add values to"
            console.print(f"  + {verb} LF-tag [bold]{change.key}[/]: {', '.join(change.values)}")
    for item in plan.items:
        if item.action == "noop":
            continue
        style = _STYLE[item.action]
        label = f"{item.kind} {item.name}"
        if item.unique_id:
            label += f"  ({item.unique_id})"
        console.print(Text(f"{'~' if item.action == 'update' else '!'} {label}", style=style))
        if item.action == "missing":
            for note in item.notes:
                console.print(Text(f"    {note}", style=style))
            continue
        for field_change in item.changes:
            console.print(
                Text(
                    f"    {field_change.field}: {_short(field_change.before)} -> "
                    f"{_short(field_change.after)}",
                    style="default",
                )
            )
        for tag in item.tags:
            where = f"column {tag.column}" if tag.column else "table"
            console.print(f"    + LF-tag {tag.key}={tag.value} on {where}")
        for note in item.notes:
            console.print(Text(f"    note: {note}", style="cyan"))
    for warning in plan.warnings:
        console.print(Text(f"warning: {warning}", style="magenta"))


def render_summary(
    plan: Plan, console: Console, applied: ApplyResult | None, dry_run: bool
) -> None:
    counts = plan.counts()
    table = Table(title=f"mesh publish {plan.target}" + (" (dry run)" if dry_run else ""))
    table.add_column("kind")
    for header in ("no-op", "update", "missing"):
        table.add_column(header, justify="right")
    for kind in ("database", "table"):
        c = counts[kind]
        table.add_row(kind, str(c["noop"]), str(c["update"]), str(c["missing"]))
    table.add_row("LF-tag keys", "", str(len(plan.lf_tags)), "")
    console.print(table)
    if applied is not None:
        console.print(
            f"applied: {len(applied.updated)} updated, "
            f"{applied.conflicts} concurrent-modification retries, "
            f"{len(applied.failures)} failed"
        )
        for name, error in applied.failures:
            console.print(Text(f"  failed {name}: {error}", style="red"))
    elif not plan.has_writes:
        console.print("nothing to change")
