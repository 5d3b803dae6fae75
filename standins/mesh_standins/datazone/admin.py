"""The admin surface under `/_emulator/`: health, reset, call counters, faults, save."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mesh_standins.datazone.app import Emulator

PREFIX = "/_emulator/"


def handle_admin(app: Emulator, method: str, path: str, body: bytes) -> tuple[int, Any]:
    """(status, JSON document) for an admin request."""
    route = path[len(PREFIX) :].strip("/")
    try:
        spec = json.loads(body) if body else {}
    except (ValueError, RecursionError):
        return 400, {"message": "the admin request body must be a JSON document"}
    if (method, route) == ("GET", "health"):
        return 200, {
            "status": "ok",
            "operations": len(app.handlers),
            "pageSize": app.page_size,
            "stateFile": str(app.state_file) if app.state_file else None,
            "persistError": app.persist_error,
        }
    if (method, route) == ("POST", "reset"):
        app.reset()
        return 200, {"status": "reset"}
    if route == "calls" and method == "GET":
        return 200, app.calls.snapshot()
    if route == "calls" and method == "DELETE":
        app.calls.clear()
        return 200, {}
    if route == "faults" and method == "GET":
        return 200, app.faults.rules()
    if route == "faults" and method == "POST":
        try:
            return 200, app.faults.add(spec)
        except (TypeError, ValueError) as err:
            return 400, {"message": str(err)}
    if route == "faults" and method == "DELETE":
        app.faults.clear()
        return 200, {}
    if (method, route) == ("POST", "save"):
        app.persist()
        if app.persist_error is not None:
            return 500, {"message": f"the state file was not saved: {app.persist_error}"}
        return 200, {"saved": str(app.state_file) if app.state_file else None}
    return 404, {"message": f"no admin route {method} {path}"}
