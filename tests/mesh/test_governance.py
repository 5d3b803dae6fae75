"""Governance rules catch what they promise on a parsed copy of the real domains."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mesh.build import MeshInvocation, run_mesh
from mesh.cli import app
from mesh.governance import check_domain, load_vocabulary
from mesh.project import discover_domains
from tests.meshcopy import copy_mesh

pytestmark = pytest.mark.integration


def violations(root: Path, domain: str) -> set[tuple[str, str]]:
    run_mesh(root, MeshInvocation(("parse",), selectors=(domain,), dbt_args=("--quiet",)))
    found = check_domain(discover_domains(root)[domain], load_vocabulary(root))
    return {(v.rule, v.node) for v in found}


def test_the_real_domains_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_mesh(tmp_path / "mesh")
    monkeypatch.setenv("MESH_ROOT", str(root))
    result = CliRunner().invoke(app, ["check"])
    assert result.exit_code == 0, result.output
    assert "Governance checks passed" in result.output


def test_each_rule_reports_its_violation(tmp_path: Path) -> None:
    root = copy_mesh(tmp_path / "mesh")
    marts = root / "domains/sales/models/marts/sales"
    yml = marts / "_sales__models.yml"
    text = yml.read_text(encoding="utf-8")
    # dim_products: contract off, owner gone, unknown glossary term.
    text = text.replace(
        """        owner: commerce-analytics@retail.example
        tier: gold
        glossary_terms: ["Product"]""",
        """        tier: gold
        glossary_terms: ["Widget"]""",
    )
    before, after = text.split("  - name: dim_products", 1)
    after = after.replace("enforced: true", "enforced: false", 1)
    yml.write_text(before + "  - name: dim_products" + after, encoding="utf-8")
    # A mart without the fct_/dim_ prefix, reading a source, with no tests or docs.
    (marts / "order_snapshot.sql").write_text(
        "select id as order_id from {{ source('pos', 'orders') }}\n", encoding="utf-8"
    )
    found = violations(root, "sales")
    assert ("public-contract", "model.sales.dim_products") in found
    assert ("public-owner", "model.sales.dim_products") in found
    assert ("glossary", "model.sales.dim_products") in found
    for rule in ("naming", "source-outside-staging", "documented", "primary-key-test"):
        assert (rule, "model.sales.order_snapshot") in found
    assert not any(node == "model.sales.fct_orders" for _, node in found)


def test_contract_types_athenas_iceberg_tables_cannot_hold_are_refused(tmp_path: Path) -> None:
    root = copy_mesh(tmp_path / "mesh")
    yml = root / "domains/sales/models/marts/sales/_sales__models.yml"
    text = yml.read_text(encoding="utf-8")
    for column, before, after in (
        ("store_id", "integer", "smallint"),
        ("ordered_at", "timestamp", "timestamp(3)"),
        ("channel", "varchar", "varchar(10)"),
    ):
        old = f"      - name: {column}\n"
        head, tail = text.split(old, 1)
        text = head + old + tail.replace(f"data_type: {before}", f"data_type: {after}", 1)
    yml.write_text(text, encoding="utf-8")
    run_mesh(root, MeshInvocation(("parse",), selectors=("sales",), dbt_args=("--quiet",)))
    found = check_domain(discover_domains(root)["sales"], load_vocabulary(root))
    problems = sorted(v.problem for v in found if v.rule == "iceberg-types")
    assert all(v.node == "model.sales.fct_orders" for v in found if v.rule == "iceberg-types")
    assert [p.split(":")[0] for p in problems] == [
        "column 'channel'",
        "column 'ordered_at'",
        "column 'store_id'",
    ]
    assert "smallint is not supported for Iceberg tables in Athena" in " ".join(problems)
    assert "Iceberg stores microseconds" in " ".join(problems)


BAD_PRODUCT = """data_products:
  - name: Customer 360
    description: Everything about a customer.
    owner: customer-data@retail.example
    items: [dim_customers, no_such_model, int_customers_joined]
    glossary_terms: [Customer, Unheard Of]
"""


def test_a_data_product_naming_unknown_and_private_models_and_terms_fails_the_check(
    built_copy: Path,
) -> None:
    """Issue 13 row 2: `mesh check` passed a data product naming an unknown model, a private
    model and an unknown glossary term."""
    (built_copy / "domains/customers/data_products.yml").write_text(BAD_PRODUCT)
    result = CliRunner().invoke(app, ["check", "--no-parse"])
    assert result.exit_code == 1, result.output
    assert "data-product" in result.output
    found = check_domain(discover_domains(built_copy)["customers"], load_vocabulary(built_copy))
    problems = {(v.rule, v.problem) for v in found if v.node == "data product 'Customer 360'"}
    assert len(problems) == 3, problems
    rules = sorted(rule for rule, _ in problems)
    assert rules == ["data-product", "data-product", "glossary"]
    text = " ".join(problem for _, problem in problems)
    assert "'no_such_model', which is not a model of domain customers" in text
    private = "(model.customers.int_customers_joined), which is not public (private)"
    assert f"'int_customers_joined' {private}" in text
    assert "'Unheard Of'" in text


def test_a_public_description_longer_than_datazone_allows_fails_the_check(
    built_copy: Path,
) -> None:
    """Issue 13 row 17: a 3.5 KB description passed `mesh check`; the publisher then wrote Glue
    and stopped at DataZone's 2,048-character limit."""
    yml = built_copy / "domains/sales/models/marts/sales/_sales__models.yml"
    long = "A very long product description. " * 105  # 3,464 characters stripped
    text = yml.read_text(encoding="utf-8").replace(
        "      The product catalogue with lifetime units sold and net revenue from\n",
        f"      {long}\n",
        1,
    )
    yml.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["check"])
    assert result.exit_code == 1, result.output
    found = check_domain(discover_domains(built_copy)["sales"], load_vocabulary(built_copy))
    (problem,) = [v.problem for v in found if v.rule == "description-length"]
    assert problem.startswith("description has 3")
    assert "DataZone allows 2048" in problem
    assert {v.node for v in found if v.rule == "description-length"} == {"model.sales.dim_products"}
