"""The publisher on the repository's own domains (those under domains/), built from scratch.

Uses the session's `built_mesh` (tests/conftest.py), generates each domain's docs (catalog.json),
keeps each build's run_results.json, then loads, plans and publishes against moto.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from publish.artifacts import load_domains
from publish.desired import desired_state, load_ontology
from publish.mapping import map_mesh
from tests.meshcopy import domain_names
from tests.publish.cli_helpers import LF_TAGS, plan_of, run_publish, summary
from tests.publish.harness import GlueLikeMotoServer, create_tables_like_a_build

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


def _manifest(artifacts: Path, domain: str) -> dict[str, Any]:
    return json.loads((artifacts / domain / "manifest.json").read_text())


def test_real_domains_load(mesh_artifacts: Path) -> None:
    domains = {d.name: d for d in load_domains(Path("."), mesh_artifacts)}

    assert set(domains) == set(domain_names())
    for name, domain in domains.items():
        manifest = _manifest(mesh_artifacts, name)
        expected = {
            uid
            for uid, node in manifest["nodes"].items()
            if node["resource_type"] == "model" and node["package_name"] == name
        }
        assert {m.unique_id for m in domain.models} == expected  # mesh_core ignored
        assert domain.run_command == "build" and not domain.warnings
        for model in domain.models:
            node = manifest["nodes"][model.unique_id]
            if node["config"]["materialized"] == "ephemeral":
                assert model.relation is None
                continue
            assert model.relation is not None
            assert model.relation.glue_database == node["schema"].lower()
            assert model.relation.glue_database.startswith(f"{name}_")
            if node.get("version") is not None and not node["config"].get("alias"):
                assert model.relation.glue_table == f"{node['name']}_v{node['version']}".lower()
            assert model.build is not None and model.build.status == "success"


def test_real_domains_desired_state(mesh_artifacts: Path) -> None:
    domains = load_domains(Path("."), mesh_artifacts)
    desired = desired_state(map_mesh(domains), load_ontology(LF_TAGS))

    tables = {t.unique_id: t for t in desired.tables}
    for domain in domains:
        manifest = _manifest(mesh_artifacts, domain.name)
        for model in domain.models:
            if model.relation is None:
                continue
            node = manifest["nodes"][model.unique_id]
            table = tables[model.unique_id]
            meta = node["config"].get("meta", {})
            assert table.parameters["mesh:unique_id"] == model.unique_id
            assert table.parameters.get("mesh:tier") == meta.get("tier")
            for column in table.columns:
                sensitivity = node["columns"][column.name]["config"]["meta"].get("sensitivity")
                assert column.tags == ({"sensitivity": sensitivity} if sensitivity else {})


def test_real_domains_publish_then_no_op(
    mesh_artifacts: Path, aws: GlueLikeMotoServer, glue: Any
) -> None:
    for domain in domain_names():
        catalog = json.loads((mesh_artifacts / domain / "catalog.json").read_text())
        create_tables_like_a_build(glue, _manifest(mesh_artifacts, domain), catalog)
    aws.clear_calls()

    first = run_publish(mesh_artifacts, "--target", "dev")
    assert first.exit_code == 0, first.output
    tables = summary(plan_of(first), "table")
    assert tables["skipped"] == 0 and tables["update"] > 0

    aws.clear_calls()
    second = run_publish(mesh_artifacts, "--target", "dev")
    assert second.exit_code == 0, second.output
    assert [c for c in aws.calls() if c.is_write] == []
    assert summary(plan_of(second), "table")["update"] == 0
