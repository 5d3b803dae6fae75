"""Every documented constraint of an AWS request, checked before the request is sent.

botocore's service models carry each input member's documented `min`, `max`, `pattern` and `enum`;
botocore's own ParamValidator checks only types, required members and `min`. `check` walks a
request over its operation's input shape (botocore's `OperationModel.input_shape`, its members
resolved by botocore's `ShapeResolver`) and returns every violation: string length, pattern, enum,
list and map length, number range, blob size, required members. The publisher's hand-written
limits (`bound`) read their numbers from the same model, so no limit is written twice.

How AWS counts: a string's length is its number of Unicode code points (Smithy's `@length` on a
string: "the number of Unicode scalar values"; Python's `len`), a blob's is its bytes (UTF-8 when
given as text), a list's or map's its entries. Patterns match the whole value: botocore's models
drop the `^...$` anchors of the service's patterns (`FormName`: `(?![0-9_])\\w+$|^_\\w*...`). One
Java idiom is rewritten for Python's `re`: `\\uD800\\uDC00-\\uDBFF\\uDFFF`, a range of UTF-16
surrogate pairs, is U+10000-U+10FFFF (Glue's and Lake Formation's "single-line string" pattern,
which refuses control characters). A pattern `re` still cannot compile (`\\p{L}` classes) is not
checked, and counted (`unchecked_patterns`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from publish.errors import BadInputError

# botocore is imported when a model is first asked for (`mesh --help` stays light)
if TYPE_CHECKING:
    from botocore.model import OperationModel, ServiceModel, Shape


@dataclass(frozen=True, slots=True)
class Violation:
    """One constraint a request breaks: where (`path`, as `formsInput[2].content`), which limit,
    and how big the value is."""

    operation: str
    path: str
    kind: str  # length | pattern | enum | count | range | size | required
    limit: str  # for people: "at most 2,048 characters"
    actual: str  # for people: "2,300 characters"

    def __str__(self) -> str:
        return f"{self.operation} `{self.path}` has {self.actual}; the API takes {self.limit}"


@dataclass(frozen=True, slots=True)
class Bound:
    """The documented constraints of one input member (None: none documented)."""

    min: int | float | None
    max: int | float | None
    pattern: str | None
    enum: tuple[str, ...]


_MODELS: dict[str, ServiceModel] = {}


def adopt(model: ServiceModel) -> None:
    """Use the model a client loaded already (`publish.aws.AwsClients.client`), rather than load
    it again (Glue's takes about 45 ms)."""
    _MODELS.setdefault(model.service_name, model)


def service_model(service: str) -> ServiceModel:
    """botocore's model of `service` (the one the installed botocore's clients use)."""
    found = _MODELS.get(service)
    if found is None:
        from botocore.session import Session

        found = _MODELS.setdefault(service, Session().get_service_model(service))
    return found


@functools.cache
def operation_model(service: str, operation: str) -> OperationModel:
    return service_model(service).operation_model(operation)


def shape_at(service: str, operation: str, path: str) -> Shape:
    """The shape of one input member: `formsInput[].content`, `TableInput.Parameters{}` (a map's
    values), `TableInput.Parameters{key}` (its keys)."""
    found = operation_model(service, operation).input_shape
    assert found is not None, f"{service} {operation} takes no input"
    shape: Any = found
    for part in filter(None, re.split(r"\.|(?=\[\])|(?=\{)", path)):
        if part == "[]":
            shape = shape.member
        elif part == "{}":
            shape = shape.value
        elif part == "{key}":
            shape = shape.key
        else:
            shape = shape.members[part]
    return shape  # type: ignore[no-any-return]


@functools.cache
def bound(service: str, operation: str, path: str) -> Bound:
    """The documented constraints of one input member, for checks written by hand (a friendlier
    message, a graceful fallback) that must use the API's own numbers."""
    shape = shape_at(service, operation, path)
    meta = shape.metadata
    enum = tuple(getattr(shape, "enum", None) or ())
    return Bound(meta.get("min"), meta.get("max"), meta.get("pattern"), enum)


def maximum(service: str, operation: str, path: str) -> int:
    """The documented maximum of one member (its length, count, size or value)."""
    found = bound(service, operation, path).max
    assert found is not None, f"{service} {operation} {path} documents no maximum"
    return int(found)


# --- patterns -------------------------------------------------------------------------------------

_UNCHECKED: set[str] = set()
#: Java (UTF-16) writes "any supplementary character" as a range of surrogate pairs
_SURROGATES = re.compile(r"\\u[dD]800\\u[dD][cC]00-\\u[dD][bB][fF][fF]\\u[dD][fF][fF][fF]")


@functools.cache
def compiled(pattern: str) -> re.Pattern[str] | None:
    """The model's pattern for Python's `re` (None: `re` cannot express it; counted)."""
    try:
        return re.compile(_SURROGATES.sub(r"\\U00010000-\\U0010FFFF", pattern))
    except re.error:
        _UNCHECKED.add(pattern)
        return None


def unchecked_patterns() -> frozenset[str]:
    """The patterns met so far that Python's `re` cannot compile (not checked)."""
    return frozenset(_UNCHECKED)


def unchecked_shapes(service: str) -> list[str]:
    """The shapes of `service` whose pattern is not checked (Python's `re` cannot compile it)."""
    model = service_model(service)
    return sorted(
        name
        for name in model.shape_names
        if (pattern := model.shape_for(name).metadata.get("pattern")) and compiled(pattern) is None
    )


# --- the walk -------------------------------------------------------------------------------------


def check(service: str, operation: str, params: Mapping[str, Any]) -> list[Violation]:
    """Every documented constraint `params` (a request, as boto3 takes it) breaks."""
    shape = operation_model(service, operation).input_shape
    assert shape is not None
    out: list[Violation] = []
    _walk(operation, shape, params, "", out)
    return out


#: the fix named when a request is refused while applying (a preflight names the file)
APPLY_FIX = (
    "run the same publish with --dry-run: it checks every request before the first write and "
    "names the file to change"
)


def ensure(service: str, operation: str, params: Mapping[str, Any]) -> None:
    """A BadInputError, before the request is sent, if it breaks a documented constraint."""
    found = check(service, operation, params)
    if found:
        more = f" (and {len(found) - 3} more)" if len(found) > 3 else ""
        raise BadInputError("; ".join(map(str, found[:3])) + more, fix=APPLY_FIX)


def refuse(service: str, operation: str, path: str, value: Any, *, reserve: int = 0) -> Any:
    """`value` if the member takes it (`reserve` characters kept back from its maximum length);
    otherwise a ValueError saying why (for a pydantic validator of a configuration file)."""
    found = member_checker(service, operation, path)(value)
    high = bound(service, operation, path).max
    if reserve and high is not None and len(value) > high - reserve:
        raise ValueError(f"has {len(value):,} characters; at most {high - reserve:,} fit")
    if found:
        raise ValueError(f"has {found[0].actual}; {operation} takes {found[0].limit}")
    return value


@functools.cache
def accepts(service: str, operation: str, path: str) -> Callable[[str], bool]:
    """A fast yes/no for a string member (length and pattern, as `check`), for a caller that
    checks many values and asks `member_checker` why only of the values refused."""
    meta = shape_at(service, operation, path).metadata
    low, high = meta.get("min", 0), meta.get("max")
    rx = compiled(meta["pattern"]) if "pattern" in meta else None
    if rx is None:
        return lambda value: low <= len(value) and (high is None or len(value) <= high)
    match = rx.fullmatch
    return lambda value: (
        low <= len(value) and (high is None or len(value) <= high) and match(value) is not None
    )


@functools.cache
def member_checker(service: str, operation: str, path: str) -> Callable[[Any], list[Violation]]:
    """A check of one member's values (`path` as in `shape_at`), for a caller that checks each
    distinct value once rather than whole requests (a Glue publish of 10,000 tables)."""
    shape = shape_at(service, operation, path)
    shown = path.replace("[]", "[*]").replace("{}", "{*}")

    def run(value: Any) -> list[Violation]:
        out: list[Violation] = []
        _walk(operation, shape, value, shown, out)
        return out

    return run


_UNITS = {"string": "characters", "blob": "bytes", "list": "items", "map": "entries"}


def _size(kind: str, value: Any) -> int:
    if kind == "blob" and isinstance(value, str):
        return len(value.encode("utf-8"))
    return len(value)


def _walk(operation: str, shape: Shape, value: Any, path: str, out: list[Violation]) -> None:
    kind = shape.type_name
    meta = shape.metadata
    if kind in _UNITS and isinstance(value, str | bytes | list | tuple | dict | Mapping):
        unit = _UNITS[kind]
        size = _size(kind, value)
        low, high = meta.get("min"), meta.get("max")
        if low is not None and size < low:
            out.append(
                Violation(operation, path, "length", f"at least {low:,} {unit}", f"{size:,} {unit}")
            )
        if high is not None and size > high:
            what = "size" if kind == "blob" else "count" if kind in ("list", "map") else "length"
            out.append(
                Violation(operation, path, what, f"at most {high:,} {unit}", f"{size:,} {unit}")
            )
    elif kind in ("integer", "long", "float", "double") and isinstance(value, int | float):
        low, high = meta.get("min"), meta.get("max")
        if (low is not None and value < low) or (high is not None and value > high):
            shown = f"{low if low is not None else '-inf'} to {high if high is not None else 'inf'}"
            out.append(Violation(operation, path, "range", f"values {shown}", f"the value {value}"))
    if kind == "string" and isinstance(value, str):
        enum = shape.enum  # type: ignore[attr-defined]
        if enum and value not in enum:
            out.append(
                Violation(operation, path, "enum", f"one of {', '.join(enum)}", f"{_show(value)}")
            )
        pattern = meta.get("pattern")
        if pattern:
            rx = compiled(pattern)
            if rx is not None and rx.fullmatch(value) is None:
                out.append(
                    Violation(
                        operation,
                        path,
                        "pattern",
                        f"values matching {pattern}",
                        f"{_show(value)}{_offending(rx, value)}",
                    )
                )
    elif kind == "structure" and isinstance(value, Mapping):
        members = shape.members  # type: ignore[attr-defined]
        for name in shape.required_members:  # type: ignore[attr-defined]
            if value.get(name) is None:
                where = f"{path}.{name}" if path else name
                out.append(Violation(operation, where, "required", "a value", "none"))
        for name, item in value.items():
            if item is not None and name in members:
                _walk(operation, members[name], item, f"{path}.{name}" if path else name, out)
    elif kind == "list" and isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _walk(operation, shape.member, item, f"{path}[{i}]", out)  # type: ignore[attr-defined]
    elif kind == "map" and isinstance(value, Mapping):
        for key, item in value.items():
            _walk(operation, shape.key, key, f"{path} key {key!r}", out)  # type: ignore[attr-defined]
            _walk(operation, shape.value, item, f"{path}[{key!r}]", out)  # type: ignore[attr-defined]


def _show(value: str, width: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 4] + "...'"


#: a pattern that is one character class, repeated (Glue's single-line strings)
_CLASS_STAR = re.compile(r"\(?\[[^\]]*\]\)?\*")


def _offending(rx: re.Pattern[str], value: str) -> str:
    """Name the first character a `[...]*` pattern refuses (a control character, mostly)."""
    if _CLASS_STAR.fullmatch(rx.pattern) is None:
        return ""
    for i, char in enumerate(value):
        if rx.fullmatch(char) is None:
            return f" (refused: {char!r} at character {i + 1})"
    return ""
