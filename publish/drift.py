"""Drift: what a catalog holds that differs from what the publisher last wrote (a hand edit).

The publisher keeps, next to each thing it writes, a digest per field of the value it wrote
(`written`): on a DataZone asset in its `dbt_model` form (the asset's description and glossary
terms, each documented column's description and terms), on a Glue table in the `mesh:written`
parameter (the table's Description and each documented column's Comment), on a glossary term at
the end of its long description (`publish.datazone.glossary`). A field is drift when the catalog
holds a value that is neither empty, nor dbt's value now, nor the value the publisher last wrote:
someone edited it by hand. Something the publisher has not written yet (an imported asset it
adopts, a table never published) has no record: every non-empty value that dbt's would replace is
drift, so adoption says what it will replace.

A policy decides (`mesh publish --on-drift`): `keep` leaves the catalog's value in place (and says
so on every run, until the edit is moved into dbt or overwritten), `overwrite` writes dbt's value,
`fail` stops the publish before any write (every target is planned before any target writes).
Column business names and any other field the publisher does not write are never drift: every
write carries them over as the catalog has them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, TypeVar

from publish.errors import EXIT_DRIFT, MeshError
from publish.hashing import content_hash

T = TypeVar("T")
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


def glue_fields(description: T, comments: Iterable[tuple[str, T]]) -> dict[str, T]:
    """The fields the publisher writes on a Glue table, by the names drift reports them with."""
    out = {"description": description}
    out.update((f"column {name.lower()} comment", text) for name, text in comments)
    return out


def digests(fields: Mapping[str, Any]) -> dict[str, str]:
    """What the publisher records as written: a short digest of each field's value."""
    return {k: _digest(v) for k, v in fields.items()}


def record(fields: Mapping[str, Any]) -> str:
    """The written record as one compact JSON text (a form field, a Glue parameter)."""
    return json.dumps(digests(fields), sort_keys=True, separators=(",", ":"))


def read_record(text: str | None) -> dict[str, str]:
    """A written record back; {} when there is none or it is not one (then nothing is drift)."""
    try:
        found = json.loads(text or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def drift_error(catalog: str, drifts: list[tuple[str, list[FieldDrift]]]) -> DriftError:
    """`--on-drift fail`: every hand edit of one catalog, by thing, in one paragraph."""
    lines = [f"{name}: " + "; ".join(d.line("has") for d in ds) for name, ds in drifts]
    return DriftError(
        f"{catalog} holds hand edits that differ from dbt on {len(drifts)} item(s): "
        + " | ".join(lines),
        fix="move the edits into the dbt YAML (or catalog/glossary.yml; then they are no longer "
        "drift), or publish with --on-drift overwrite (dbt wins) or --on-drift keep (the edits "
        "stay)",
    )


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
    if isinstance(value, str):
        return _text_digest(value)
    return content_hash(value)[:16]


@lru_cache(maxsize=1 << 16)  # texts repeat (shared doc blocks): a Glue publish records every one
def _text_digest(text: str) -> str:
    return content_hash(text)[:16]


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(value) + "]"
    text = " ".join(str(value).split())
    return repr(text if len(text) <= 60 else text[:57] + "...")
