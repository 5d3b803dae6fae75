"""Governance checks on each domain's parsed manifest (STYLE.md rule 6), read by the typed loader.

dbt Hub's dbt-project-evaluator cannot be installed here, so the rules the mesh
relies on are written out: public models are contracted, owned and described;
every model and column is documented and has a primary-key test; only staging
reads sources; layer prefixes hold; glossary terms and sensitivity labels exist
in catalog/; views are not chained deeper than Athena copes with; Iceberg tables
declare only column types Athena's Iceberg tables can hold; every relation is in its
domain's `<domain>_<layer>` schema; public models fit DataZone's description limit; data
products name public, contracted models of their domain and known glossary terms (what the
publisher would refuse after writing Glue).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from mesh.iceberg_types import iceberg_type_problem
from mesh.project import Domain
from publish.artifacts import load_manifest
from publish.datazone.glossary import load_glossary
from publish.desired import load_ontology
from publish.errors import BadInputError
from publish.mapping import (
    MeshFacts,
    datazone_description_limit,
    map_mesh,
    map_products,
    product_problems,
    too_long_descriptions,
)
from publish.model import Model, TestResult
from publish.products import load_products

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


#: the `meta` keys the publisher reads (publish.model), besides the LF-tag ontology's
MESH_META_KEYS = frozenset({"owner", "tier", "glossary_terms", "sensitivity"})


@dataclass(frozen=True)
class Vocabulary:
    """Names the catalog/ folder allows in `meta`, and the `meta` keys the mesh reads."""

    glossary_terms: frozenset[str]
    sensitivities: frozenset[str]
    meta_keys: frozenset[str] = MESH_META_KEYS


def load_vocabulary(root: Path) -> Vocabulary:
    """From catalog/glossary.yml and catalog/lf_tags.yml, read (and refused) as the publisher
    reads them; a file that is absent allows nothing."""
    glossary, ontology = root / "catalog" / "glossary.yml", root / "catalog" / "lf_tags.yml"
    terms = load_glossary(glossary).terms if glossary.exists() else []
    tags = load_ontology(ontology).tags if ontology.exists() else []
    sensitivities = next((t.values for t in tags if t.meta_key == "sensitivity"), [])
    return Vocabulary(
        glossary_terms=frozenset(t.name for t in terms),
        sensitivities=frozenset(sensitivities),
        meta_keys=MESH_META_KEYS | {t.meta_key for t in tags},
    )


def check_domain(domain: Domain, vocabulary: Vocabulary) -> list[Violation]:
    """Every violation in one domain's manifest (run `dbt parse` first)."""
    if not domain.manifest_path.is_file():
        raise BadInputError(
            f"domain {domain.name!r} has no parsed manifest",
            file=domain.manifest_path,
            fix="run `mesh parse` (or `mesh build`) first",
        )
    loaded = load_manifest(domain.target_dir, domain.name)
    # the domain's own models: installed packages answer to their own authors
    models = {m.unique_id: m for m in loaded.models if m.package_name == domain.name}
    found = []
    for model in models.values():
        found += list(_model_rules(model, vocabulary))
        found += list(_iceberg_column_types(model))
    found += list(_upstream_access(models, loaded.upstream_models))
    found += list(_chained_views(models))
    found += list(_schema_names(domain.name, models))
    mesh = map_mesh([loaded])
    found += [
        Violation(
            "description-length",
            facts.unique_id,
            f"description has {length} characters; DataZone allows "
            f"{datazone_description_limit()} (move the detail to a doc block of its columns or "
            "to the docs site)",
            facts.file,
        )
        for facts, length in too_long_descriptions(mesh)
        if facts.unique_id in models
    ]
    found += list(_data_products(domain, mesh, vocabulary))
    return found


def _model_rules(model: Model, vocabulary: Vocabulary) -> Iterator[Violation]:
    uid = model.unique_id
    file = model.source_file or ""

    def violation(rule: str, problem: str) -> Violation:
        return Violation(rule, uid, problem, file)

    if model.access == "public":
        if not model.contract_enforced:
            yield violation("public-contract", "public model without an enforced contract")
        if not model.meta.get("owner"):
            yield violation("public-owner", "public model without `meta.owner`")
    yield from (
        violation("meta-key", f"`meta.{key}` is not read by the mesh: did you mean `{known}`?")
        for key, known in _misspelt(model.meta, vocabulary.meta_keys)
    )
    if not model.description.strip():
        yield violation("documented", "model has no description")
    columns = model.documented_columns
    if not columns:
        yield violation("documented", "model lists no columns")
    for column in columns:
        name = column.name
        if not column.description.strip():
            yield violation("documented", f"column {name!r} has no description")
        yield from (
            violation(
                "meta-key",
                f"column {name!r}: `meta.{key}` is not read by the mesh: did you mean `{known}`?",
            )
            for key, known in _misspelt(column.meta, vocabulary.meta_keys)
        )
        sensitivity = column.sensitivity
        if sensitivity and sensitivity not in vocabulary.sensitivities:
            allowed = ", ".join(sorted(vocabulary.sensitivities))
            yield violation(
                "sensitivity", f"column {name!r}: sensitivity {sensitivity!r} not in {allowed}"
            )
        yield from (
            violation("glossary", f"column {name!r}: unknown glossary term {term!r}")
            for term in column.glossary_terms
            if term not in vocabulary.glossary_terms
        )
    yield from (
        violation("glossary", f"unknown glossary term {term!r} (see catalog/glossary.yml)")
        for term in model.glossary_terms
        if term not in vocabulary.glossary_terms
    )
    if model.materialized != "ephemeral" and not _has_primary_key_test(model.tests):
        yield violation("primary-key-test", "no column has both a unique and a not_null test")
    path = model.original_file_path or ""
    layer = next((layer for layer in LAYER_PREFIXES if f"/{layer}/" in path), None)
    if layer and not model.name.startswith(LAYER_PREFIXES[layer]):
        prefixes = " or ".join(LAYER_PREFIXES[layer])
        yield violation("naming", f"models in {layer}/ are named {prefixes}...")
    reads_source = any(d.startswith("source.") for d in model.depends_on)
    if reads_source and layer != "staging":
        yield violation("source-outside-staging", "only staging models may call source()")


def _upstream_access(models: Mapping[str, Model], upstream: Iterable[Model]) -> Iterator[Violation]:
    """A ref to another domain's model that is not public (dbt refuses it when it parses with
    dbt-loom's injected nodes, but a manifest may come from elsewhere: `mesh check --no-parse`,
    another loom setup)."""
    hidden = {m.unique_id: m.access for m in upstream if m.access != "public"}
    for model in models.values():
        for node in model.depends_on:
            if node in hidden:
                yield Violation(
                    "cross-domain-ref",
                    model.unique_id,
                    f"reads {node}, a {hidden[node]} model of another domain: only public "
                    "models are a domain's interface (ask its owners to make it public, with a "
                    "contract)",
                    model.source_file or "",
                )


def _misspelt(meta: Mapping[str, Any], known: frozenset[str]) -> Iterator[tuple[str, str]]:
    """`meta` keys that are not keys the mesh reads but look like one (`glosary_terms`, `Tier`):
    the value would be dropped without a word. Keys of other tools (`dagster`, `pii_owner`) are
    not close to any and pass."""
    for key in meta:
        if key in known or not isinstance(key, str):
            continue
        close = difflib.get_close_matches(key.lower(), sorted(known), n=1, cutoff=0.8)
        if close:
            yield key, close[0]


def _data_products(domain: Domain, mesh: MeshFacts, vocabulary: Vocabulary) -> Iterator[Violation]:
    """What the DataZone publisher would refuse in the domain's data products file."""
    declared = load_products(domain.path / PRODUCTS_FILE).data_products
    file = f"domains/{domain.name}/{PRODUCTS_FILE}"
    models = mesh.of_domain(domain.name)
    by_key = {m.key: m for m in models}
    for product in map_products(domain.name, declared, models):
        node = f"data product {product.name!r}"
        for _, problem in product_problems(product, by_key, file):
            yield Violation("data-product", node, problem, file)
        for term in product.glossary_terms:
            if term not in vocabulary.glossary_terms:
                problem = f"unknown glossary term {term!r} (see catalog/glossary.yml)"
                yield Violation("glossary", node, problem, file)


def _has_primary_key_test(tests: Iterable[TestResult]) -> bool:
    """Whether the model's own tests include a key: unique + not_null on one column."""
    by_column: dict[str, set[str]] = {}
    for test in tests:
        if test.kind == "unique_combination_of_columns":
            return True
        if test.kind in PK_TESTS:
            by_column.setdefault(test.column_name or "", set()).add(test.kind)
    return any(kinds >= PK_TESTS for kinds in by_column.values())


def _iceberg_column_types(model: Model) -> Iterator[Violation]:
    """Declared column types of a model built as an Iceberg table must fit Athena's Iceberg.

    dbt-athena compares only base type names against a contract, so a `timestamp(3)` or a
    `varchar(20)` would pass its check and land in the table (see mesh/iceberg_types.py).
    """
    if model.table_type != "iceberg" or model.materialized not in {"table", "incremental"}:
        return
    for column in model.columns:
        problem = iceberg_type_problem(column.data_type) if column.data_type else None
        if problem:
            yield Violation(
                "iceberg-types",
                model.unique_id,
                f"column {column.name!r}: {problem}",
                model.source_file or "",
            )


def _chained_views(models: Mapping[str, Model]) -> Iterator[Violation]:
    views = {uid for uid, m in models.items() if m.materialized == "view"}
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(views)
    for uid in views:
        graph.add_edges_from((dep, uid) for dep in models[uid].depends_on if dep in views)
    longest = nx.dag_longest_path(graph) if graph else []
    if len(longest) > CHAINED_VIEWS_THRESHOLD:
        last = models[longest[-1]]
        yield Violation(
            "chained-views",
            longest[-1],
            f"{len(longest)} views in a chain ({' -> '.join(longest)}); "
            f"materialize one as a table (threshold {CHAINED_VIEWS_THRESHOLD})",
            last.original_file_path or "",
        )


def _schema_names(domain: str, models: Mapping[str, Model]) -> Iterator[Violation]:
    """Every relation the domain builds is in `<domain>_<layer>` (`<prefix>_<domain>_<layer>` on a
    private target), as mesh_core.mesh_schema_name names it: the Glue database the publisher, the
    IAM policies and the other domains expect."""
    for uid, model in models.items():
        if model.relation is None:  # ephemeral: nothing is built
            continue
        path = model.original_file_path or ""
        layer = next((layer for layer in LAYER_PREFIXES if f"/{layer}/" in path), None)
        want = f"{domain}_{layer or '<layer>'}"
        ending = re.escape(f"{domain}_{layer}") if layer else re.escape(f"{domain}_") + r"\w+"
        schema = model.relation.glue_database
        if not re.fullmatch(rf"(?:\w+_)?{ending}", schema):
            yield Violation(
                "schema-naming",
                uid,
                f"builds into schema {schema!r}, not {want!r}: the domain's generate_schema_name "
                "must delegate to mesh_core.mesh_schema_name, and each layer folder set its "
                "`+schema`",
                model.source_file or path,
            )
