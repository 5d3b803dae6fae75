"""Drift of a DataZone asset: what the catalog holds that differs from what the publisher wrote.

The publisher's `dbt_model` form keeps, per field it writes (the asset's description and glossary
terms, each documented column's description and glossary terms), a digest of the value dbt gave it
(`written`). A field is drift when the catalog holds a value that is neither empty, nor dbt's
value now, nor the value the publisher last wrote: someone edited it in DataZone. An asset the
publisher adopts (a Glue data source imported it) has no record yet: every non-empty value that
dbt's would replace is drift, so adoption says what it will replace.

A policy decides (`mesh publish --on-drift`): `keep` leaves the catalog's value in place (and says
so on every run, until the edit is moved into dbt or overwritten), `overwrite` writes dbt's value,
`fail` stops the publish before any write. Column business names and any other column field the
publisher does not write are never drift: every revision carries them over as the catalog has them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from publish.datazone.api import content_hash
from publish.errors import EXIT_DRIFT, MeshError

Policy = Literal["overwrite", "keep", "fail"]
POLICIES: tuple[Policy, ...] = ("keep", "overwrite", "fail")
DEFAULT_POLICY: Policy = "keep"


class DriftError(MeshError):
    """`--on-drift fail` and the catalog holds hand edits; nothing was written."""

    exit_code = EXIT_DRIFT


@dataclass(frozen=True, slots=True)
class FieldDrift:
    field: str  # `description`, `terms`, `column <name> description`, `column <name> terms`
    catalog: Any
    dbt: Any

    def line(self, verb: str) -> str:
        return f"{self.field}: {verb} {_show(self.catalog)} (dbt: {_show(self.dbt)})"


def asset_fields(
    description: str, terms: Iterable[str], columns: Iterable[tuple[str, str, Iterable[str]]]
) -> dict[str, Any]:
    """The fields the publisher writes on an asset, by the names drift reports them with."""
    out: dict[str, Any] = {"description": description.strip(), "terms": sorted(set(terms))}
    for name, text, column_terms in columns:
        out[f"column {name.lower()} description"] = (text or "").strip()
        out[f"column {name.lower()} terms"] = sorted(set(column_terms))
    return out


def digests(fields: Mapping[str, Any]) -> dict[str, str]:
    """What the publisher records as written: a short digest of each field's value."""
    return {k: _digest(v) for k, v in fields.items()}


def drifted(
    catalog: Mapping[str, Any], dbt: Mapping[str, Any], written: Mapping[str, str] | None
) -> list[FieldDrift]:
    """The fields whose catalog value is a hand edit (see the module docstring); `written` is
    None for an asset the publisher has not written yet (adoption)."""
    out = []
    for name, want in dbt.items():
        have = catalog.get(name)
        if not have or have == want:
            continue  # nothing there to lose, or already dbt's value
        if written is not None and written.get(name) in (None, _digest(have)):
            continue  # the catalog holds what the publisher wrote (or no record): dbt changed
        out.append(FieldDrift(name, have, want))
    return out


def _digest(value: Any) -> str:
    return content_hash(value)[:16]


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(value) + "]"
    text = " ".join(str(value).split())
    return repr(text if len(text) <= 60 else text[:57] + "...")
