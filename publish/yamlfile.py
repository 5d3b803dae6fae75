"""Reading the repository's YAML files (catalog/, domains/) with errors a person can act on.

Every loader of a YAML file goes through here, so a missing, unreadable or empty file, broken
YAML, a key given twice or a value that fails validation always reads the same way: the file,
what is wrong and where, and the fix.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from publish.errors import BadInputError

M = TypeVar("M", bound=BaseModel)


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a key given twice in one mapping.

    YAML requires keys to be unique; PyYAML silently keeps the last value, so a pasted block or a
    second `region:` would quietly win (dbt 1.10+ warns about the same in its own files).
    """


class _DuplicateKey(yaml.YAMLError):
    pass


def _unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *anchor` entries may be overridden
            continue
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool | None):
            continue
        if key in seen:
            raise _DuplicateKey(
                f"the key {key!r} is given twice in one mapping (lines {seen[key]} and "
                f"{key_node.start_mark.line + 1}); YAML keys are unique, and the second would "
                "silently replace the first"
            )
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def read_yaml(path: Path, what: str, *, fix: str, missing_fix: str | None = None) -> Any:
    """The parsed document (None for an empty file); missing or broken files are BadInputError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInputError(f"{what} does not exist", file=path, fix=missing_fix or fix) from None
    except IsADirectoryError:
        raise BadInputError(
            f"this is a directory, not {what} (a YAML file)",
            file=path,
            fix=missing_fix or fix,
        ) from None
    except UnicodeDecodeError as exc:
        raise BadInputError(
            f"{what} is not UTF-8 text (byte {exc.start}): not a YAML file", file=path, fix=fix
        ) from None
    except OSError as exc:
        raise BadInputError(
            f"cannot read {what} ({exc.strerror})", file=path, fix=missing_fix or fix
        ) from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        detail = " ".join(str(exc).split())
        raise BadInputError(f"{what} is not valid YAML ({detail})", file=path, fix=fix) from None


def validate(model: type[M], document: Any, path: Path, what: str, *, fix: str) -> M:
    """`model` validated from `document`; the first error names its location in the file.

    An unknown key is reported before anything else (a misspelt key also makes the real one
    "missing"), with the known key it most resembles.
    """
    try:
        return model.model_validate(document or {})
    except ValidationError as exc:
        errors = exc.errors()
        first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise BadInputError(
            f"{what} is invalid at `{where}`: {_problem(model, first)}", file=path, fix=fix
        ) from None


def load_model(
    path: Path,
    model: type[M],
    what: str,
    *,
    fix: str,
    missing_fix: str | None = None,
    allow_empty: bool = False,
) -> M:
    """Read and validate in one step; an empty file is refused unless `allow_empty` (a file cut
    short by an interrupted write or a careless `>` must not read as "nothing declared")."""
    document = read_yaml(path, what, fix=fix, missing_fix=missing_fix)
    if document is None and not allow_empty:
        raise BadInputError(f"{what} is empty", file=path, fix=fix)
    return validate(model, document, path, what, fix=fix)


def _problem(model: type[BaseModel], error: ErrorDetails) -> str:
    if error["type"] != "extra_forbidden" or not error["loc"]:
        return str(error["msg"])
    key = str(error["loc"][-1])
    close = difflib.get_close_matches(key, sorted(set(_field_names(model))), n=1, cutoff=0.75)
    hint = f"did you mean `{close[0]}`?" if close else "it is not one the file takes"
    return f"unknown key `{key}` ({hint})"


def _field_names(model: type[BaseModel], seen: set[type] | None = None) -> Iterator[str]:
    """The keys `model` and the models nested in it take (aliases included)."""
    seen = seen if seen is not None else set()
    if model in seen:
        return
    seen.add(model)
    for name, info in model.model_fields.items():
        yield info.alias or name
        for nested in _models_in(info.annotation):
            yield from _field_names(nested, seen)


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for argument in getattr(annotation, "__args__", ()):
        yield from _models_in(argument)
