"""Breaking-change report: public contracts a pull request breaks, and who it breaks.

A public model's contract breaks when, under the same unique id (so without a new version),
a column is removed or retyped, a constraint is dropped, the contract is no longer enforced,
the model stops being public, or the model disappears. Each break lists the models of other
domains that read it (from the production manifests) and fails the check. Adding a new
version with a deprecation date on the old one is the way to change a contract: it passes
with a warning.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from publish.artifacts import load_manifest
from publish.model import Domain, Model


@dataclass(frozen=True)
class Break:
    model: str  # unique id
    change: str
    downstream: tuple[str, ...]  # unique ids in other domains


@dataclass(frozen=True)
class Warning:
    model: str
    message: str


@dataclass
class BreakingReport:
    breaks: list[Break] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)

    @property
    def downstream_domains(self) -> list[str]:
        return sorted({uid.split(".")[1] for b in self.breaks for uid in b.downstream})

    def as_json(self) -> str:
        return json.dumps(
            {
                "breaking": bool(self.breaks),
                "downstream_domains": self.downstream_domains,
                "breaks": [asdict(b) for b in self.breaks],
                "warnings": [asdict(w) for w in self.warnings],
            },
            indent=2,
        )


def _public_models(domain: Domain) -> dict[str, Model]:
    """The domain's own public models (installed packages' and dbt-loom's copies left out)."""
    return {
        m.unique_id: m
        for m in domain.models
        if m.package_name == domain.name and m.access == "public"
    }


def _type(data_type: str | None) -> str:
    return " ".join((data_type or "").lower().replace(" ,", ",").split()).replace(", ", ",")


def _constraints(model: Model) -> set[tuple[str, str]]:
    found = {("<model>", c.type) for c in model.constraints}
    for column in model.documented_columns:
        found |= {(column.name, c.type) for c in column.constraints}
    return found


def contract_changes(before: Model, after: Model | None) -> list[str]:
    """What about one public model's contract breaks consumers (empty: nothing)."""
    if after is None:
        return ["the model was removed"]
    changes = []
    if after.access != "public":
        changes.append(f"access changed from public to {after.access}")
    if before.contract_enforced and not after.contract_enforced:
        changes.append("the contract is no longer enforced")
    new_columns = {c.name: c for c in after.documented_columns}
    for column in before.documented_columns:
        name = column.name
        new = new_columns.get(name)
        if new is None:
            changes.append(f"column {name!r} removed")
        elif _type(column.data_type) != _type(new.data_type):
            changes.append(f"column {name!r} retyped from {column.data_type} to {new.data_type}")
    for column_name, kind in sorted(_constraints(before) - _constraints(after)):
        where = "the model" if column_name == "<model>" else f"column {column_name!r}"
        changes.append(f"{kind} constraint dropped on {where}")
    return changes


def _dependents(domains: Mapping[str, Domain], uid: str) -> tuple[str, ...]:
    owner = uid.split(".")[1]
    return tuple(
        sorted(
            model.unique_id
            for name, domain in domains.items()
            if name != owner
            for model in domain.models
            if model.package_name == name and uid in model.depends_on
        )
    )


def breaking_changes(prod: Mapping[str, Domain], current: Mapping[str, Domain]) -> BreakingReport:
    """Compare each domain's production manifest with the pull request's."""
    report = BreakingReport()
    for name, prod_domain in prod.items():
        before = _public_models(prod_domain)
        after_domain = current.get(name)
        after = {m.unique_id: m for m in after_domain.models} if after_domain else {}
        for uid, model in sorted(before.items()):
            for change in contract_changes(model, after.get(uid)):
                report.breaks.append(Break(uid, change, _dependents(prod, uid)))
        if after_domain is None:
            continue
        for uid, model in sorted(_public_models(after_domain).items()):
            if uid in before or model.version is None:
                continue
            older = [
                m
                for u, m in after.items()
                if m.name == model.name and u != uid and m.version is not None
            ]
            undated = [f"v{m.version}" for m in older if not m.deprecation_date]
            message = f"new version v{model.version} of {model.name}"
            if undated:
                message += f"; set a deprecation_date on {', '.join(undated)}"
            else:
                message += "; older versions carry a deprecation date"
            report.warnings.append(Warning(uid, message))
    return report


def load_manifests(folders: Mapping[str, Path]) -> dict[str, Domain]:
    """Each domain's parsed project, from `<folder>/manifest.json` (typed loader)."""
    return {name: load_manifest(folder, name) for name, folder in folders.items()}
