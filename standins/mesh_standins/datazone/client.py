"""A tiny client for the emulator's admin surface (`/_emulator/...`), outside the AWS API."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from mesh_standins.datazone.model import is_read_operation


class EmulatorAdmin:
    """Reset state, read per-operation call counters and inject faults, over plain HTTP."""

    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            f"{self.base_url}/_emulator/{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=self.timeout) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else None

    def health(self) -> dict[str, Any]:
        return self._call("GET", "health")

    def reset(self) -> None:
        """Drop all DataZone state, call counters and faults."""
        self._call("POST", "reset")

    def calls(self) -> dict[str, int]:
        """`{operation: count}` of every modeled call received (faulted ones included)."""
        return self._call("GET", "calls")

    def reset_calls(self) -> None:
        self._call("DELETE", "calls")

    def writes(self) -> dict[str, int]:
        return {op: n for op, n in self.calls().items() if not is_read_operation(op)}

    def reads(self) -> dict[str, int]:
        return {op: n for op, n in self.calls().items() if is_read_operation(op)}

    def inject(
        self,
        operation: str,
        error: str = "ThrottlingException",
        *,
        count: int | None = None,
        every: int | None = None,
        rate: float | None = None,
        seed: int = 0,
        latency_ms: int = 0,
        status: int | None = None,
        after: bool = False,
    ) -> dict[str, Any]:
        """Fail the next `count` calls, every `every`-th call, or a seeded `rate` of calls.

        `operation` may be `*` for all operations; `error=None`-like "none" adds latency only.
        `after=True` fails calls after they succeeded and their state change was kept (the
        response is lost): a retry must reuse its clientToken to get the original result.
        """
        rule = {
            "operation": operation,
            "error": error,
            "count": count,
            "every": every,
            "rate": rate,
            "seed": seed,
            "latency_ms": latency_ms,
            "status": status,
            "after": after,
        }
        return self._call("POST", "faults", rule)

    def faults(self) -> list[dict[str, Any]]:
        return self._call("GET", "faults")

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

    def save(self) -> None:
        """Write the state file now (only when the emulator was started with one)."""
        self._call("POST", "save")
