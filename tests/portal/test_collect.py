"""The portal's data model, checked against the built mesh's artifacts read independently."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from mesh.cli import app
from mesh.portal.collect import Portal, collect
from tests.portal.conftest import DOMAINS

pytestmark = pytest.mark.integration


def _manifest(root: Path, domain: str) -> dict[str, Any]:
    return json.loads((root / "domains" / domain / "target" / "manifest.json").read_text())


def _own_models(root: Path, domain: str) -> dict[str, dict[str, Any]]:
    nodes = _manifest(root, domain)["nodes"]
    return {
        uid: n
        for uid, n in nodes.items()
        if n["resource_type"] == "model" and n["package_name"] == domain
    }


def test_every_domain_with_its_owner_and_docs(portal: Portal, docs_mesh: Path) -> None:
    assert sorted(d.name for d in portal.domains) == sorted(DOMAINS)
    for domain in portal.domains:
        groups = yaml.safe_load(
            (docs_mesh / "domains" / domain.name / "models" / "_groups.yml").read_text()
        )["groups"]
        assert {(o.name, o.email) for o in domain.owners} == {
            (g["owner"]["name"], g["owner"]["email"]) for g in groups
        }
        assert domain.description
        assert domain.docs_href == f"domains/{domain.name}/index.html#!/overview"
        assert domain.tests.status == "pass" and domain.tests.total > 0


def test_every_public_model_and_only_those(portal: Portal, docs_mesh: Path) -> None:
    expected = {
        uid.removeprefix("model.")
        for d in DOMAINS
        for uid, n in _own_models(docs_mesh, d).items()
        if n["access"] == "public"
    }
    assert {m.key for m in portal.models} == expected
    assert {
        "customers.dim_customers.v1",
        "customers.dim_customers.v2",
        "sales.fct_orders",
        "marketing.fct_campaign_performance",
    } <= expected


def test_contract_versions_deprecation_and_test_status(portal: Portal, docs_mesh: Path) -> None:
    v1, v2 = portal.model("customers.dim_customers.v1"), portal.model("customers.dim_customers.v2")
    assert (v1.version, v1.latest_version, v1.is_latest) == ("1", "2", False)
    assert (v2.version, v2.is_latest, v2.deprecated) == ("2", True, False)
    assert v1.deprecated and v1.deprecation_date == "2027-06-30"
    results = {
        r["unique_id"]: r["status"]
        for d in DOMAINS
        for r in json.loads(
            (docs_mesh / "domains" / d / "target" / "run_results.json").read_text()
        )["results"]
    }
    for model in portal.models:
        assert model.contract_enforced, model.key
        nodes = _manifest(docs_mesh, model.domain)["nodes"]
        tests = [
            uid
            for uid, n in nodes.items()
            if n["resource_type"] == "test" and n.get("attached_node") == model.unique_id
        ]
        assert model.tests.total == len(tests) > 0, model.key
        assert model.tests.passed == sum(results.get(t) == "pass" for t in tests), model.key
        assert model.build_status == results[model.unique_id] == "success"
        assert model.last_build_at
        if model.freshness.status == "no_sources":  # e.g. a domain still on its example seed
            assert not _manifest(docs_mesh, model.domain)["sources"], model.key
        else:
            assert model.freshness.status in {"not_checked", "pass", "warn", "error"}
            assert model.freshness.sources, model.key
    campaign = portal.model("marketing.fct_campaign_performance")
    assert "Return on Ad Spend" in campaign.glossary_terms
    assert campaign.docs_href == (
        "domains/marketing/index.html#!/model/model.marketing.fct_campaign_performance"
    )
    roas = next(c for c in campaign.columns if c.name == "return_on_ad_spend")
    assert roas.data_type == "double"


def test_lineage_shows_public_models_and_the_edges_between_them(
    portal: Portal, docs_mesh: Path
) -> None:
    # every model of every domain, and whether consumers may read it
    children: dict[str, set[str]] = {}
    public: set[str] = set()
    for domain in DOMAINS:
        for uid, node in _own_models(docs_mesh, domain).items():
            if node["access"] == "public":
                public.add(uid.removeprefix("model."))
            for upstream in node["depends_on"]["nodes"]:
                if upstream.startswith("model."):
                    key = upstream.removeprefix("model.")
                    children.setdefault(key, set()).add(uid.removeprefix("model."))
    # "A feeds B": B is reached from A through models consumers do not see
    expected = set()
    for start in public:
        stack, seen = list(children.get(start, ())), set()
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            if node in public:
                expected.add((start, node))
            else:
                stack.extend(children.get(node, ()))
    assert {(e.source, e.target) for e in portal.edges} == expected
    nodes = {n.key: n for n in portal.nodes}
    assert set(nodes) == public and all(n.access == "public" for n in nodes.values())
    # marketing reads orders through its private int_sales_orders: drawn as the public result
    assert ("sales.fct_orders", "marketing.fct_campaign_performance") in (
        portal.cross_domain_edges()
    )
    assert "marketing.int_sales_orders" not in nodes
    # the domains' upstream lists still name every domain they read, through any model
    marketing = next(d for d in portal.domains if d.name == "marketing")
    assert marketing.upstream == ("customers", "sales")


def test_data_products_of_the_repository(portal: Portal, docs_mesh: Path) -> None:
    expected = []
    for domain in DOMAINS:
        path = docs_mesh / "domains" / domain / "data_products.yml"
        if path.exists():
            for product in yaml.safe_load(path.read_text())["data_products"]:
                expected.append((domain, product["name"], tuple(product["items"])))
    got = [(p.domain, p.name, tuple(i.ref for i in p.items)) for p in portal.products]
    assert sorted(got) == sorted(expected)
    for product in portal.products:
        for item in product.items:
            assert item.key is not None, (product.name, item.ref)
            assert product.name in portal.model(item.key).data_products


def _mesh_with_products(docs_mesh: Path, root: Path, items: list[str], terms: list[str]) -> Path:
    """A mesh root whose domains are the built ones, with a data product of the test's own."""
    for name in ("dbt_project.yml", "catalog"):
        os.symlink(docs_mesh / name, root / name)
    for domain in DOMAINS:
        (root / "domains" / domain).mkdir(parents=True)
        for name in ("dbt_project.yml", "target"):
            os.symlink(docs_mesh / "domains" / domain / name, root / "domains" / domain / name)
    path = root / "domains" / "customers" / "data_products.yml"
    product = {
        "name": "Customers <b>all</b>",
        "description": "x",
        "owner": "customer-data@retail.example",
        "items": items,
        "glossary_terms": terms,
    }
    path.write_text(yaml.safe_dump({"data_products": [product]}))
    return path


def test_data_products_resolve_versions(docs_mesh: Path, tmp_path: Path) -> None:
    _mesh_with_products(docs_mesh, tmp_path, ["dim_customers", "dim_customers.v1"], ["Customer"])
    portal = collect(tmp_path)
    (product,) = portal.products
    assert [(i.ref, i.key) for i in product.items] == [
        ("dim_customers", "customers.dim_customers.v2"),
        ("dim_customers.v1", "customers.dim_customers.v1"),
    ]
    assert portal.model("customers.dim_customers.v1").data_products == ("Customers <b>all</b>",)


def test_a_data_product_naming_unknown_or_private_models_or_terms_is_refused(
    built_copy: Path,
) -> None:
    """Issue 13 row 2: the portal listed a product naming an unknown model, a private model and
    an unknown glossary term (exit 0). Now: one paragraph naming the file, exit 2, no site."""
    path = built_copy / "domains" / "customers" / "data_products.yml"
    product = {
        "name": "Customer 360",
        "description": "x",
        "owner": "customer-data@retail.example",
        "items": ["dim_customers", "no_such_model", "int_customers_joined"],
        "glossary_terms": ["Customer", "Unheard Of"],
    }
    path.write_text(yaml.safe_dump({"data_products": [product]}))
    result = CliRunner().invoke(app, ["docs", "portal"])
    output = " ".join(result.output.split())
    assert result.exit_code == 2, output
    assert "domains/customers/data_products.yml" in output
    assert "'no_such_model'" in output
    assert "'int_customers_joined'" in output
    assert "'Unheard Of'" in output
    assert "Fix:" in output
    assert not (built_copy / "site").exists()


def test_the_portal_of_another_target_reads_its_own_artifacts(built_copy: Path) -> None:
    """`mesh docs portal --target prod` (ci/merge.sh docs in CI) reads `.mesh-state/prod/`, where
    a prod build writes, never the local build's `domains/<d>/target/`."""
    for domain in DOMAINS:
        target = built_copy / "domains" / domain / "target"
        (built_copy / ".mesh-state" / "prod").mkdir(parents=True, exist_ok=True)
        target.rename(built_copy / ".mesh-state" / "prod" / domain)
    out = built_copy / "site-prod"
    result = CliRunner().invoke(app, ["docs", "portal", "--target", "prod", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 domains" in " ".join(result.output.split())
    assert (out / "index.html").is_file()
    result = CliRunner().invoke(app, ["docs", "portal", "--target", "nope"])
    assert result.exit_code == 2, result.output
    assert "unknown target 'nope'" in result.output
