"""dbt artifacts of every domain + data products + glossary -> the portal's data model.

The typed loader (`publish.artifacts.load_domains`) gives each domain's models; the mapping stage
(`publish.mapping`) gives what the catalogs say about each (description, owner, tier, tests,
freshness of the sources upstream, data-product items), so the portal shows what Glue and
DataZone hold; the loader also gives each domain's groups (team names, emails, descriptions) and
the upstream models dbt-loom injected. Lineage shows consumers the public models only (dbt-loom
injects the upstream domain's public models into the downstream manifest, so the downstream
model's `depends_on` names them) and the edges between them; an edge may pass through models the
graph does not show (staging, intermediate, protected), so the graph reads "A feeds B". The
domains' upstream/downstream lists come from every cross-domain ref.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import networkx as nx

from mesh.portal.columns import ColumnOrigin, column_origins
from mesh.portal.quality import QualityPoint, merged, point_of
from publish.artifacts import load_domains
from publish.datazone.glossary import load_glossary
from publish.errors import raise_problems
from publish.mapping import (
    Freshness,
    MeshFacts,
    ModelFacts,
    ProductFacts,
    ProductItem,
    TestSummary,
    key_of,
    map_mesh,
    map_products,
    product_problems,
    test_summary,
)
from publish.model import Domain, Group, Model
from publish.products import load_products

GLOSSARY_FILE = Path("catalog") / "glossary.yml"
PRODUCTS_FILE = "data_products.yml"  # in domains/<domain>/

__all__ = [
    "DataProduct",
    "Freshness",
    "Portal",
    "PortalModel",
    "ProductItem",
    "TestSummary",
    "build_portal",
    "collect",
]


# --- the data model ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Owner:
    name: str | None
    email: str | None


@dataclass(frozen=True, slots=True)
class ColumnInfo:
    name: str
    data_type: str | None
    description: str
    sensitivity: str | None
    glossary_terms: tuple[str, ...]
    #: where the column comes from (column lineage of the compiled SQL); None without SQL
    origin: ColumnOrigin | None = None


@dataclass(frozen=True, slots=True)
class PortalModel:
    key: str  # `<domain>.<model>[.v<version>]`
    unique_id: str
    domain: str
    name: str
    version: str | None
    latest_version: str | None
    is_latest: bool
    description: str
    owner: str | None
    tier: str | None
    group: str | None
    access: str
    contract_enforced: bool
    materialized: str
    relation: str | None
    deprecation_date: str | None
    tests: TestSummary
    build_status: str | None
    last_build_at: str | None
    freshness: Freshness
    glossary_terms: tuple[str, ...]  # the model's own terms
    column_terms: tuple[str, ...]  # terms on its columns only
    columns: tuple[ColumnInfo, ...]
    data_products: tuple[str, ...] = ()
    #: data-quality points of recent builds, oldest first (the last is this build's, if any)
    quality: tuple[QualityPoint, ...] = ()
    docs_href: str | None = None

    @property
    def deprecated(self) -> bool:
        return self.deprecation_date is not None

    @property
    def label(self) -> str:
        return f"{self.name} v{self.version}" if self.version else self.name


#: a data product as the mapping stage resolves it (its items name models by key)
DataProduct = ProductFacts


@dataclass(frozen=True, slots=True)
class DomainInfo:
    name: str
    description: str
    owners: tuple[Owner, ...]
    models_total: int
    public_models: tuple[str, ...]  # keys
    upstream: tuple[str, ...]
    downstream: tuple[str, ...]
    last_build_at: str | None
    tests: TestSummary
    freshness: Freshness
    docs_href: str | None
    dbt_version: str | None
    adapter_type: str | None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LineageNode:
    key: str
    unique_id: str
    domain: str
    label: str
    access: str  # public | protected | private | unknown (not loaded, not injected by dbt-loom)
    deprecated: bool = False


@dataclass(frozen=True, slots=True)
class LineageEdge:
    source: str  # node keys
    target: str
    cross_domain: bool


@dataclass(frozen=True, slots=True)
class GlossaryTerm:
    name: str
    description: str


@dataclass(frozen=True, slots=True)
class Portal:
    title: str
    generated_at: str
    domains: tuple[DomainInfo, ...]
    products: tuple[DataProduct, ...]
    models: tuple[PortalModel, ...]  # public models, every version
    nodes: tuple[LineageNode, ...]
    edges: tuple[LineageEdge, ...]
    glossary: tuple[GlossaryTerm, ...]
    warnings: tuple[str, ...] = field(default=())
    #: domain -> the folder of its generated dbt docs site (index.html + JSON); not in mesh.json
    docs_dirs: Mapping[str, Path] = field(default_factory=dict)

    def model(self, key: str) -> PortalModel:
        return next(m for m in self.models if m.key == key)

    def cross_domain_edges(self) -> list[tuple[str, str]]:
        return [(e.source, e.target) for e in self.edges if e.cross_domain]

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able data (what `mesh.json` holds and the page's script reads)."""
        data = asdict(self)
        data.pop("docs_dirs")
        for model, out in zip(self.models, data["models"], strict=True):
            out["label"] = model.label
            out["deprecated"] = model.deprecated
        return data


# --- collecting -------------------------------------------------------------------------------


def domain_of(unique_id: str) -> str:
    return unique_id.split(".")[1]


def collect(
    root: Path,
    *,
    artifacts: Path | None = None,
    domains: Sequence[str] = (),
    now: datetime | None = None,
    history: Mapping[str, Sequence[QualityPoint]] | None = None,
) -> Portal:
    """Everything the portal shows, from the artifacts under `root` (or `artifacts`);
    `history`: the data-quality points of earlier builds by model key (`read_history`)."""
    mesh = map_mesh(load_domains(root, artifacts, domains))
    glossary = _glossary(root / GLOSSARY_FILE)
    terms = {t.name for t in glossary}
    products: list[DataProduct] = []
    problems: list[tuple[str, str]] = []
    for domain in mesh.domains:
        products += _products(root, domain, mesh, terms, problems)
    raise_problems(
        problems,
        fix="name public models with an enforced contract of the product's own domain "
        f"(`<model>` or `<model>.v<version>`), and terms that {GLOSSARY_FILE} defines",
    )
    portal = build_portal(mesh, products, glossary, now=now, history=history)
    # warnings name files; the page shows them relative to the repository, not this machine
    prefix = f"{root.resolve()}/"
    return replace(portal, warnings=tuple(w.replace(prefix, "") for w in portal.warnings))


def build_portal(
    mesh: MeshFacts,
    products: Sequence[DataProduct],
    glossary: Sequence[GlossaryTerm],
    *,
    now: datetime | None = None,
    history: Mapping[str, Sequence[QualityPoint]] | None = None,
) -> Portal:
    loaded = mesh.domains
    by_domain = {d.name: d for d in loaded}
    products_of: dict[str, list[str]] = {}
    for product in products:
        for item in product.items:
            if item.key:
                products_of.setdefault(item.key, []).append(product.name)

    graph = _model_graph(loaded)
    cross = [(u, v) for u, v in graph.edges if graph.nodes[u]["domain"] != graph.nodes[v]["domain"]]
    shown = _consumer_nodes(graph, loaded)
    edges = _collapsed_edges(graph, shown)

    domain_graph: nx.DiGraph[str] = nx.DiGraph()
    domain_graph.add_nodes_from(by_domain)
    domain_graph.add_edges_from(
        (graph.nodes[u]["domain"], graph.nodes[v]["domain"]) for u, v in cross
    )

    origins = column_origins(loaded)
    models: list[PortalModel] = []
    infos: list[DomainInfo] = []
    warnings: list[str] = []
    docs_dirs: dict[str, Path] = {}
    for domain in loaded:
        docs = _docs_href(domain)
        if docs:
            docs_dirs[domain.name] = domain.artifacts_dir
        public = [f for f in mesh.of_domain(domain.name) if f.model.access == "public"]
        public.sort(key=lambda f: (f.model.name, f.model.version or ""))
        for facts in public:
            quality = merged(
                (history or {}).get(facts.key, ()), point_of(facts.model, domain.run_finished_at)
            )
            models.append(
                _portal_model(facts, tuple(products_of.get(facts.key, ())), docs, quality, origins)
            )
        warnings += domain.warnings
        groups = _groups(domain)
        infos.append(
            DomainInfo(
                name=domain.name,
                description=domain.description or _groups_description(groups),
                owners=_owners(domain, groups),
                models_total=len(domain.models),
                public_models=tuple(f.key for f in public),
                upstream=tuple(sorted(domain_graph.predecessors(domain.name))),
                downstream=tuple(sorted(domain_graph.successors(domain.name))),
                last_build_at=max(
                    (
                        m.build.completed_at
                        for m in domain.models
                        if m.build and m.build.completed_at
                    ),
                    default=None,
                ),
                tests=test_summary(t.status for m in domain.models for t in m.tests),
                # every source some model of the domain reads directly
                freshness=mesh.freshness(
                    {s for m in domain.models for s in m.depends_on if s.startswith("source.")}
                ),
                docs_href=f"{docs}#!/overview" if docs else None,
                dbt_version=domain.dbt_version,
                adapter_type=domain.adapter_type,
                warnings=domain.warnings,
            )
        )

    nodes = []
    for key in sorted(shown):
        data = graph.nodes[key]
        node_model: Model | None = data.get("model")
        label = key.split(".", 1)[1]
        if node_model is not None and node_model.version:
            label = f"{node_model.name} v{node_model.version}"
        nodes.append(
            LineageNode(
                key=key,
                unique_id=f"model.{key}",
                domain=data["domain"],
                label=label,
                access=node_model.access if node_model is not None else "unknown",
                deprecated=bool(node_model and node_model.deprecation_date),
            )
        )
    missing = sorted({n.domain for n in nodes} - set(by_domain))
    if missing:
        warnings.append(
            f"lineage names models of domain(s) {', '.join(missing)} whose artifacts were not "
            "loaded; those nodes show without details"
        )
    stamp = (now or datetime.now(UTC)).replace(microsecond=0).isoformat()
    return Portal(
        title="Analytics mesh",
        generated_at=stamp,
        domains=tuple(infos),
        products=tuple(products),
        models=tuple(models),
        nodes=tuple(nodes),
        edges=tuple(edges),
        glossary=tuple(glossary),
        warnings=tuple(warnings),
        docs_dirs=docs_dirs,
    )


def _model_graph(loaded: Sequence[Domain]) -> nx.DiGraph:
    """Every model of every domain, and their `depends_on` edges (sources left out).

    A model of a domain that was not loaded is known from the copy dbt-loom injected into the
    manifest that reads it.
    """
    graph: nx.DiGraph[str] = nx.DiGraph()
    copies = {m.unique_id: m for d in loaded for m in d.upstream_models}
    for domain in loaded:
        for model in domain.models:
            graph.add_node(key_of(model.unique_id), domain=domain.name, model=model)
    for domain in loaded:
        for model in domain.models:
            for upstream in model.depends_on:
                if not upstream.startswith("model."):
                    continue
                key = key_of(upstream)
                if key not in graph:  # a domain whose artifacts were not loaded
                    copy = copies.get(upstream)  # what dbt-loom says of it: access, version
                    graph.add_node(key, domain=domain_of(upstream), model=copy)
                graph.add_edge(key, key_of(model.unique_id))
    return graph


def _consumer_nodes(graph: nx.DiGraph, loaded: Sequence[Domain]) -> set[str]:
    """What the lineage shows consumers: public models only.

    Private and protected models are the domains' own implementation (dbt lets no other
    project ref them, DataZone lists none of them); edges pass through them, so "A feeds B"
    still holds between public models. A model of a domain whose artifacts were not loaded is
    shown when a loaded domain refs it: a ref across projects reaches public models only.
    """
    loaded_names = {d.name for d in loaded}
    shown = {key_of(m.unique_id) for d in loaded for m in d.models if m.access == "public"}
    for key, data in graph.nodes(data=True):
        if data["domain"] not in loaded_names:  # known from a ref, or dbt-loom's copy
            copy: Model | None = data.get("model")
            if copy is None or copy.access == "public":
                shown.add(key)
    return shown


def _collapsed_edges(graph: nx.DiGraph, shown: set[str]) -> list[LineageEdge]:
    """Edges between shown nodes, through any chain of hidden nodes in between."""
    edges: set[tuple[str, str]] = set()
    for start in shown:
        stack = list(graph.successors(start))
        seen: set[str] = set()
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            if node in shown:
                edges.add((start, node))
            else:
                stack.extend(graph.successors(node))
    return [
        LineageEdge(u, v, graph.nodes[u]["domain"] != graph.nodes[v]["domain"])
        for u, v in sorted(edges)
    ]


def _portal_model(
    facts: ModelFacts,
    products: tuple[str, ...],
    docs: str | None,
    quality: tuple[QualityPoint, ...],
    origins: Mapping[tuple[str, str], ColumnOrigin],
) -> PortalModel:
    model = facts.model
    return PortalModel(
        key=facts.key,
        unique_id=model.unique_id,
        domain=model.domain,
        name=model.name,
        version=model.version,
        latest_version=model.latest_version,
        is_latest=model.is_latest_version,
        description=facts.description.full,
        owner=facts.owner,
        tier=facts.tier,
        group=model.group,
        access=model.access,
        contract_enforced=model.contract_enforced,
        materialized=model.materialized,
        relation=str(model.relation) if model.relation else None,
        deprecation_date=model.deprecation_date[:10] if model.deprecation_date else None,
        tests=facts.tests,
        build_status=model.build.status if model.build else None,
        last_build_at=model.build.completed_at if model.build else None,
        freshness=facts.freshness,
        glossary_terms=facts.glossary_terms,
        column_terms=facts.column_terms,
        columns=tuple(
            ColumnInfo(
                name=c.name,
                data_type=c.data_type,
                description=c.description.full,
                sensitivity=c.sensitivity,
                glossary_terms=c.glossary_terms,
                origin=origins.get((model.unique_id, c.name.lower())),
            )
            for c in facts.columns
        ),
        data_products=products,
        docs_href=f"{docs}#!/model/{model.unique_id}" if docs else None,
        quality=quality,
    )


def _docs_href(domain: Domain) -> str | None:
    return (
        f"domains/{domain.name}/index.html"
        if (domain.artifacts_dir / "index.html").is_file()
        else None
    )


def _groups(domain: Domain) -> list[Group]:
    """The groups the domain's own project defines (installed packages' left out)."""
    own = [g for g in domain.groups if g.package_name in (None, domain.name)]
    return sorted(own, key=lambda g: g.unique_id)


def _owners(domain: Domain, groups: Iterable[Group]) -> tuple[Owner, ...]:
    owners = [Owner(g.owner_name, g.owner_email) for g in groups]
    emails = {o.email for o in owners}
    owners += [Owner(None, e) for e in domain.owners if e not in emails]
    return tuple(dict.fromkeys(owners))


def _groups_description(groups: Iterable[Group]) -> str:
    return " ".join(g.description for g in groups).strip()


def _glossary(path: Path) -> list[GlossaryTerm]:
    if not path.exists():
        return []
    spec = load_glossary(path)
    return [
        GlossaryTerm(t.name, " ".join(x for x in (t.short_description, t.long_description) if x))
        for t in spec.terms
    ]


def _products(
    root: Path, domain: Domain, mesh: MeshFacts, terms: set[str], problems: list[tuple[str, str]]
) -> list[DataProduct]:
    """The domain's data products; adds a problem for each item that is not one of its public,
    contracted models and each term the glossary lacks, as the DataZone publisher would."""
    path = root / "domains" / domain.name / PRODUCTS_FILE
    shown = str(path.relative_to(root) if path.is_relative_to(root) else path)
    declared = load_products(path).data_products  # an absent file is an empty one
    models = mesh.of_domain(domain.name)
    products = map_products(domain.name, declared, models)
    by_key = {m.key: m for m in models}
    for product in products:
        problems += product_problems(product, by_key, shown)
        problems += [
            (
                shown,
                f"data product {product.name!r} names the glossary term {term!r}, "
                f"which {GLOSSARY_FILE} does not define",
            )
            for term in product.glossary_terms
            if term not in terms
        ]
    return products
