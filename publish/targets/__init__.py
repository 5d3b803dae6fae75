"""Catalog targets of the publisher, one protocol for all: validate -> read -> plan -> apply.

`validate` turns the repository's inputs into the desired state without calling AWS (a problem is
a `BadInputError`); `read` reads the current state (reads only; `--bootstrap` aside); `plan`
diffs the two into a `publish.plan.Plan`; to apply it, the runner (`publish.run`) hands its
actions and the target's `handler` (which writes one action) to the one apply engine
(`publish.apply`). The runner validates every target before reading any, and reads every target
before the first write of any.
"""

from __future__ import annotations

from typing import Protocol

from publish.apply import Handler
from publish.plan import Plan


class Target(Protocol):
    #: glue | lakeformation | datazone
    name: str
    #: for people: "Glue Data Catalog", ...
    title: str
    #: what to check when reading the current state fails (credentials, permissions, endpoint)
    read_fix: str
    #: parallel calls per API operation while applying
    concurrency: int

    def validate(self) -> None: ...

    def read(self) -> None: ...

    def plan(self) -> Plan: ...

    def handler(self) -> Handler: ...
