"""Governance checks on each domain's parsed manifest (STYLE.md rule 6).

dbt Hub's dbt-project-evaluator cannot be installed here, so the rules the mesh
relies on are written out: public models are contracted, owned and described;
every model and column is documented and has a primary-key test; only staging
reads sources; layer prefixes hold; glossary terms and sensitivity labels exist
in catalog/; views are not chained deeper than Athena copes with; public models fit
DataZone's description limit; data products name public, contracted models of their
domain and known glossary terms (what the publisher would refuse after writing Glue).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from mesh.project import Domain
from publish.artifacts import DomainArtifacts, load_domain, read_document
from publish.datazone.assets import DESCRIPTION_LIMIT
from publish.datazone.products import load_products, resolve_items
from publish.errors import BadInputError
from publish.yamlfile import read_yaml

PRODUCTS_FILE = "data_products.yml"

LAYER_PREFIXES = {"staging": ("stg_",), "intermediate": ("int_",), "marts": ("fct_", "dim_")}
CHAINED_VIEWS_THRESHOLD = 4  # dbt-project-evaluator's default
PK_TESTS = {"unique", "not_null"}


@dataclass(frozen=True)
class Violation:
    rule: str
    node: str
    problem: str
    file: str


@dataclass(frozen=True)
class Vocabulary:
    """Names the catalog/ folder allows in `meta`."""

    glossary_terms: frozenset[str]
    sensitivities: frozenset[str]


def load_vocabulary(root: Path) -> Vocabulary:
    glossary = _yaml(root / "catalog" / "glossary.yml")
    tags = _yaml(root / "catalog" / "lf_tags.yml")
    sensitivities: list[str] = next(
        (t.get("values", []) for t in tags.get("tags", []) if t.get("meta_key") == "sensitivity"),
        [],
    )
    return Vocabulary(
        glossary_terms=frozenset(t["name"] for t in glossary.get("terms", [])),
        sensitivities=frozenset(sensitivities),
    )


def check_domain(domain: Domain, vocabulary: Vocabulary) -> list[Violation]:
    """Every violation in one domain's manifest (run `dbt parse` first)."""
    if not domain.manifest_path.is_file():
        raise BadInputError(
            f"domain {domain.name!r} has no parsed manifest",
            file=domain.manifest_path,
            fix="run `mesh parse` (or `mesh build`) first",
        )
    manifest = read_document(domain.manifest_path, "manifest")
    models = {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["package_name"] == domain.name
    }
    tests: dict[str, list[dict[str, Any]]] = defaultdict(list)  # model id -> its tests
    for node in manifest["nodes"].values():
        if node["resource_type"] == "test" and node.get("attached_node"):
            tests[node["attached_node"]].append(node)
    found = []
    for uid, model in models.items():
        found += list(_model_rules(uid, model, tests[uid], vocabulary))
    found += list(_chained_views(models))
    found += list(_data_products(domain, vocabulary))
    return found


def _meta(node: dict[str, Any]) -> dict[str, Any]:
    return {**(node.get("meta") or {}), **((node.get("config") or {}).get("meta") or {})}


def _model_rules(
    uid: str, model: dict[str, Any], tests: list[dict[str, Any]], vocabulary: Vocabulary
) -> Iterator[Violation]:
    file = model.get("patch_path") or model["original_file_path"]
    file = file.split("://", 1)[-1]

    def violation(rule: str, problem: str) -> Violation:
        return Violation(rule, uid, problem, file)

    meta = _meta(model)
    if model.get("access") == "public":
        if not model["contract"]["enforced"]:
            yield violation("public-contract", "public model without an enforced contract")
        if not meta.get("owner"):
            yield violation("public-owner", "public model without `meta.owner`")
        length = len((model.get("description") or "").strip())
        if length > DESCRIPTION_LIMIT:
            yield violation(
                "description-length",
                f"description has {length} characters; DataZone allows {DESCRIPTION_LIMIT} "
                "(move the detail to a doc block the columns or README link to)",
            )
    if not (model.get("description") or "").strip():
        yield violation("documented", "model has no description")
    if not model["columns"]:
        yield violation("documented", "model lists no columns")
    for name, column in model["columns"].items():
        if not (column.get("description") or "").strip():
            yield violation("documented", f"column {name!r} has no description")
        sensitivity = _meta(column).get("sensitivity")
        if sensitivity and sensitivity not in vocabulary.sensitivities:
            allowed = ", ".join(sorted(vocabulary.sensitivities))
            yield violation(
                "sensitivity", f"column {name!r}: sensitivity {sensitivity!r} not in {allowed}"
            )
        yield from (
            violation("glossary", f"column {name!r}: unknown glossary term {term!r}")
            for term in _meta(column).get("glossary_terms", [])
            if term not in vocabulary.glossary_terms
        )
    yield from (
        violation("glossary", f"unknown glossary term {term!r} (see catalog/glossary.yml)")
        for term in meta.get("glossary_terms", [])
        if term not in vocabulary.glossary_terms
    )
    if model["config"]["materialized"] != "ephemeral" and not _has_primary_key_test(tests):
        yield violation("primary-key-test", "no column has both a unique and a not_null test")
    path = model["original_file_path"]
    layer = next((layer for layer in LAYER_PREFIXES if f"/{layer}/" in path), None)
    if layer and not model["name"].startswith(LAYER_PREFIXES[layer]):
        prefixes = " or ".join(LAYER_PREFIXES[layer])
        yield violation("naming", f"models in {layer}/ are named {prefixes}...")
    reads_source = any(d.startswith("source.") for d in model["depends_on"]["nodes"])
    if reads_source and layer != "staging":
        yield violation("source-outside-staging", "only staging models may call source()")


def _data_products(domain: Domain, vocabulary: Vocabulary) -> Iterator[Violation]:
    """What the DataZone publisher would refuse in the domain's data products file."""
    path = domain.path / PRODUCTS_FILE
    spec = load_products(path)
    if not spec.data_products:
        return
    found = DomainArtifacts(domain.name, domain.target_dir)
    loaded = load_domain(found, require_catalog=False)
    file = f"domains/{domain.name}/{PRODUCTS_FILE}"
    for product in spec.data_products:
        node = f"data product {product.name!r}"
        for _, problem in resolve_items(product, loaded, file)[1]:
            yield Violation("data-product", node, problem, file)
        for term in product.glossary_terms:
            if term not in vocabulary.glossary_terms:
                problem = f"unknown glossary term {term!r} (see catalog/glossary.yml)"
                yield Violation("glossary", node, problem, file)


def _has_primary_key_test(tests: list[dict[str, Any]]) -> bool:
    """Whether the model's own tests include a key: unique + not_null on one column."""
    by_column: dict[str, set[str]] = {}
    for test in tests:
        metadata = test.get("test_metadata") or {}
        if metadata.get("name") == "unique_combination_of_columns":
            return True
        if metadata.get("name") in PK_TESTS:
            by_column.setdefault(test.get("column_name") or "", set()).add(metadata["name"])
    return any(kinds >= PK_TESTS for kinds in by_column.values())


def _chained_views(models: dict[str, dict[str, Any]]) -> Iterator[Violation]:
    views = {uid for uid, m in models.items() if m["config"]["materialized"] == "view"}
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(views)
    for uid in views:
        graph.add_edges_from(
            (dep, uid) for dep in models[uid]["depends_on"]["nodes"] if dep in views
        )
    longest = nx.dag_longest_path(graph) if graph else []
    if len(longest) > CHAINED_VIEWS_THRESHOLD:
        last = models[longest[-1]]
        yield Violation(
            "chained-views",
            longest[-1],
            f"{len(longest)} views in a chain ({' -> '.join(longest)}); "
            f"materialize one as a table (threshold {CHAINED_VIEWS_THRESHOLD})",
            last["original_file_path"],
        )


def _yaml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    return read_yaml(path, "the file", fix="correct the YAML syntax") or {}
