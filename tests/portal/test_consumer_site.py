"""What consumers read: the portal and the dbt docs it serves hold public models only, and no
secret planted in a description, a meta value or compiled SQL survives.

Built from the session's real mesh (dbt build + docs generate). The artifacts are copied, and
every secret shape of tests/portal/secrets.py is planted into a public model (its description,
a meta value under a neutral key, its compiled SQL) and into a private one; the site is then
written by the real `collect` + `render_site` and every file of it is searched.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from mesh.portal.collect import Portal, collect
from mesh.portal.prune import consumer_manifest
from mesh.portal.render import render_site
from tests.portal.conftest import DOMAINS
from tests.portal.secrets import SHAPES

pytestmark = pytest.mark.integration

ARTIFACTS = ("manifest.json", "catalog.json", "run_results.json", "sources.json", "index.html")
PUBLIC = "model.sales.fct_orders"
PRIVATE = "model.sales.stg_pos__orders"


def _read(root: Path, domain: str, name: str) -> dict[str, Any]:
    return json.loads((root / "domains" / domain / "target" / name).read_text())  # type: ignore[no-any-return]


def _site_files(site: Path) -> dict[str, str]:
    return {
        str(p.relative_to(site)): p.read_text(errors="replace")
        for p in site.rglob("*")
        if p.is_file()
    }


@pytest.fixture(scope="module")
def planted_site(docs_mesh: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    artifacts = tmp_path_factory.mktemp("planted")
    for domain in DOMAINS:
        (artifacts / domain).mkdir()
        for name in ARTIFACTS:
            path = docs_mesh / "domains" / domain / "target" / name
            if path.is_file():
                shutil.copy(path, artifacts / domain / name)
    manifest_path = artifacts / "sales" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    texts = [text for text, _ in SHAPES.values()]
    for uid in (PUBLIC, PRIVATE):
        node = manifest["nodes"][uid]
        node["description"] += " " + " ".join(texts)
        for meta in (node["meta"], node["config"]["meta"]):
            meta.update({f"note_{i}": text for i, text in enumerate(texts)})
        node["compiled_code"] += "\n" + "\n".join(f"-- {text}" for text in texts)
    manifest_path.write_text(json.dumps(manifest))
    portal = collect(docs_mesh, artifacts=artifacts)
    return render_site(portal, tmp_path_factory.mktemp("site") / "site").parent


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_planted_secret_reaches_no_file_of_the_site(planted_site: Path, shape: str) -> None:
    _, secret = SHAPES[shape]
    leaks = [name for name, text in _site_files(planted_site).items() if secret in text]
    assert leaks == []


def test_the_planted_public_model_is_still_served_with_its_sql_and_meta(planted_site: Path) -> None:
    manifest = json.loads((planted_site / "domains/sales/manifest.json").read_text())
    node = manifest["nodes"][PUBLIC]
    assert "[redacted]" in node["description"] and "[redacted]" in node["compiled_code"]
    assert node["meta"]["note_0"] == "[redacted]"
    assert "select" in node["compiled_code"].lower()  # the public model's SQL stays readable
    html = (planted_site / "index.html").read_text()
    assert "[redacted]" in html  # the planted description, shown redacted on the page


def test_served_dbt_docs_hold_public_models_only(
    docs_mesh: Path, portal: Portal, tmp_path: Path
) -> None:
    site = render_site(portal, tmp_path / "site").parent
    public = set()
    private = set()
    for domain in DOMAINS:
        for uid, node in _read(docs_mesh, domain, "manifest.json")["nodes"].items():
            if node["resource_type"] == "model":
                (public if node["access"] == "public" else private).add(uid)
    assert len(private) >= 12  # staging, intermediate and protected models of the three domains
    for domain in DOMAINS:
        served = json.loads((site / "domains" / domain / "manifest.json").read_text())
        catalog = json.loads((site / "domains" / domain / "catalog.json").read_text())
        models = {u for u, n in served["nodes"].items() if n["resource_type"] == "model"}
        assert models and models <= public, models - public
        assert {u for u, n in served["nodes"].items() if n["resource_type"] == "test"}
        assert set(catalog["nodes"]) <= models
        assert served["unit_tests"] == {} and served["sources"] == {} and served["macros"] == {}
        assert set(served["metadata"]) <= {
            "dbt_schema_version",
            "dbt_version",
            "generated_at",
            "project_name",
            "adapter_type",
        }
        assert "invocation_id" not in catalog["metadata"] and "env" not in catalog["metadata"]
        kept = set(served["nodes"])
        for node in served["nodes"].values():
            assert set(node["depends_on"]["nodes"]) <= kept
        for mapping in ("parent_map", "child_map"):
            for uid, others in served[mapping].items():
                assert uid in kept and set(others) <= kept
    everything = "\n".join(_site_files(site).values())
    for uid in private:
        assert f'"{uid}"' not in everything, uid
    # unit-test fixture rows (one holds an email address), the build's paths and run ids
    assert "ava.smith1@example.com" not in everything
    assert str(docs_mesh) not in everything and "read_parquet('/" not in everything
    for domain in DOMAINS:
        for name in ("manifest.json", "catalog.json", "run_results.json"):
            run = _read(docs_mesh, domain, name)["metadata"]["invocation_id"]
            assert run not in everything, (domain, name)


def test_the_portal_lists_and_draws_public_models_only(portal: Portal) -> None:
    assert portal.models and all(m.access == "public" for m in portal.models)
    assert portal.nodes and all(n.access == "public" for n in portal.nodes)
    assert ("sales.fct_orders", "marketing.fct_campaign_performance") in (
        portal.cross_domain_edges()
    )
    marketing = next(d for d in portal.domains if d.name == "marketing")
    assert marketing.upstream == ("customers", "sales")  # from every ref, private ones too


def test_pruning_keeps_a_public_models_generic_tests_and_drops_the_rest() -> None:
    manifest = {
        "metadata": {"invocation_id": "run-1", "env": {"X": "1"}, "dbt_version": "1.11.0"},
        "nodes": {
            "model.d.pub": {
                "resource_type": "model",
                "access": "public",
                "depends_on": {"nodes": ["model.d.priv", "source.d.raw.t"], "macros": ["m"]},
                "refs": [{"name": "priv", "package": None, "version": None}],
            },
            "model.d.priv": {"resource_type": "model", "access": "private", "depends_on": {}},
            "model.d.prot": {"resource_type": "model", "access": "protected", "depends_on": {}},
            "test.d.unique_pub_id": {
                "resource_type": "test",
                "test_metadata": {"name": "unique"},
                "depends_on": {"nodes": ["model.d.pub"]},
            },
            "test.d.singular": {
                "resource_type": "test",
                "depends_on": {"nodes": ["model.d.pub"]},
            },
        },
        "sources": {"source.d.raw.t": {}},
        "macros": {"m": {}},
        "unit_tests": {"unit_test.d.pub.t": {"given": [{"rows": [{"email": "x@y"}]}]}},
        "parent_map": {"model.d.pub": ["model.d.priv"], "model.d.priv": []},
        "child_map": {"model.d.priv": ["model.d.pub"], "model.d.pub": ["test.d.unique_pub_id"]},
        "group_map": {"group.d.g": ["model.d.pub", "model.d.priv"]},
        "future_section": {"model.d.priv": {"sql": "select 1"}},
    }
    out = consumer_manifest(manifest)
    assert set(out["nodes"]) == {"model.d.pub", "test.d.unique_pub_id"}
    assert out["nodes"]["model.d.pub"]["depends_on"] == {"nodes": [], "macros": []}
    assert out["nodes"]["model.d.pub"]["refs"] == []
    assert out["metadata"] == {"dbt_version": "1.11.0"}
    assert out["sources"] == out["macros"] == out["unit_tests"] == out["future_section"] == {}
    assert out["parent_map"] == {"model.d.pub": []}
    assert out["child_map"] == {"model.d.pub": ["test.d.unique_pub_id"]}
    assert out["group_map"] == {"group.d.g": ["model.d.pub"]}
