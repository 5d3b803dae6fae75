"""Catalog targets of the publisher, one protocol for all: validate -> read -> plan -> apply.

`validate` turns the repository's inputs into the desired state without calling AWS (a problem is
a `BadInputError`); `read` reads the current state (reads only; `--bootstrap` aside); `plan`
diffs the two into a `publish.plan.Plan`; `apply` writes it with `publish.apply`. The runner
(`publish.run`) validates every target before reading any, and reads every target before the
first write of any.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from publish.apply import Ledger
from publish.plan import Action, ApplyResult, Plan


class Target(Protocol):
    #: glue | lakeformation | datazone
    name: str
    #: for people: "Glue Data Catalog", ...
    title: str
    #: what to check when reading the current state fails (credentials, permissions, endpoint)
    read_fix: str

    def validate(self) -> None: ...

    def read(self) -> None: ...

    def plan(self) -> Plan: ...

    def apply(
        self, plan: Plan, *, ledger: Ledger, on_done: Callable[[Action], None] | None = None
    ) -> ApplyResult: ...
