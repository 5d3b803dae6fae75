"""Governance reads the typed model: rules on small hand-made manifests (no dbt run)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from mesh.governance import Violation, check_domain, load_vocabulary
from mesh.project import Domain
from publish.artifacts import load_manifest
from publish.errors import BadInputError
from tests.manifests import generic_test, manifest, model_node, write

UID = "model.sales.fct_orders"


def _mesh(tmp_path: Path, model_terms: Any, column_terms: Any) -> tuple[Path, Domain]:
    """A root with catalog/ and one parsed domain whose model and column carry glossary terms."""
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    glossary = {"glossary": {"name": "G"}, "terms": [{"name": "Order"}, {"name": "Revenue"}]}
    (catalog / "glossary.yml").write_text(yaml.safe_dump(glossary))
    tag = {"key": "s", "applies_to": "column", "meta_key": "sensitivity", "values": ["public"]}
    tags = {"tags": [tag]}
    (catalog / "lf_tags.yml").write_text(yaml.safe_dump(tags))
    node = model_node("sales", "fct_orders", {"order_id": "bigint"})
    node["config"]["meta"] = {"owner": "sales@example.com", "glossary_terms": model_terms}
    node["columns"]["order_id"]["meta"] = {"glossary_terms": column_terms}
    document = manifest(
        "sales",
        node,
        generic_test("sales", UID, "unique", "order_id"),
        generic_test("sales", UID, "not_null", "order_id"),
    )
    folder = tmp_path / "domains" / "sales"
    write(folder / "target", document)
    return tmp_path, Domain(name="sales", path=folder)


def _glossary(found: list[Violation]) -> list[str]:
    return sorted(v.problem for v in found if v.rule == "glossary")


@pytest.mark.parametrize("terms", ["Order", ["Order"]], ids=["a string", "a list"])
def test_a_glossary_term_given_as_a_string_is_one_term(tmp_path: Path, terms: Any) -> None:
    """`glossary_terms: "Order"` is the term Order, for governance as for the publisher."""
    root, domain = _mesh(tmp_path, terms, terms)
    assert _glossary(check_domain(domain, load_vocabulary(root))) == []
    model = load_manifest(domain.target_dir, "sales").model(UID)
    assert model.glossary_terms == ("Order",)
    assert model.columns[0].glossary_terms == ("Order",)


def test_an_unknown_term_given_as_a_string_is_reported_whole(tmp_path: Path) -> None:
    root, domain = _mesh(tmp_path, "Turnover", "Ordr")
    assert _glossary(check_domain(domain, load_vocabulary(root))) == [
        "column 'order_id': unknown glossary term 'Ordr'",
        "unknown glossary term 'Turnover' (see catalog/glossary.yml)",
    ]


def test_models_of_installed_packages_are_not_the_domains_to_govern(tmp_path: Path) -> None:
    root, domain = _mesh(tmp_path, ["Order"], ["Order"])
    document = manifest(
        "sales",
        *(model_node("sales", "fct_orders", {"order_id": "bigint"}),),
        model_node("some_package", "undocumented", {}, description=""),
    )
    write(domain.target_dir, document)
    nodes = {v.node for v in check_domain(domain, load_vocabulary(root))}
    assert "model.some_package.undocumented" not in nodes
    assert UID in nodes  # the domain's own model, now without tests, still is


def test_a_misspelt_meta_key_is_named_with_the_key_the_mesh_reads(tmp_path: Path) -> None:
    """Before: `glosary_terms`, `Tier` or a column's `glossary_term` passed `mesh check`, and the
    publisher then dropped the terms and the LF-tag without a word."""
    root, domain = _mesh(tmp_path, ["Order"], ["Order"])
    document = json.loads(domain.manifest_path.read_text())
    node = document["nodes"][UID]
    node["config"]["meta"] = {
        "owner": "sales@example.com",
        "glosary_terms": ["Order"],
        "Tier": "gold",
        "dagster": {"group": "x"},  # another tool's key: not close to any, not reported
    }
    node["columns"]["order_id"]["meta"] = {"glossary_term": ["Order"], "sensitivty": "pii"}
    domain.manifest_path.write_text(json.dumps(document))

    found = sorted(v.problem for v in check_domain(domain, load_vocabulary(root)))

    assert [p for p in found if "is not read by the mesh" in p] == [
        "`meta.Tier` is not read by the mesh: did you mean `tier`?",
        "`meta.glosary_terms` is not read by the mesh: did you mean `glossary_terms`?",
        "column 'order_id': `meta.glossary_term` is not read by the mesh: did you mean "
        "`glossary_terms`?",
        "column 'order_id': `meta.sensitivty` is not read by the mesh: did you mean `sensitivity`?",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tags: 5\n", "invalid at `tags`"),
        ("- a list\n", "invalid at `(top level)`"),
        (
            "tags:\n  - {key: s, applies_to: column, meta_kee: sensitivity, values: [pii]}\n",
            "unknown key `meta_kee` (did you mean `meta_key`?)",
        ),
    ],
)
def test_a_broken_ontology_stops_the_check_with_one_paragraph(
    tmp_path: Path, text: str, expected: str
) -> None:
    """Before: TypeError / AttributeError tracebacks, or (a misspelt `meta_key`) every column's
    sensitivity reported as unknown."""
    root, _ = _mesh(tmp_path, ["Order"], ["Order"])
    (root / "catalog" / "lf_tags.yml").write_text(text)
    with pytest.raises(BadInputError) as raised:
        load_vocabulary(root)
    assert str(root / "catalog" / "lf_tags.yml") in raised.value.paragraph()
    assert expected in raised.value.paragraph()


@pytest.mark.parametrize("access", ["private", "protected"])
def test_a_ref_to_another_domains_hidden_model_is_a_violation(tmp_path: Path, access: str) -> None:
    """dbt refuses it when it parses with dbt-loom, but a manifest that holds one (another loom
    setup, `mesh check --no-parse`) passed governance before."""
    root, domain = _mesh(tmp_path, ["Order"], ["Order"])
    document = json.loads(domain.manifest_path.read_text())
    injected = model_node("customers", "int_customers_joined", {}, access=access)
    injected["path"] = injected["original_file_path"] = ""  # as dbt-loom injects it
    public = model_node("customers", "dim_customers", {}, access="public", path="")
    public["original_file_path"] = ""
    document["nodes"] |= {injected["unique_id"]: injected, public["unique_id"]: public}
    reads = [injected["unique_id"], public["unique_id"]]
    document["nodes"][UID]["depends_on"] = {"nodes": reads}
    domain.manifest_path.write_text(json.dumps(document))

    found = [v for v in check_domain(domain, load_vocabulary(root)) if v.rule == "cross-domain-ref"]

    assert [(v.node, v.problem.split(":")[0]) for v in found] == [
        (UID, f"reads model.customers.int_customers_joined, a {access} model of another domain")
    ]
