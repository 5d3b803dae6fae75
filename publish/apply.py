"""Apply a plan by dependency, not by stage: each action starts as soon as the actions it
requires are done, in the lane of its API operation.

Every API operation (CreateAsset, CreateListingChangeSet, PostLineageEvent, UpdateTable, ...) has
its own lane: a pool of `concurrency` threads fed in plan order. DataZone paces each operation at
its own rate (`publish.datazone.ratelimit`), so a lane waiting for its operation's quota never
holds up another operation: a listing goes as soon as its asset exists, lineage posts start at
once. An action whose prerequisite failed or was skipped is skipped in turn (reported, with the
reason); a re-run converges. The ledger keeps the outcome of every action of a run, so an action
may require one of a target applied before (a Glue table update waits for its LF-tags).
"""

from __future__ import annotations

import queue
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal

from botocore.exceptions import BotoCoreError, ClientError

from publish.errors import MeshError
from publish.plan import Action, ApplyResult

Status = Literal["done", "failed", "skipped"]


class Skip(Exception):
    """Raised by a handler whose prerequisite is missing at run time; recorded, not raised."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a handler reports beyond "done": nothing was left to write, conflicts retried."""

    written: bool = True
    retries: int = 0


Handler = Callable[[Action], Outcome | None]


class Ledger:
    """The status of every action applied in one run, across targets (thread-safe)."""

    def __init__(self) -> None:
        self._status: dict[str, Status] = {}
        self._lock = threading.Lock()

    def record(self, action_id: str, status: Status) -> None:
        with self._lock:
            self._status[action_id] = status

    def get(self, action_id: str) -> Status | None:
        with self._lock:
            return self._status.get(action_id)


def apply_actions(
    actions: Sequence[Action],
    handler: Handler,
    *,
    concurrency: int = 8,
    ledger: Ledger | None = None,
    on_done: Callable[[Action], None] | None = None,
) -> ApplyResult:
    """Run every action once its prerequisites are done; failures are recorded, not raised."""
    return _Run(actions, handler, concurrency, ledger or Ledger(), on_done).run()


class _Run:
    def __init__(
        self,
        actions: Sequence[Action],
        handler: Handler,
        concurrency: int,
        ledger: Ledger,
        on_done: Callable[[Action], None] | None,
    ) -> None:
        self.actions = list(actions)
        self.handler = handler
        self.concurrency = concurrency
        self.ledger = ledger
        self.on_done = on_done or (lambda _a: None)
        self.result = ApplyResult()
        self.events: queue.SimpleQueue[tuple[Action, str, object]] = queue.SimpleQueue()
        self.lanes: dict[str, ThreadPoolExecutor] = {}
        self.settled: set[str] = set()
        self.waiting: dict[str, int] = {}
        self.dependents: dict[str, list[Action]] = defaultdict(list)
        #: action id -> why it cannot run (a prerequisite outside this run is not done)
        self.blocked: dict[str, str] = {}

    def run(self) -> ApplyResult:
        planned = {a.id: a for a in self.actions}
        if len(planned) != len(self.actions):
            raise ValueError("a plan holds two actions with the same id")
        for action in self.actions:
            count = 0
            for required in action.requires:
                if required in planned:
                    count += 1
                    self.dependents[required].append(action)
                elif self.ledger.get(required) != "done":
                    found = self.ledger.get(required) or "not planned"
                    self.blocked.setdefault(action.id, f"requires {required} ({found})")
            self.waiting[action.id] = count
        try:
            for action in self.actions:
                if self.waiting[action.id] == 0:
                    self._ready(action)
            while len(self.settled) < len(self.actions):
                action, status, info = self.events.get()
                if status == "crash":
                    assert isinstance(info, BaseException)
                    raise info
                self._settle(action, status, info)
        finally:
            for lane in self.lanes.values():
                lane.shutdown(wait=True, cancel_futures=True)
        return self.result

    def _ready(self, action: Action) -> None:
        reason = self.blocked.get(action.id)
        if reason is not None:
            self._settle(action, "skipped", reason)
            return
        lane = action.operation or action.kind
        pool = self.lanes.get(lane)
        if pool is None:
            pool = self.lanes[lane] = ThreadPoolExecutor(self.concurrency, thread_name_prefix=lane)
        pool.submit(self._work, action)

    def _work(self, action: Action) -> None:
        try:
            outcome = self.handler(action)
        except Skip as skip:
            self.events.put((action, "skipped", str(skip)))
        except (ClientError, BotoCoreError, MeshError) as exc:
            self.events.put((action, "failed", str(exc)))
        except BaseException as exc:  # a bug: stop the run and show the traceback
            self.events.put((action, "crash", exc))
        else:
            self.events.put((action, "done", outcome))

    def _settle(self, action: Action, status: str, info: object) -> None:
        """Record an outcome, then start or skip the actions that waited for it."""
        stack = [(action, status, info)]
        while stack:
            current, state, detail = stack.pop()
            if current.id in self.settled:
                continue
            self.settled.add(current.id)
            self._record(current, state, detail)
            for dependent in self.dependents.get(current.id, ()):
                if dependent.id in self.settled:
                    continue
                if state != "done":
                    verb = "failed" if state == "failed" else "did not run"
                    why = f"requires {current.label}, which {verb}"
                    stack.append((dependent, "skipped", why))
                    continue
                self.waiting[dependent.id] -= 1
                if self.waiting[dependent.id] == 0:
                    self._ready(dependent)

    def _record(self, action: Action, status: str, info: object) -> None:
        result = self.result
        if status == "done":
            outcome = info if isinstance(info, Outcome) else Outcome()
            result.retries += outcome.retries
            (result.done if outcome.written else result.unchanged_on_retry).append(action)
            self.ledger.record(action.id, "done")
        elif status == "failed":
            result.failures.append((action, str(info)))
            self.ledger.record(action.id, "failed")
        else:
            result.skipped.append((action, str(info)))
            self.ledger.record(action.id, "skipped")
        self.on_done(action)
