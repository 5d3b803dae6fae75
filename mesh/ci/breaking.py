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
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from publish.artifacts import read_document


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


def _public_models(manifest: dict[str, Any], domain: str) -> dict[str, dict[str, Any]]:
    return {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model"
        and node["package_name"] == domain
        and node.get("access") == "public"
    }


def _type(data_type: str | None) -> str:
    return " ".join((data_type or "").lower().replace(" ,", ",").split()).replace(", ", ",")


def _constraints(node: dict[str, Any]) -> set[tuple[str, str]]:
    found = {("<model>", c["type"]) for c in node.get("constraints") or []}
    for name, column in node["columns"].items():
        found |= {(name, c["type"]) for c in column.get("constraints") or []}
    return found


def contract_changes(before: dict[str, Any], after: dict[str, Any] | None) -> list[str]:
    """What about one public model's contract breaks consumers (empty: nothing)."""
    if after is None:
        return ["the model was removed"]
    changes = []
    if after.get("access") != "public":
        changes.append(f"access changed from public to {after.get('access')}")
    if before["contract"]["enforced"] and not after["contract"]["enforced"]:
        changes.append("the contract is no longer enforced")
    for name, column in before["columns"].items():
        new = after["columns"].get(name)
        if new is None:
            changes.append(f"column {name!r} removed")
        elif _type(column.get("data_type")) != _type(new.get("data_type")):
            changes.append(
                f"column {name!r} retyped from {column.get('data_type')} to {new.get('data_type')}"
            )
    for column, kind in sorted(_constraints(before) - _constraints(after)):
        where = "the model" if column == "<model>" else f"column {column!r}"
        changes.append(f"{kind} constraint dropped on {where}")
    return changes


def _dependents(manifests: dict[str, dict[str, Any]], uid: str) -> tuple[str, ...]:
    owner = uid.split(".")[1]
    return tuple(
        sorted(
            node_id
            for domain, manifest in manifests.items()
            if domain != owner
            for node_id, node in manifest["nodes"].items()
            if node["package_name"] == domain and uid in node.get("depends_on", {}).get("nodes", [])
        )
    )


def breaking_changes(
    prod: dict[str, dict[str, Any]], current: dict[str, dict[str, Any]]
) -> BreakingReport:
    """Compare each domain's production manifest with the pull request's."""
    report = BreakingReport()
    for domain, prod_manifest in prod.items():
        before = _public_models(prod_manifest, domain)
        after_manifest = current.get(domain, {"nodes": {}})
        after = {
            uid: n for uid, n in after_manifest["nodes"].items() if n["resource_type"] == "model"
        }
        for uid, node in sorted(before.items()):
            for change in contract_changes(node, after.get(uid)):
                report.breaks.append(Break(uid, change, _dependents(prod, uid)))
        for uid, node in sorted(_public_models(after_manifest, domain).items()):
            if uid in before or node.get("version") is None:
                continue
            older = [
                n
                for u, n in after.items()
                if n["name"] == node["name"] and u != uid and n.get("version") is not None
            ]
            undated = [f"v{n['version']}" for n in older if not n.get("deprecation_date")]
            message = f"new version v{node['version']} of {node['name']}"
            if undated:
                message += f"; set a deprecation_date on {', '.join(undated)}"
            else:
                message += "; older versions carry a deprecation date"
            report.warnings.append(Warning(uid, message))
    return report


def load_manifests(folders: dict[str, Path]) -> dict[str, dict[str, Any]]:
    """Each domain's manifest.json, read (and refused when unreadable) by the artifact loader."""
    return {
        domain: read_document(folder / "manifest.json", "manifest")
        for domain, folder in folders.items()
    }
