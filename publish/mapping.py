"""The mapping stage: each dbt model of the mesh -> its catalog facts, computed once.

This is the one place that decides what a dbt fact becomes in a catalog. `map_mesh` turns the typed
model (`publish.model`) into `ModelFacts`: the model's text with each target's cut, its columns,
owner, tier, glossary terms, test results, the freshness of the sources upstream of it, and
whether (and why not) it is published as a DataZone asset; `map_products` resolves the items of
the data products a domain declares. The functions at the end render the fields each catalog
stores (Glue's `mesh:` parameters, the DataZone `dbt_model` form and readme). The Glue target
(`publish.desired`), the DataZone target (`publish.datazone`) and the docs portal
(`mesh.portal.collect`) all render from here and never read a dbt field the mapping does not carry.
"""

from __future__ import annotations

import json
import threading
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from string import Formatter
from typing import Any

from msgspec import Struct

from publish import limits
from publish.artifacts import paused_gc
from publish.errors import BadInputError
from publish.model import TEST_STATUS_ORDER, Column, Domain, Model, SourceFreshness, TestStatus
from publish.products import ProductSpec

# --- text and each target's cut -----------------------------------------------------------------

#: Glue's limits (TableInput.Description, Column.Comment, DatabaseInput.Description)
DESCRIPTION_LIMIT = 2048
COMMENT_LIMIT = 255
ELLIPSIS = "..."  # what dbt-athena appends; the same here so that both write identical text

_JOINERS = frozenset("\u200d\ufe0e\ufe0f")


class GlueText(Struct, frozen=True, gc=False):
    """A text as the publisher writes it to Glue (`value`) and as dbt has it (`full`).

    `athena` is what dbt-athena's persist_docs writes for the same text; it differs from `value`
    only for long non-ASCII text, and Glue holding it counts as in sync (no write), so that a build
    and a publish never undo each other's work.
    """

    value: str
    full: str
    athena: str
    truncated: bool = False

    def in_sync(self, current: str) -> bool:
        return current in (self.value, self.athena)


def clean_sql_comment(text: str) -> str:
    """dbt-athena's `clean_sql_comment`: lines stripped, blank lines dropped, joined by spaces."""
    if "\n" not in text:
        return text.strip()
    return " ".join(line.strip() for line in text.split("\n") if line.strip())


@lru_cache(maxsize=1 << 16)  # column docs repeat (shared doc blocks): compute each text once
def glue_text(text: str, limit: int) -> GlueText:
    """The text dbt-athena's persist_docs writes, made safe for Glue's byte limit.

    dbt-athena cuts at `limit` characters and appends "...". Whenever that result also fits in
    `limit` UTF-8 bytes (always for ASCII), this returns exactly the same string. Otherwise (long
    non-ASCII text) it cuts at a character boundary so that the UTF-8 encoding fits, without
    splitting a character from its combining marks, and appends the same ellipsis; dbt-athena's
    version is kept in `athena` and accepted as in sync.
    """
    clean = clean_sql_comment(text)
    if len(clean) <= limit and (clean.isascii() or len(clean.encode("utf-8")) <= limit):
        return GlueText(clean, text, clean)  # the common case: fits as it is
    athena = f"{clean[: limit - len(ELLIPSIS)]}{ELLIPSIS}" if len(clean) > limit else clean
    if len(athena.encode("utf-8")) <= limit:
        return GlueText(athena, text, athena, athena != clean)
    budget = limit - len(ELLIPSIS.encode("utf-8"))
    kept = clean.encode("utf-8")[:budget].decode("utf-8", errors="ignore")
    following = clean[len(kept)] if len(kept) < len(clean) else ""
    if following and (unicodedata.combining(following) or following in _JOINERS):
        # the cut falls inside a grapheme: drop its marks and its base character too
        while kept and (unicodedata.combining(kept[-1]) or kept[-1] in _JOINERS):
            kept = kept[:-1]
        kept = kept[:-1]
    return GlueText(f"{kept}{ELLIPSIS}", text, athena, True)


class Text(Struct, frozen=True, gc=False):
    """One dbt description and each target's cut of it.

    `full` (dbt's text without surrounding whitespace) is what DataZone, lineage and the portal
    show; `glue` is the cut Glue stores (dbt-athena's text within Glue's byte limit, computed
    when the Glue target asks); `one_line` is the text on one line, for a cell of the readme's
    column table.
    """

    full: str
    glue_limit: int

    @classmethod
    def of(cls, text: str, glue_limit: int) -> Text:
        return cls(text.strip(), glue_limit)

    @property
    def glue(self) -> GlueText:
        return glue_text(self.full, self.glue_limit)

    @property
    def one_line(self) -> str:
        return " ".join(self.full.split())


# --- tests and freshness --------------------------------------------------------------------------

#: dbt source freshness statuses, worst first
FRESHNESS_ORDER = ("runtime error", "error", "warn", "pass")


@dataclass(frozen=True, slots=True)
class TestSummary:
    """The dbt tests of a model (or a domain) in the run results of its build."""

    status: TestStatus | None  # worst status, None without tests
    total: int = 0
    passed: int = 0
    failed: int = 0  # fail + error
    warned: int = 0
    not_run: int = 0  # not_run + skipped

    @property
    def passed_of_total(self) -> str | None:
        """`passed/total`, e.g. `7/7`; None without tests."""
        return f"{self.passed}/{self.total}" if self.total else None


def test_summary(statuses: Iterable[TestStatus]) -> TestSummary:
    statuses = list(statuses)
    if not statuses:
        return TestSummary(None)
    for worst in TEST_STATUS_ORDER:  # a loop, not next(generator): asked of every model
        if worst in statuses:
            break
    count = statuses.count
    return TestSummary(
        worst,
        len(statuses),
        count("pass"),
        count("fail") + count("error"),  # failed
        count("warn"),
        count("not_run") + count("skipped"),  # not run
    )


@dataclass(frozen=True, slots=True)
class Freshness:
    """`dbt source freshness` of the sources upstream of a model (or read by a domain)."""

    status: str  # worst of FRESHNESS_ORDER, or not_checked / no_sources
    max_loaded_at: str | None = None  # the oldest of the sources' latest loads
    sources: tuple[str, ...] = ()  # `<source>.<table>` of every upstream source

    @property
    def published(self) -> str | None:
        """The status a catalog stores: None when no source is upstream."""
        return None if self.status == "no_sources" else self.status


def freshness(sources: Iterable[str], checked: Mapping[str, SourceFreshness]) -> Freshness:
    """Freshness of `sources` (unique ids), as `dbt source freshness` found them (`checked`)."""
    wanted = set(sources)
    if not wanted:
        return Freshness("no_sources")
    names = tuple(sorted(s.split(".", 2)[2] for s in wanted))
    found = [checked[s] for s in wanted if s in checked]
    if not found:
        return Freshness("not_checked", sources=names)
    statuses = {s.status for s in found}
    worst = next((s for s in FRESHNESS_ORDER if s in statuses), sorted(statuses)[0])
    loaded = [s.max_loaded_at for s in found if s.max_loaded_at]
    return Freshness(worst, min(loaded) if loaded else None, names)


# --- models -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Skip:
    """Why a model is not what a target publishes (a code for JSON, a reason for people)."""

    code: str
    reason: str


class ColumnFacts(Struct, frozen=True, gc=False):
    """What the catalogs say about one column of a model."""

    column: Column

    @property
    def name(self) -> str:
        return self.column.name

    @property
    def data_type(self) -> str | None:
        return self.column.data_type

    @property
    def description(self) -> Text:
        return Text.of(self.column.description, COMMENT_LIMIT)

    @property
    def glue_comment(self) -> GlueText:
        return glue_comment(self.column.description)

    @property
    def glossary_terms(self) -> tuple[str, ...]:
        return self.column.glossary_terms

    @property
    def sensitivity(self) -> str | None:
        return self.column.sensitivity

    @property
    def meta(self) -> Mapping[str, Any]:
        return self.column.meta

    @property
    def documented(self) -> bool:
        """Documented in dbt YAML (dbt-athena's persist_docs only touches these)."""
        return self.column.documented


@lru_cache(maxsize=1 << 16)  # column docs repeat (shared doc blocks)
def glue_comment(description: str) -> GlueText:
    """A column's Comment in Glue, from its dbt description: `ColumnFacts.description.glue`,
    without building the Text or the ColumnFacts (a Glue publish asks it of every column)."""
    return glue_text(description.strip(), COMMENT_LIMIT)


class _Mesh:
    """What facts need of the whole mesh: models by id (to walk upstream across domains), the
    sources upstream of each model (memoised), and every source's freshness."""

    def __init__(self, domains: Sequence[Domain]) -> None:
        self.by_id = {m.unique_id: m for d in domains for m in d.models}
        self.freshness = {s.unique_id: s for d in domains for s in d.sources}
        self.upstream: dict[str, frozenset[str]] = {}
        self.lock = threading.Lock()

    def sources_of(self, model: Model) -> frozenset[str]:
        """The sources a model reads, directly or through the loaded models upstream of it."""
        with self.lock:
            return _sources_of(model, self.by_id, self.upstream)


@dataclass(frozen=True, slots=True)
class ModelFacts:
    """Everything the catalogs say about one dbt model. Each fact is derived here, when a target
    asks for it (a Glue publish of 10,000 models never computes a readme)."""

    model: Model
    file: str  # what a person edits to change the model (for error messages)
    mesh: _Mesh = field(repr=False, compare=False)

    @property
    def unique_id(self) -> str:
        return self.model.unique_id

    @property
    def domain(self) -> str:
        return self.model.domain

    @property
    def key(self) -> str:
        """`<domain>.<model>[.v<version>]`"""
        return key_of(self.model.unique_id)

    @property
    def description(self) -> Text:
        return Text.of(self.model.description, DESCRIPTION_LIMIT)

    @property
    def columns(self) -> tuple[ColumnFacts, ...]:
        return tuple(ColumnFacts(c) for c in self.model.columns)

    @property
    def documented_columns(self) -> tuple[ColumnFacts, ...]:
        return tuple(ColumnFacts(c) for c in self.model.columns if c.documented)

    @property
    def owner(self) -> str | None:
        """meta `owner`, else the email of the model's group's owner."""
        return self.model.owner

    @property
    def tier(self) -> str | None:
        return self.model.tier

    @property
    def glossary_terms(self) -> tuple[str, ...]:
        return self.model.glossary_terms

    @property
    def column_terms(self) -> tuple[str, ...]:
        """Glossary terms on the columns that the model itself does not carry."""
        own = set(self.glossary_terms)
        return tuple(sorted({t for c in self.model.columns for t in c.glossary_terms} - own))

    @property
    def tests(self) -> TestSummary:
        return test_summary(t.status for t in self.model.tests)

    @property
    def sources(self) -> frozenset[str]:
        """The sources upstream of the model, through every loaded domain."""
        return self.mesh.sources_of(self.model)

    @property
    def freshness(self) -> Freshness:
        """The worst `dbt source freshness` status of the sources upstream of the model."""
        return freshness(self.sources, self.mesh.freshness)

    @property
    def upstream_models(self) -> tuple[str, ...]:
        return tuple(sorted(d for d in self.model.depends_on if d.startswith("model.")))

    @property
    def not_an_asset(self) -> Skip | None:
        """Why the model is not a DataZone asset; None: it is one (public, contracted, a table)."""
        return _not_an_asset(self.model)

    def past_deprecation(self, today: date) -> bool:
        when = self.model.deprecation_date
        if not when:
            return False
        try:
            return datetime.fromisoformat(when.replace("Z", "+00:00")).date() < today
        except ValueError:
            return False


@dataclass(frozen=True, slots=True)
class MeshFacts:
    """The facts of every model of the loaded domains, in load order."""

    domains: tuple[Domain, ...]
    models: tuple[ModelFacts, ...]
    mesh: _Mesh = field(repr=False, compare=False)

    def of_domain(self, domain: str) -> list[ModelFacts]:
        return [m for m in self.models if m.domain == domain]

    def freshness(self, sources: Iterable[str]) -> Freshness:
        """Freshness of any sources of the loaded domains (e.g. all a domain reads)."""
        return freshness(sources, self.mesh.freshness)


def key_of(unique_id: str) -> str:
    """`model.customers.dim_customers.v2` -> `customers.dim_customers.v2`."""
    return unique_id.split(".", 1)[1] if unique_id.startswith("model.") else unique_id


def model_file(domain: Domain, model: Model) -> str:
    """The file a person edits to change the model, as error messages name it."""
    return f"domains/{domain.name}/{model.source_file}" if model.source_file else model.unique_id


def map_mesh(domains: Sequence[Domain]) -> MeshFacts:
    """The facts of every model of the loaded domains (sources upstream across domains)."""
    with paused_gc():  # many small objects, no cycles (see paused_gc)
        return _map_mesh(domains)


def _map_mesh(domains: Sequence[Domain]) -> MeshFacts:
    mesh = _Mesh(domains)
    facts = tuple(
        ModelFacts(model, model_file(domain, model), mesh)
        for domain in domains
        for model in domain.models
    )
    return MeshFacts(tuple(domains), facts, mesh)


def _sources_of(
    model: Model, by_id: Mapping[str, Model], memo: dict[str, frozenset[str]]
) -> frozenset[str]:
    found = memo.get(model.unique_id)
    if found is not None:
        return found
    stack: list[tuple[Model, int]] = [(model, 0)]
    on_path: set[str] = set()
    while stack:  # depth-first, iterative (long model chains), memoised per model
        node, index = stack.pop()
        deps = node.depends_on
        if index == 0:
            on_path.add(node.unique_id)
        while index < len(deps):
            dep = by_id.get(deps[index])
            index += 1
            if dep is not None and dep.unique_id not in memo and dep.unique_id not in on_path:
                stack.append((node, index))
                stack.append((dep, 0))
                break
        else:
            sources: set[str] = {d for d in deps if d.startswith("source.")}
            for dep_id in deps:
                sources |= memo.get(dep_id, frozenset())
            memo[node.unique_id] = frozenset(sources)
            on_path.discard(node.unique_id)
    return memo[model.unique_id]


def _not_an_asset(model: Model) -> Skip | None:
    """Only public models with an enforced contract and a table are DataZone assets."""
    if model.relation is None:
        return Skip("ephemeral", "ephemeral: no table")
    if model.from_package:
        return Skip("from_package", f"from the installed package {model.package_name}")
    if model.access != "public":
        return Skip("not_public", f"not public ({model.access})")
    if not model.contract_enforced:
        return Skip("no_contract", "public, but without an enforced contract")
    return None


# --- data products --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProductItem:
    ref: str  # as written in data_products.yml
    key: str | None  # the model it resolves to (`ModelFacts.key`); None: no model of the domain


@dataclass(frozen=True, slots=True)
class ProductFacts:
    """A data product a domain declares, its items resolved to the domain's models."""

    domain: str
    name: str
    description: str
    owner: str | None
    glossary_terms: tuple[str, ...]
    items: tuple[ProductItem, ...]


def resolve_item(ref: str, models: Iterable[ModelFacts]) -> ModelFacts | None:
    """`dim_customers` = its latest version, `dim_customers.v1` = that version."""
    name, _, version = ref.partition(".v")
    candidates = [m for m in models if m.model.name == name]
    if version:
        return next((m for m in candidates if m.model.version == version), None)
    return next((m for m in candidates if m.model.is_latest_version), None)


def map_products(
    domain: str, declared: Iterable[ProductSpec], models: Sequence[ModelFacts]
) -> list[ProductFacts]:
    """The data products `declared` in a domain's file, their items resolved."""
    out = []
    for spec in declared:
        items = []
        for ref in spec.items:
            found = resolve_item(ref, models)
            items.append(ProductItem(ref, found.key if found else None))
        out.append(
            ProductFacts(
                domain=domain,
                name=spec.name,
                description=spec.description.strip(),
                owner=spec.owner,
                glossary_terms=tuple(spec.glossary_terms),
                items=tuple(items),
            )
        )
    return out


def product_problems(
    product: ProductFacts, models: Mapping[str, ModelFacts], file: str
) -> list[tuple[str, str]]:
    """A problem (file, text) for each item of `product` that is not a public model with an
    enforced contract of its domain (`models`: the domain's, by key), as DataZone refuses it."""
    where = f"data product {product.name!r}"
    problems: list[tuple[str, str]] = []
    for item in product.items:
        facts = models.get(item.key) if item.key else None
        if facts is None:
            problems.append(
                (
                    file,
                    f"{where} names {item.ref!r}, which is not a model of domain "
                    f"{product.domain} (use `<model>` or `<model>.v<version>`)",
                )
            )
        elif facts.not_an_asset is not None:
            problems.append(
                (
                    file,
                    f"{where} names {item.ref!r} ({facts.unique_id}), which is "
                    f"{facts.not_an_asset.reason}; only public models with an enforced "
                    "contract can be in a data product",
                )
            )
    return problems


def datazone_description_limit() -> int:
    """The characters DataZone takes in an asset's description (CreateAsset `description`, from
    botocore's model; also the cut of the GlueTableForm's table description)."""
    return limits.maximum("datazone", "CreateAsset", "description")


def too_long_descriptions(mesh: MeshFacts) -> list[tuple[ModelFacts, int]]:
    """Each DataZone asset-to-be whose description DataZone refuses, and its length."""
    limit = datazone_description_limit()
    return [
        (facts, length)
        for facts in mesh.models
        if facts.not_an_asset is None and (length := len(facts.description.full)) > limit
    ]


def shorten_fix() -> str:
    """The fix for a description DataZone refuses."""
    return (
        "shorten the model's description in its YAML to DataZone's "
        f"{datazone_description_limit():,} characters (move the detail to a doc block of its "
        "columns or to the docs site), then run again"
    )


# --- what each catalog stores -------------------------------------------------------------------

#: the prefix of the Glue parameters the publisher owns (written out in `glue_parameters`)
GLUE_PREFIX = "mesh:"


#: the placeholders a `--docs-url` template may hold
DOCS_URL_FIELDS = ("domain", "unique_id")
_DOCS_URL_FIX = (
    "pass the address of the dbt docs site (https://docs.example.com), or a template whose only "
    "placeholders are {domain} and {unique_id} (https://docs.example.com/{domain}/#!/model/"
    "{unique_id}); a literal brace is written twice"
)


def check_docs_url(value: str) -> str:
    """`--docs-url` (or MESH_DOCS_URL), checked once before anything is mapped: every model's
    link is made from it, so a typo would otherwise fail deep inside a publish."""
    where = f"--docs-url (or MESH_DOCS_URL) {value!r}"
    if not value.startswith(("https://", "http://")) or len(value.split("://", 1)[1]) == 0:
        raise BadInputError(f"{where} is not an http(s) address", fix=_DOCS_URL_FIX)
    try:
        names = [name for _, name, _, _ in Formatter().parse(value) if name is not None]
    except ValueError as exc:
        raise BadInputError(f"{where} is not a valid template ({exc})", fix=_DOCS_URL_FIX) from None
    unknown = sorted({name for name in names if name not in DOCS_URL_FIELDS})
    if unknown:
        shown = ", ".join("{" + name + "}" for name in unknown)
        raise BadInputError(
            f"{where} has the placeholder(s) {shown}, which the publisher cannot fill in",
            fix=_DOCS_URL_FIX,
        )
    return value


def docs_link(template: str, model: Model) -> str:
    """`--docs-url` with `{domain}`/`{unique_id}` placeholders, or a base URL of a dbt docs site."""
    if "{" in template:
        return template.format(domain=model.domain, unique_id=model.unique_id)
    return f"{template.rstrip('/')}/#!/model/{model.unique_id}"


def glue_parameters(facts: ModelFacts, docs_url: str | None = None) -> dict[str, str]:
    """The `mesh:` table parameters of a model (values are strings, as Glue stores them)."""
    model = facts.model
    terms = facts.glossary_terms
    params: dict[str, str | None] = {
        "mesh:unique_id": model.unique_id,
        "mesh:domain": model.domain,
        "mesh:access": model.access,
        "mesh:owner": facts.owner,
        "mesh:group": model.group,
        "mesh:tier": facts.tier,
        "mesh:contract_enforced": "true" if model.contract_enforced else "false",
        "mesh:version": model.version,
        "mesh:latest_version": model.latest_version if model.version is not None else None,
        "mesh:deprecation_date": model.deprecation_date,
        "mesh:glossary_terms": json.dumps(list(terms)) if terms else None,
        "mesh:docs_url": docs_link(docs_url, model) if docs_url else None,
    }
    return {k: v for k, v in params.items() if v is not None}


#: the readme's column table stays well within a DataZone form's 300,000 characters
README_COLUMNS_LIMIT = 50_000


def readme(facts: ModelFacts, docs_url: str | None) -> str:
    """The model's dbt docs as markdown: description, columns, docs link. Test results are not
    here: they change with every build, and live in the data-quality time series."""
    model = facts.model
    lines = [f"# {model.name}" + (f" (v{model.version})" if model.version else ""), ""]
    lines += [facts.description.full or "_No description in dbt._", ""]
    documented = facts.documented_columns
    table = [f"| {c.name} | {c.data_type or ''} | {c.description.one_line} |" for c in documented]
    if sum(len(row) for row in table) > README_COLUMNS_LIMIT:
        # a wide, wordy table: the asset's schema and column form carry the column docs already
        lines += [f"_{len(documented)} documented columns: see the asset's schema._", ""]
    elif documented:
        lines += ["| column | type | description |", "| --- | --- | --- |", *table, ""]
    if docs_url:
        lines.append(f"dbt docs: {docs_link(docs_url, model)}")
    return "\n".join(lines).strip()


def datazone_form(facts: ModelFacts, *, docs_url: str | None, managed_by: str) -> dict[str, Any]:
    """The `dbt_model` form of the model's asset (fields without a value left out)."""
    model = facts.model
    form: dict[str, Any] = {
        "uniqueId": model.unique_id,
        "domain": model.domain,
        "owner": facts.owner,
        "tier": facts.tier,
        "materialization": model.materialized,
        "contractEnforced": model.contract_enforced,
        "version": model.version,
        "latestVersion": model.latest_version if model.version else None,
        "deprecationDate": model.deprecation_date,
        "tags": list(facts.model.tags) or None,
        "sourceFreshness": facts.freshness.published,
        "upstreamModels": list(facts.upstream_models) or None,
        "docsUrl": docs_link(docs_url, model) if docs_url else None,
        "readme": readme(facts, docs_url),
        "managedBy": managed_by,
    }
    return {k: v for k, v in form.items() if v is not None}


def datazone_columns(facts: ModelFacts) -> list[dict[str, Any]]:
    """The documented columns as the asset describes them (names in lower case, as Glue has them);
    the content hash of the asset covers exactly these fields."""
    return [
        {
            "name": c.name.lower(),
            "description": c.description.full,
            "terms": c.glossary_terms,
            "data_type": c.data_type,
        }
        for c in facts.documented_columns
    ]
