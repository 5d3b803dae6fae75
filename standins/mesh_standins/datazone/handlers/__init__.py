"""Operation handlers by resource family; each registers under its DataZone operation name."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mesh_standins.datazone.model import service_model
from mesh_standins.datazone.state import Store


@dataclass
class Context:
    """What a handler may use besides its input: the store and facts about the caller and server."""

    store: Store
    operation: str
    caller: str  # stands in for the DataZone user id: the SigV4 access key id
    region: str
    account: str
    page_size: int
    glue_endpoint: str | None = None


Params = dict[str, Any]
Handler = Callable[[Context, Params], dict[str, Any]]
HANDLERS: dict[str, Handler] = {}

_FAMILIES = (
    "domains",
    "glossaries",
    "types",
    "assets",
    "datasources",
    "listings",
    "products",
    "search",
    "lineage",
    "subscriptions",
    "timeseries",
)


def operation(name: str) -> Callable[[Handler], Handler]:
    """Register a handler; the name must be a DataZone operation of botocore's model."""
    if name not in service_model().operation_names:
        raise ValueError(f"{name} is not a DataZone operation")

    def register(fn: Handler) -> Handler:
        HANDLERS[name] = fn
        return fn

    return register


def load_handlers() -> dict[str, Handler]:
    for family in _FAMILIES:
        importlib.import_module(f"{__name__}.{family}")
    return HANDLERS
