"""The business glossary as code (`catalog/glossary.yml`) -> DataZone glossary and terms.

Desired: one glossary with its terms (short/long descriptions, `is_a` / `classifies` relations
by term name). Current: the glossary found by name (Search GLOSSARY) and its terms (Search
GLOSSARY_TERM). Diff: create the glossary and missing terms (targets of relations first), update
changed ones. Terms in DataZone that the YAML no longer has are reported, never deleted.

Drift (`publish.drift`): a term's short or long description edited by hand in DataZone is not an
ordinary update. Terms carry no forms, so the record of what the publisher wrote travels with the
term, on the last line of its long description, as a markdown link reference definition that
nothing links to (`[//]: # (mesh:written {...})`). Markdown renderers show no such definition,
whether or not they allow HTML; an HTML comment, which the publisher wrote before and still
reads, is shown as text by a renderer that escapes HTML. A term without the record (written
before the publisher kept one, or by hand) is adopted: what the YAML would replace is drift.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from publish.datazone.api import DataZoneApi
from publish.drift import DEFAULT_POLICY, FieldDrift, Policy, digests, drifted, read_record, record
from publish.limits import maximum, refuse
from publish.yamlfile import load_model

#: characters of a term's long description kept for the record of what the publisher wrote
RECORD_RESERVE = 128
_FIX = "correct catalog/glossary.yml (see the comment at its top for the expected shape)"


class TermSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    short_description: str = ""
    long_description: str = ""
    is_a: list[str] = Field(default_factory=list)
    classifies: list[str] = Field(default_factory=list)

    @field_validator("name", "short_description", "long_description")
    @classmethod
    def _fits(cls, value: str, info: ValidationInfo) -> str:
        """DataZone's limits (CreateGlossaryTerm, botocore's model); the long description keeps
        `RECORD_RESERVE` characters for the publisher's record of what it wrote."""
        member = {"name": "name", "short_description": "shortDescription"}
        path = member.get(str(info.field_name), "longDescription")
        reserve = RECORD_RESERVE if path == "longDescription" else 0
        sent = value if path == "name" else value.strip()
        refuse("datazone", "CreateGlossaryTerm", path, sent, reserve=reserve)
        return value

    @field_validator("is_a", "classifies")
    @classmethod
    def _few(cls, value: list[str], info: ValidationInfo) -> list[str]:
        """DataZone's limit on a term's relations of one kind (CreateGlossaryTerm; the request
        names terms by id, so only the count is checked here)."""
        member = "isA" if info.field_name == "is_a" else "classifies"
        high = maximum("datazone", "CreateGlossaryTerm", f"termRelations.{member}")
        if len(value) > high:
            raise ValueError(
                f"has {len(value)} terms; CreateGlossaryTerm takes at most {high} items"
            )
        return value

    def relations(self) -> dict[str, tuple[str, ...]]:
        out = {"isA": tuple(sorted(self.is_a)), "classifies": tuple(sorted(self.classifies))}
        return {k: v for k, v in out.items() if v}


class GlossaryHead(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    owner: str | None = None

    @field_validator("name", "description")
    @classmethod
    def _fits(cls, value: str, info: ValidationInfo) -> str:
        """DataZone's limits (CreateGlossary, botocore's model)."""
        sent = value if info.field_name == "name" else value.strip()
        refuse("datazone", "CreateGlossary", str(info.field_name), sent)
        return value


class GlossarySpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    glossary: GlossaryHead
    terms: list[TermSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> GlossarySpec:
        names = [t.name for t in self.terms]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"term names must be unique: {', '.join(dupes)}")
        known = set(names)
        for term in self.terms:
            for target in [*term.is_a, *term.classifies]:
                if target not in known:
                    raise ValueError(
                        f"term {term.name!r} relates to {target!r}, which is not a term of the "
                        "glossary"
                    )
        return self

    def names(self) -> set[str]:
        return {t.name for t in self.terms}

    def creation_order(self) -> list[TermSpec]:
        """Terms with the targets of their relations first (cycles: the rest in file order)."""
        by_name = {t.name: t for t in self.terms}
        done: list[TermSpec] = []
        seen: set[str] = set()
        visiting: set[str] = set()

        def visit(term: TermSpec) -> None:
            if term.name in seen or term.name in visiting:
                return
            visiting.add(term.name)
            for target in [*term.is_a, *term.classifies]:
                visit(by_name[target])
            visiting.discard(term.name)
            seen.add(term.name)
            done.append(term)

        for term in self.terms:
            visit(term)
        return done


def load_glossary(path: Path) -> GlossarySpec:
    return load_model(
        path,
        GlossarySpec,
        "the business glossary",
        fix=_FIX,
        missing_fix="restore catalog/glossary.yml, or point `glossary:` in datazone.yml at it",
    )


def check_terms(
    names: Sequence[str], spec: GlossarySpec, where: str, file: str | Path, glossary: Path
) -> list[tuple[str, str]]:
    """Problems (file, text) for term names that the glossary does not define."""
    if not names:  # most columns: no need to build the set of known terms
        return []
    known = spec.names()
    return [
        (
            str(file),
            f"{where} names the glossary term {name!r}, which {glossary} does not define "
            f"(terms: {', '.join(sorted(known))})",
        )
        for name in names
        if name not in known
    ]


# --- current state ------------------------------------------------------------------------------


@dataclass
class CurrentTerm:
    id: str
    name: str
    short_description: str
    long_description: str  # without the publisher's record
    relations: dict[str, tuple[str, ...]]  # by term id
    #: digests of what the publisher last wrote (`publish.drift`); None: no record on the term
    written: dict[str, str] | None = None


_RECORD = re.compile(
    r"\s*(?:\[//\]: # \(mesh:written (\{[^()\n]*\})\)|<!-- mesh:written (\{[^<>]*\}) -->)\s*$"
)


def split_record(long_description: str) -> tuple[str, dict[str, str] | None]:
    """A long description as DataZone holds it -> the text, and the publisher's record in it."""
    found = _RECORD.search(long_description)
    if found is None:
        return long_description, None
    return long_description[: found.start()], read_record(found.group(1) or found.group(2))


def term_fields(short: str, long: str) -> dict[str, str]:
    """The fields of a term drift is judged on, by the names it reports them with."""
    return {"short description": short, "long description": long}


def spec_fields(term: TermSpec) -> dict[str, str]:
    return term_fields(term.short_description.strip(), term.long_description.strip())


@dataclass
class CurrentGlossary:
    id: str | None
    description: str | None = None
    terms: dict[str, CurrentTerm] = field(default_factory=dict)  # by name


def read_glossary(api: DataZoneApi, spec: GlossarySpec) -> CurrentGlossary:
    found = [
        g["glossaryItem"]
        for g in api.pages(
            "Search",
            domainIdentifier=api.domain_id,
            searchScope="GLOSSARY",
            searchText=spec.glossary.name,
        )
        if g.get("glossaryItem", {}).get("name") == spec.glossary.name
    ]
    if not found:
        return CurrentGlossary(None)
    glossary = found[0]
    current = CurrentGlossary(glossary["id"], glossary.get("description") or "")
    for hit in api.pages("Search", domainIdentifier=api.domain_id, searchScope="GLOSSARY_TERM"):
        term = hit.get("glossaryTermItem") or {}
        if term.get("glossaryId") != glossary["id"]:
            continue
        relations = term.get("termRelations") or {}
        long, written = split_record(term.get("longDescription") or "")
        current.terms[term["name"]] = CurrentTerm(
            term["id"],
            term["name"],
            term.get("shortDescription") or "",
            long,
            {k: tuple(v) for k, v in relations.items() if v},
            written,
        )
    return current


# --- diff -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TermChange:
    spec: TermSpec
    create: bool
    fields: tuple[str, ...]
    #: hand edits of the term (`publish.drift`), and the catalog values kept of them
    drift: tuple[FieldDrift, ...] = ()
    kept: Mapping[str, str] = field(default_factory=dict)


def diff_terms(
    spec: GlossarySpec, current: CurrentGlossary, on_drift: Policy = DEFAULT_POLICY
) -> tuple[list[TermChange], list[TermChange]]:
    """The terms to write, and the terms with hand edits that need no write (kept)."""
    names_by_id = {t.id: t.name for t in current.terms.values()}
    changes, kept_only = [], []
    for term in spec.creation_order():
        now = current.terms.get(term.name)
        if now is None:
            changes.append(TermChange(term, True, ("name",)))
            continue
        want = spec_fields(term)
        have = term_fields(now.short_description, now.long_description)
        drift = tuple(drifted(have, want, now.written))
        kept = {d.field: d.catalog for d in drift} if on_drift != "overwrite" else {}
        relations = {
            k: tuple(sorted(names_by_id.get(i, i) for i in ids)) for k, ids in now.relations.items()
        }
        fields = [name for name in want if name not in kept and have[name] != want[name]]
        if relations != term.relations():
            fields.append("relations")
        if not fields and now.written != digests(want):
            fields.append("record")  # only the record of what it writes (any write renews it)
        change = TermChange(term, False, tuple(fields), drift, kept)
        if fields:
            changes.append(change)
        elif drift:
            kept_only.append(change)
    return changes, kept_only


def term_request(
    term: TermSpec, ids: Mapping[str, str], kept: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Create/update parameters of a term; relation names resolved to ids; `kept`: hand-edited
    values that stay (`--on-drift keep`). The long description ends with the record of what the
    publisher wrote: the YAML's values, whatever was kept."""
    fields = {**spec_fields(term), **(kept or {})}
    mark = f"[//]: # (mesh:written {record(spec_fields(term))})"
    long = fields["long description"]
    request: dict[str, Any] = {
        "name": term.name,
        "shortDescription": fields["short description"],
        "longDescription": f"{long}\n\n{mark}" if long else mark,
    }
    relations = {k: [ids[n] for n in v] for k, v in term.relations().items()}
    if relations:
        request["termRelations"] = relations
    return {k: v for k, v in request.items() if v != ""}
