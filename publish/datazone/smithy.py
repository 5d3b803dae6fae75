"""Just enough of the Smithy IDL to validate metadata-form content against its form type.

A form type's model is one `structure` (optionally with helper `list`/`map`/`structure` shapes);
we read member names, target types and the `@required`, `@length` and `@range` traits.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

_TOKEN = re.compile(
    r'\s*(?:(?P<comment>//[^\n]*)|(?P<string>"(?:[^"\\]|\\.)*")|(?P<word>[\w.#$-]+)|(?P<punct>[{}()\[\]:,=@]))'
)
_PRIMITIVES = {
    "String": "string",
    "Integer": "integer",
    "Long": "integer",
    "Short": "integer",
    "Byte": "integer",
    "BigInteger": "integer",
    "Double": "number",
    "Float": "number",
    "BigDecimal": "number",
    "Boolean": "boolean",
    "Timestamp": "timestamp",
    "Document": "document",
}


class SmithyError(ValueError):
    """The model text is not a Smithy structure we can read."""


@dataclass
class Member:
    name: str
    target: str
    traits: dict[str, Any] = field(default_factory=dict)


@dataclass
class ShapeDef:
    kind: str  # structure | list | map | enum | primitive
    name: str
    members: dict[str, Member] = field(default_factory=dict)


@dataclass
class FormModel:
    """The parsed model: its top-level structure and the shapes it refers to."""

    root: str
    shapes: dict[str, ShapeDef]


def _tokens(text: str) -> list[str]:
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            if text[pos:].strip() == "":
                break
            raise SmithyError(f"unexpected text at offset {pos}: {text[pos : pos + 20]!r}")
        pos = m.end()
        if m.group("comment") is None:
            out.append(m.group(0).strip())
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.toks = _tokens(text)
        self.i = 0

    def peek(self) -> str | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def next(self) -> str:
        if self.i >= len(self.toks):
            raise SmithyError("unexpected end of model")
        self.i += 1
        return self.toks[self.i - 1]

    def expect(self, tok: str) -> None:
        got = self.next()
        if got != tok:
            raise SmithyError(f"expected {tok!r}, found {got!r}")

    def trait_value(self) -> Any:
        """The parenthesised argument of a trait: `(min: 1, max: 5)` -> dict, `("x")` -> str."""
        depth, args, key = 0, {}, None
        items: list[str] = []
        while True:
            tok = self.next()
            if tok == "(":
                depth += 1
                continue
            if tok == ")":
                depth -= 1
                if depth == 0:
                    break
                continue
            if tok in ("[", "{"):
                depth += 1
            elif tok in ("]", "}"):
                depth -= 1
            elif tok == ":" and items:
                key = items.pop()
            elif tok != ",":
                if key is not None:
                    args[key.strip('"')] = _literal(tok)
                    key = None
                else:
                    items.append(tok)
        if args:
            return args
        return _literal(items[0]) if items else True

    def traits(self) -> dict[str, Any]:
        traits: dict[str, Any] = {}
        while self.peek() == "@":
            self.next()
            name = self.next().split("#")[-1]
            traits[name] = self.trait_value() if self.peek() == "(" else True
        return traits

    def parse(self) -> FormModel:
        shapes: dict[str, ShapeDef] = {}
        order: list[str] = []
        while self.peek() is not None:
            tok = self.next()
            if tok.startswith("$") or tok in ("namespace", "use", "metadata"):
                self._skip_statement(tok)
                continue
            if tok == "@":
                self.i -= 1
                self.traits()
                continue
            if tok in ("structure", "list", "map", "union", "enum", "set"):
                shape = self.shape(tok)
                shapes[shape.name] = shape
                order.append(shape.name)
                continue
            if tok in ("string", "integer", "long", "double", "float", "boolean", "timestamp"):
                name = self.next()
                shapes[name] = ShapeDef("primitive", name, {"_": Member("_", tok.capitalize())})
                continue
            raise SmithyError(f"unexpected {tok!r}")
        roots = [n for n in order if shapes[n].kind == "structure"]
        if not roots:
            raise SmithyError("the model defines no structure")
        return FormModel(roots[0], shapes)

    def _skip_statement(self, tok: str) -> None:
        if tok.startswith("$") or tok == "metadata":
            self.expect(":") if tok.startswith("$") else None
            if tok == "metadata":
                self.next()
                self.expect("=")
            self.next()
        else:
            self.next()

    def shape(self, kind: str) -> ShapeDef:
        name = self.next()
        if self.peek() == "with":  # mixins: not needed for validation
            self.next()
            self.next()
            while self.peek() != "]":
                self.next()
            self.next()
        self.expect("{")
        shape = ShapeDef(kind, name)
        while self.peek() != "}":
            traits = self.traits()
            member = self.next()
            if self.peek() == ":":
                self.next()
                target = self.next()
            else:
                target = "Unit"  # enum members
            if self.peek() == "=":
                self.next()
                traits["default"] = _literal(self.next())
            if self.peek() == ",":
                self.next()
            shape.members[member] = Member(member, target.split("#")[-1], traits)
        self.expect("}")
        return shape


def _literal(tok: str) -> Any:
    if tok.startswith('"'):
        return json.loads(tok)
    try:
        return json.loads(tok)
    except ValueError:
        return tok


def parse_model(text: str) -> FormModel:
    """Parse a form type's Smithy model; raises SmithyError with a short reason."""
    return _Parser(text).parse()


def validate_content(model: FormModel, content: Any) -> list[str]:
    """Problems with a form's JSON content against the model's root structure (empty if valid)."""
    errors: list[str] = []
    _check(model, model.root, content, "", {}, errors)
    return errors


def _check(
    model: FormModel, target: str, value: Any, path: str, traits: dict[str, Any], errors: list[str]
) -> None:
    where = path or "content"
    kind = _PRIMITIVES.get(target)
    shape = model.shapes.get(target)
    if shape is not None and shape.kind == "primitive":
        kind = _PRIMITIVES.get(shape.members["_"].target)
    if kind is not None:
        _check_primitive(kind, value, where, traits, errors)
        return
    if shape is None:
        errors.append(f"{where}: unknown type {target}")
        return
    if shape.kind == "structure":
        if not isinstance(value, dict):
            errors.append(f"{where}: expected an object")
            return
        for name, member in shape.members.items():
            if member.traits.get("required") and value.get(name) is None:
                errors.append(f"{path + '.' if path else ''}{name}: is required")
        for key, item in value.items():
            found = shape.members.get(key)
            if found is None:
                errors.append(f"{path + '.' if path else ''}{key}: is not a member of {shape.name}")
            elif item is not None:
                member = found
                _check(
                    model,
                    member.target,
                    item,
                    f"{path + '.' if path else ''}{key}",
                    member.traits,
                    errors,
                )
    elif shape.kind in ("list", "set"):
        if not isinstance(value, list):
            errors.append(f"{where}: expected a list")
            return
        _check_length(value, where, traits, errors)
        m = shape.members.get("member")
        for i, item in enumerate(value):
            if m is not None:
                _check(model, m.target, item, f"{where}[{i}]", m.traits, errors)
    elif shape.kind == "map":
        if not isinstance(value, dict):
            errors.append(f"{where}: expected an object")
            return
        m = shape.members.get("value")
        for key, item in value.items():
            if m is not None:
                _check(model, m.target, item, f"{where}.{key}", m.traits, errors)
    elif shape.kind == "enum":
        if value not in shape.members and value not in {
            m.traits.get("enumValue") for m in shape.members.values()
        }:
            errors.append(f"{where}: {value!r} is not one of {sorted(shape.members)}")
    elif shape.kind == "union" and (not isinstance(value, dict) or len(value) != 1):
        errors.append(f"{where}: expected exactly one member of {shape.name}")


def _check_length(value: Any, where: str, traits: dict[str, Any], errors: list[str]) -> None:
    length = traits.get("length")
    if isinstance(length, dict):
        if "min" in length and len(value) < length["min"]:
            errors.append(f"{where}: length must be at least {length['min']}")
        if "max" in length and len(value) > length["max"]:
            errors.append(f"{where}: length must be at most {length['max']}")


def _check_primitive(
    kind: str, value: Any, where: str, traits: dict[str, Any], errors: list[str]
) -> None:
    ok = {
        "string": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
        "timestamp": _is_timestamp(value),
        "document": True,
    }[kind]
    if not ok:
        errors.append(f"{where}: expected {kind}, got {type(value).__name__}")
        return
    if kind == "string":
        _check_length(value, where, traits, errors)
        pattern = traits.get("pattern")
        if isinstance(pattern, str) and re.search(pattern, value) is None:
            errors.append(f"{where}: does not match pattern {pattern}")
    rng = traits.get("range")
    if isinstance(rng, dict) and kind in ("integer", "number"):
        if "min" in rng and value < rng["min"]:
            errors.append(f"{where}: must be at least {rng['min']}")
        if "max" in rng and value > rng["max"]:
            errors.append(f"{where}: must be at most {rng['max']}")


def _is_timestamp(value: Any) -> bool:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return True
    if isinstance(value, str):
        try:
            dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            return True
        except ValueError:
            return False
    return False
