"""The emulator's in-memory store: tables of JSON-able records, unique keys, idempotency, paging.

Everything here is plain dicts so the whole store round-trips through one JSON file (`--state`).
Search indexes are derived data: rebuilt after a load, never persisted.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

from mesh_standins.datazone.errors import ServiceError, conflict
from mesh_standins.datazone.search import SearchIndex

T = TypeVar("T")

TABLES = (
    "domains",
    "projects",
    "memberships",
    "environments",
    "glossaries",
    "terms",
    "form_types",
    "asset_types",
    "assets",
    "data_products",
    "listings",
    "data_sources",
    "runs",
    "run_activities",
    "lineage_events",
    "lineage_nodes",
    "subscription_requests",
    "subscriptions",
    "time_series",
)
INDEXES = ("ASSET", "GLOSSARY", "GLOSSARY_TERM", "DATA_PRODUCT", "LISTING")
STATE_VERSION = 1
# clientTokens remembered (oldest forgotten first); the service keeps them for hours, not forever.
IDEMPOTENCY_LIMIT = 10_000


def new_id(length: int = 14) -> str:
    """Lower-case alphanumerics like the service's ids (`[a-z0-9]{14}` for lineage events)."""
    return secrets.token_hex(length)[:length]


def now() -> float:
    return round(time.time(), 3)


class StateFileError(ValueError):
    """A `--state` file that cannot be used; the message names the file and the fix."""


def check_writable(path: Path) -> None:
    """Refuse a state file the emulator could not save, before it starts serving (a write would
    otherwise be applied in memory and lost)."""
    if path.is_dir():
        raise StateFileError(f"state file {path} is a directory; name a file inside it")
    parent = path.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=parent, prefix=path.name, suffix=".probe")
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        raise StateFileError(
            f"state file {path} cannot be written ({err.strerror or err}); "
            "choose a writable path for --state, or start without --state"
        ) from None


class Store:
    """All DataZone state. Callers hold `lock` around a whole operation."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.clear()

    def clear(self) -> None:
        self.tables: dict[str, dict[str, dict[str, Any]]] = {t: {} for t in TABLES}
        # "<kind>|<scope...>|<value>" -> record id; enforces uniqueness and finds by name/ARN.
        self.keys: dict[str, str] = {}
        # "<operation>|<clientToken>" -> {"request": fingerprint, "output": output dict}
        self.idempotency: dict[str, dict[str, Any]] = {}
        self.indexes: dict[str, SearchIndex] = {name: SearchIndex() for name in INDEXES}

    def table(self, name: str) -> dict[str, dict[str, Any]]:
        return self.tables[name]

    def claim(self, key: str, record_id: str, message: str) -> None:
        """Reserve a unique key or raise ConflictException with `message`."""
        self.claim_all([(key, record_id, message)])

    def claim_all(self, claims: list[tuple[str, str, str]]) -> None:
        """Reserve several keys, all or none (handlers must not leave half-written state)."""
        for key, record_id, message in claims:
            holder = self.keys.get(key)
            if holder is not None and holder != record_id:
                raise conflict(message)
        for key, record_id, _message in claims:
            self.keys[key] = record_id

    def remember(self, key: str, entry: dict[str, Any]) -> None:
        """Keep a clientToken's answer, forgetting the oldest beyond IDEMPOTENCY_LIMIT."""
        self.idempotency[key] = entry
        while len(self.idempotency) > IDEMPOTENCY_LIMIT:
            del self.idempotency[next(iter(self.idempotency))]

    def release(self, key: str) -> None:
        self.keys.pop(key, None)

    # -- persistence -------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "tables": self.tables,
            "keys": self.keys,
            "idempotency": self.idempotency,
        }

    def save(self, path: Path) -> None:
        """Atomic write: a crash mid-save leaves the previous file intact."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "w") as fh:
            json.dump(self.to_json(), fh, separators=(",", ":"))
        os.replace(tmp, path)

    def load(self, path: Path) -> None:
        """Load a state file; raises StateFileError naming the file for anything unusable."""
        fix = "delete the file (or name another one) to start empty"
        try:
            with path.open() as fh:
                doc = json.load(fh, object_hook=_intern_values)
        except (ValueError, RecursionError) as err:
            raise StateFileError(f"state file {path} is not valid JSON ({err}); {fix}") from None
        except OSError as err:
            raise StateFileError(
                f"state file {path} cannot be read ({err.strerror}); {fix}"
            ) from None
        if not isinstance(doc, dict):
            raise StateFileError(
                f"state file {path} holds a JSON {type(doc).__name__}, not the emulator's state "
                f"object; {fix}"
            )
        if doc.get("version") != STATE_VERSION:
            raise StateFileError(
                f"state file {path} has state version {doc.get('version')!r}, not "
                f"{STATE_VERSION}; {fix}"
            )
        parts = {k: doc.get(k) for k in ("tables", "keys", "idempotency")}
        bad = [k for k, v in parts.items() if not isinstance(v, dict)]
        tables = parts["tables"] if isinstance(parts["tables"], dict) else {}
        bad += [f"tables.{t}" for t in TABLES if not isinstance(tables.get(t, {}), dict)]
        if bad:
            raise StateFileError(
                f"state file {path} is not the emulator's state ({', '.join(bad)} missing or "
                f"not an object); {fix}"
            )
        self.clear()
        for name in TABLES:
            self.tables[name] = tables.get(name, {})
        self.keys = parts["keys"]  # type: ignore[assignment]
        self.idempotency = parts["idempotency"]  # type: ignore[assignment]


def _intern_values(obj: dict[str, Any]) -> dict[str, Any]:
    """Share repeated short strings (ids, type names) across the loaded records: saves ~100 MB
    at 100k assets, where every record repeats its domain, project and type."""
    for key, value in obj.items():
        if isinstance(value, str) and len(value) <= 64:
            obj[key] = sys.intern(value)
    return obj


def encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode()


def decode_token(token: str | None) -> int:
    if not token:
        return 0
    try:
        offset = json.loads(base64.urlsafe_b64decode(token.encode()))["o"]
    except (ValueError, KeyError, TypeError):
        raise ServiceError("ValidationException", "The nextToken is not valid") from None
    if not isinstance(offset, int) or offset < 0:
        raise ServiceError("ValidationException", "The nextToken is not valid")
    return offset


def paginate(
    items: Sequence[T], max_results: int | None, next_token: str | None, page_size: int
) -> tuple[list[T], str | None]:
    """One page of `items` and the token for the next (None on the last page).

    `page_size` is the server's cap (configurable so tests page through small sets).
    """
    start = decode_token(next_token)
    size = min(max_results or page_size, page_size)
    page = list(items[start : start + size])
    end = start + len(page)
    return page, (encode_token(end) if end < len(items) else None)
