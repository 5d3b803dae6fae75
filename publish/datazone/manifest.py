"""What the DataZone publisher needs from the raw manifests beyond `publish.model`.

`publish.artifacts` loads each domain into the typed model (validated, version-dispatched); this
module re-reads the same, already validated `manifest.json` for the few fields that model does not
carry: model tags, and the relations and columns of every node a model depends on (sources and
other domains' models injected by dbt-loom), which lineage needs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from publish.model import Domain


@dataclass(frozen=True)
class NodeInfo:
    unique_id: str
    database: str  # Glue database (lower case)
    table: str  # Glue table (lower case)
    columns: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass
class ManifestExtras:
    """Relations, columns and tags of models and sources, across the loaded domains."""

    nodes: dict[str, NodeInfo] = field(default_factory=dict)

    def tags(self, unique_id: str) -> tuple[str, ...]:
        node = self.nodes.get(unique_id)
        return node.tags if node else ()


def load_extras(domains: list[Domain]) -> ManifestExtras:
    extras = ManifestExtras()
    for domain in domains:
        path = domain.artifacts_dir / "manifest.json"
        document = json.loads(Path(path).read_bytes())
        entries = [*document.get("nodes", {}).values(), *document.get("sources", {}).values()]
        for node in entries:
            kind = node.get("resource_type")
            if kind not in ("model", "source") or not node.get("schema"):
                continue
            ident = node.get("identifier") if kind == "source" else node.get("alias")
            ident = ident or node.get("name")
            info = NodeInfo(
                node["unique_id"],
                str(node["schema"]).lower(),
                str(ident).lower(),
                tuple(str(c).lower() for c in (node.get("columns") or {})),
                tuple(node.get("tags") or ()),
            )
            # a domain's own node wins over a copy injected into another domain's manifest
            own = node.get("package_name") == domain.name
            if own or info.unique_id not in extras.nodes:
                extras.nodes[info.unique_id] = info
    return extras
