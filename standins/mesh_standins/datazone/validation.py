"""Server-side input validation from the model's constraints, worded like the service's messages.

botocore's client-side ParamValidator checks only required members, types and minimums; this adds
enums, maximum lengths, ranges, patterns and union arity, so callers can switch the client off.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from botocore.model import Shape, StructureShape

from mesh_standins.datazone.errors import ServiceError
from publish.limits import compiled

# (operation, member) -> predicate: values for which the member's pattern is not enforced.
# GetAsset documents `externalIdentifer%2F<externalIdentifier>` although its pattern is an id's.
PATTERN_EXEMPTIONS: dict[tuple[str, str], Callable[[str], bool]] = {}


def _regex(pattern: str) -> re.Pattern[str] | None:
    r"""The model's pattern as the publisher's checker compiles it (`publish.limits.compiled`),
    matched against whole values (botocore strips the model's ^...$ anchors); None: Python's re
    cannot express it (\p{L} classes: GroupIdentifier's), not enforced here, and counted."""
    return compiled(pattern)


def _show(value: Any) -> str:
    text = f"'{value}'" if isinstance(value, str) else str(value)
    return text if len(text) <= 100 else text[:97] + "..."


_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "long": (int,),
    "boolean": (bool,),
    "double": (int, float),
    "float": (int, float),
    "timestamp": (int, float),
    "blob": (bytes, str),
    "list": (list,),
    "map": (dict,),
    "structure": (dict,),
}


class _Walker:
    def __init__(self, op_name: str) -> None:
        self.op_name = op_name
        self.errors: list[str] = []

    def fail(self, value: Any, path: str, constraint: str) -> None:
        shown = "null" if value is None else _show(value)
        self.errors.append(
            f"Value {shown} at '{path}' failed to satisfy constraint: Member must {constraint}"
        )

    def walk(self, shape: Shape, value: Any, path: str, member: str) -> None:
        t = shape.type_name
        expected = _TYPES.get(t)
        if expected and (
            not isinstance(value, expected) or (t != "boolean" and isinstance(value, bool))
        ):
            raise ServiceError("SerializationException", f"Value at '{path}' must be of type {t}")
        meta = shape.metadata
        if t in ("string", "blob", "list", "map"):
            n = len(value)
            if "min" in meta and n < meta["min"]:
                self.fail(value, path, f"have length greater than or equal to {meta['min']}")
            if "max" in meta and n > meta["max"]:
                self.fail(value, path, f"have length less than or equal to {meta['max']}")
        elif t in ("integer", "long", "double", "float"):
            if "min" in meta and value < meta["min"]:
                self.fail(value, path, f"have value greater than or equal to {meta['min']}")
            if "max" in meta and value > meta["max"]:
                self.fail(value, path, f"have value less than or equal to {meta['max']}")
        if t == "string":
            enum = getattr(shape, "enum", None)
            if enum and value not in enum:
                self.fail(value, path, f"satisfy enum value set: [{', '.join(enum)}]")
            pattern = meta.get("pattern")
            exempt = PATTERN_EXEMPTIONS.get((self.op_name, member))
            if pattern and not (exempt and exempt(value)):
                rx = _regex(pattern)
                if rx is not None and rx.fullmatch(value) is None:
                    self.fail(value, path, f"satisfy regular expression pattern: {pattern}")
        elif t == "structure":
            assert isinstance(shape, StructureShape)
            self.structure(shape, value, path)
        elif t == "list":
            for i, item in enumerate(value, start=1):
                self.walk(shape.member, item, f"{path}.{i}.member", "member")  # type: ignore[attr-defined]
        elif t == "map":
            for k, v in value.items():
                self.walk(shape.key, k, f"{path}.{k}.key", "key")  # type: ignore[attr-defined]
                self.walk(shape.value, v, f"{path}.{k}.value", "value")  # type: ignore[attr-defined]

    def structure(self, shape: StructureShape, value: dict[str, Any], prefix: str) -> None:
        for name in shape.required_members:
            if value.get(name) is None:
                self.fail(None, f"{prefix}{'.' if prefix else ''}{name}", "not be null")
        present = [n for n in shape.members if value.get(n) is not None]
        if shape.is_tagged_union and len(present) != 1:
            self.errors.append(
                f"Value at '{prefix or shape.name}' failed to satisfy constraint: "
                f"Member must have exactly one of [{', '.join(shape.members)}] set"
            )
        for name in present:
            self.walk(
                shape.members[name], value[name], f"{prefix}{'.' if prefix else ''}{name}", name
            )


def validate_input(op_name: str, shape: StructureShape | None, params: dict[str, Any]) -> None:
    """Raise ValidationException listing every violated constraint, like the service does."""
    if shape is None:
        return
    walker = _Walker(op_name)
    walker.structure(shape, params, "")
    if walker.errors:
        n = len(walker.errors)
        raise ServiceError(
            "ValidationException",
            f"{n} validation error{'s' if n > 1 else ''} detected: " + "; ".join(walker.errors),
        )
