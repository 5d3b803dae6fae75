"""Deterministic fault injection per operation, and per-operation call counters."""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from mesh_standins.datazone.errors import ServiceError
from mesh_standins.datazone.model import service_model


class FaultSpec(BaseModel):
    """A fault rule as the admin API accepts it: every field typed and bounded, so a rule that
    would misbehave later (`"rate": "abc"`, `status: 999`) is refused when it is added."""

    model_config = ConfigDict(extra="forbid", strict=True)

    operation: Annotated[str, Field(min_length=1)]
    error: str | None = "ThrottlingException"
    count: Annotated[int, Field(ge=1)] | None = None
    every: Annotated[int, Field(ge=1)] | None = None
    rate: Annotated[float, Field(ge=0.0, le=1.0)] | None = None
    seed: int = 0
    latency_ms: Annotated[int, Field(ge=0, le=60_000)] = 0
    status: Annotated[int, Field(ge=400, le=599)] | None = None
    after: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> FaultSpec:
        chosen = [k for k in ("count", "every", "rate") if getattr(self, k) is not None]
        if len(chosen) > 1:
            raise ValueError(f"give at most one of count, every and rate (got {', '.join(chosen)})")
        if self.operation != "*" and self.operation not in service_model().operation_names:
            raise ValueError(f"operation {self.operation!r} is not a DataZone operation (or '*')")
        if self.error in ("", "none", "None"):
            self.error = None
        if self.error is not None:
            try:  # unknown error codes fail here, not on the next call
                ServiceError(self.error, "probe")
            except Exception:
                raise ValueError(f"unknown error code {self.error!r}") from None
        return self


def describe(err: ValidationError) -> str:
    """One line per problem: `rate: Input should be a valid number (got 'abc')`."""
    lines = []
    for problem in err.errors():
        where = ".".join(str(p) for p in problem["loc"]) or "rule"
        message = problem["msg"].removeprefix("Value error, ")
        shown = f" (got {problem['input']!r})" if problem["loc"] else ""
        lines.append(f"{where}: {message}{shown}")
    return "; ".join(lines)


@dataclass
class FaultRule:
    """Fail (or delay) calls of `operation` (`*` = any).

    Which calls: the next `count` ones, else every `every`-th one, else a `rate` drawn from
    `random.Random(seed)`, else all of them while the rule exists.
    `after`: fire once the handler answered and its state change was kept (only calls that
    succeeded count), so the client sees an error although the write happened: "response lost".
    """

    operation: str
    error: str | None = "ThrottlingException"
    count: int | None = None
    every: int | None = None
    rate: float | None = None
    seed: int = 0
    latency_ms: int = 0
    status: int | None = None  # default: the status the model gives the error
    after: bool = False
    seen: int = 0
    fired: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def fires(self) -> bool:
        self.seen += 1
        if self.count is not None:
            hit = self.fired < self.count
        elif self.every:
            hit = self.seen % self.every == 0
        elif self.rate is not None:
            hit = self._rng.random() < self.rate
        else:
            hit = True
        self.fired += hit
        return hit

    @property
    def exhausted(self) -> bool:
        return self.count is not None and self.fired >= self.count

    def public(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if not k.startswith("_")}


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []

    def add(self, spec: Any) -> dict[str, Any]:
        """Add a rule; raises ValueError naming every problem of `spec`."""
        if not isinstance(spec, dict):
            raise ValueError("a fault rule is a JSON object")
        try:
            valid = FaultSpec.model_validate({k: v for k, v in spec.items() if v is not None})
        except ValidationError as err:
            raise ValueError(f"fault rule refused: {describe(err)}") from None
        rule = FaultRule(**valid.model_dump())
        with self._lock:
            self._rules.append(rule)
        return rule.public()

    def rules(self) -> list[dict[str, Any]]:
        with self._lock:
            return [r.public() for r in self._rules]

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def check(self, operation: str, after: bool = False) -> tuple[float, ServiceError | None]:
        """Seconds to sleep and the error to answer (if any) for this call, before the handler
        runs or (`after`) once it has succeeded."""
        with self._lock:
            for rule in self._rules:
                if rule.after != after or rule.operation not in (operation, "*"):
                    continue
                if not rule.fires():
                    continue
                if rule.exhausted:
                    self._rules.remove(rule)
                error = None
                if rule.error is not None:
                    error = ServiceError(
                        rule.error, f"Injected {rule.error} for {operation}", rule.status
                    )
                return rule.latency_ms / 1000.0, error
        return 0.0, None


class CallCounter:
    """`{operation: calls}` for every modeled operation that reached the server."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def hit(self, operation: str) -> None:
        with self._lock:
            self._counts[operation] += 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()
