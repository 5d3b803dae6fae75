"""botocore's DataZone service model and the HTTP routes generated from its URI templates."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import unquote

import botocore.session
from botocore.model import OperationModel, ServiceModel


@functools.cache
def service_model() -> ServiceModel:
    return botocore.session.get_session().get_service_model("datazone")


_LABEL = re.compile(r"\{([^}+]+)(\+?)\}")


@dataclass(frozen=True)
class Route:
    """One operation's `METHOD /path/{label}` template compiled to a regex over the raw path."""

    operation: OperationModel
    method: str
    pattern: re.Pattern[str]
    labels: tuple[tuple[str, bool], ...]  # (label, greedy)
    literal_chars: int  # more literal text = more specific template
    query_literals: tuple[tuple[str, str], ...]  # `?key=value` fixed in some requestUris


def _compile(op: OperationModel) -> Route:
    path, _, query = op.http["requestUri"].partition("?")
    regex, pos = "", 0
    labels: list[tuple[str, bool]] = []
    for m in _LABEL.finditer(path):
        regex += re.escape(path[pos : m.start()])
        greedy = m.group(2) == "+"
        # A plain label never spans a '/', a greedy one does (botocore keeps '/' unescaped there).
        regex += f"(?P<g{len(labels)}>.+)" if greedy else f"(?P<g{len(labels)}>[^/]+)"
        labels.append((m.group(1), greedy))
        pos = m.end()
    regex += re.escape(path[pos:])
    literal = len(_LABEL.sub("", path))
    qlit = tuple((k, v) for k, _, v in (part.partition("=") for part in query.split("&") if part))
    return Route(op, op.http["method"], re.compile(regex + "/?$"), tuple(labels), literal, qlit)


def _segments(path: str) -> int:
    return path.strip("/").count("/") + 1


class Router:
    """Finds the operation and its path parameters for a request, most specific template first.

    Templates are bucketed by method and number of path segments (a plain label never spans a
    '/'), so a request is matched against a handful of regexes, not every route of its method.
    """

    def __init__(self, model: ServiceModel) -> None:
        routes = [_compile(model.operation_model(n)) for n in model.operation_names]
        self._by_shape: dict[tuple[str, int], list[Route]] = {}
        self._greedy: dict[str, list[Route]] = {}
        for r in sorted(routes, key=lambda r: (-r.literal_chars, r.operation.name)):
            if any(greedy for _label, greedy in r.labels):
                self._greedy.setdefault(r.method, []).append(r)
            else:
                path = r.operation.http["requestUri"].partition("?")[0]
                self._by_shape.setdefault((r.method, _segments(path)), []).append(r)

    def _candidates(self, method: str, raw_path: str) -> list[Route]:
        exact = self._by_shape.get((method, _segments(raw_path)), [])
        greedy = self._greedy.get(method, [])
        if not greedy:
            return exact
        return sorted([*exact, *greedy], key=lambda r: (-r.literal_chars, r.operation.name))

    def match(
        self, method: str, raw_path: str, query: dict[str, list[str]]
    ) -> tuple[OperationModel, dict[str, str]] | None:
        for route in self._candidates(method, raw_path):
            m = route.pattern.match(raw_path)
            if m is None or any(query.get(k, [None])[0] != v for k, v in route.query_literals):
                continue
            params = {
                name: unquote(m.group(f"g{i}")) for i, (name, _greedy) in enumerate(route.labels)
            }
            return route.operation, params
        return None


@functools.cache
def router() -> Router:
    return Router(service_model())


def is_read_operation(name: str) -> bool:
    """Read-only by the DataZone API's naming convention (for call counters and persistence)."""
    return name.startswith(("Get", "List", "Search", "BatchGet", "QueryGraph"))
