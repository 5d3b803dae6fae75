"""Reading the repository's YAML files (catalog/, domains/) with errors a person can act on.

Every loader of a YAML file goes through here, so a missing file, broken YAML or a value
that fails validation always reads the same way: the file, what is wrong and where, and the
fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from publish.errors import BadInputError

M = TypeVar("M", bound=BaseModel)


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
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        detail = " ".join(str(exc).split())
        raise BadInputError(f"{what} is not valid YAML ({detail})", file=path, fix=fix) from None


def validate(model: type[M], document: Any, path: Path, what: str, *, fix: str) -> M:
    """`model` validated from `document`; the first error names its location in the file."""
    try:
        return model.model_validate(document or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise BadInputError(
            f"{what} is invalid at `{where}`: {first['msg']}", file=path, fix=fix
        ) from None


def load_model(
    path: Path, model: type[M], what: str, *, fix: str, missing_fix: str | None = None
) -> M:
    """Read and validate in one step."""
    document = read_yaml(path, what, fix=fix, missing_fix=missing_fix)
    return validate(model, document, path, what, fix=fix)
