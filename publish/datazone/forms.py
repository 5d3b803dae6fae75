"""The publisher's metadata form types, kept as Smithy models in `catalog/forms/`.

A form type is created (or revised: CreateFormType on an existing name adds a revision) only when
its Smithy text differs from the latest revision in DataZone. Form content the publisher writes
is validated against the same model locally, before the first write.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from publish.datazone.api import DataZoneApi, error_code
from publish.datazone.smithy import FormModel, SmithyError, parse_model, validate_content
from publish.errors import BadInputError

MANAGED_BY = "analytics-mesh publisher"


@dataclass(frozen=True)
class FormTypeSpec:
    name: str
    smithy: str
    path: Path
    model: FormModel

    @cached_property
    def digest(self) -> str:
        return smithy_digest(self.smithy)

    def problems(self, content: dict[str, Any]) -> list[str]:
        return validate_content(self.model, content)


def normalize(smithy: str) -> str:
    return "\n".join(line.rstrip() for line in smithy.strip().splitlines())


def smithy_digest(smithy: str) -> str:
    """What "the Smithy changed" compares: a hash of the text without trailing whitespace."""
    return hashlib.sha256(normalize(smithy).encode()).hexdigest()


def load_form_type(path: Path) -> FormTypeSpec:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInputError(
            "the metadata form type does not exist",
            file=path,
            fix="restore the Smithy model from git, or correct assets.form_types in datazone.yml",
        ) from None
    try:
        model = parse_model(text)
    except SmithyError as exc:
        raise BadInputError(
            f"the form type is not a Smithy model the publisher can read ({exc})",
            file=path,
            fix="keep one top-level `structure` with String/Boolean/list members",
        ) from None
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,127}", model.root):
        raise BadInputError(
            f"the form type's structure name {model.root!r} is not a valid form type name",
            file=path,
            fix="name the structure with letters, digits and underscores",
        )
    return FormTypeSpec(model.root, text, path, model)


@dataclass
class CurrentFormType:
    name: str
    revision: str | None  # None: it does not exist
    digest: str | None = None
    owning_project: str | None = None


def read_form_type(api: DataZoneApi, spec: FormTypeSpec) -> CurrentFormType:
    try:
        found = api.client.get_form_type(
            domainIdentifier=api.domain_id, formTypeIdentifier=spec.name
        )
    except ClientError as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return CurrentFormType(spec.name, None)
        raise
    smithy = (found.get("model") or {}).get("smithy") or ""
    return CurrentFormType(
        spec.name,
        str(found["revision"]),
        smithy_digest(smithy),
        found.get("owningProjectId"),
    )
