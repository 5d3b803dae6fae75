"""Odd dbt inputs through the real publisher: mapping -> plan -> apply, Glue and Lake Formation on
moto behind the strict harness, DataZone on the strict emulator (both refuse what the APIs
document they refuse).

Property: a publish of any input either succeeds, and a second publish plans zero writes, or stops
before the first write of any catalog with a BadInputError that names a file and the fix. Inputs
(hypothesis): long descriptions, unicode, emoji and control characters, names with spaces, quotes
and capitals, empty strings, no columns and 5,000 columns, 30 glossary terms on a model and on a
data product, deep `meta` values.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mesh_standins.datazone import RunningEmulator, start_background
from mesh_standins.demo import StandIns, stand_in_env
from mesh_standins.prodmirror import seed_glue
from publish.aws import AwsClients, AwsSettings
from publish.datazone.api import DataZoneApi
from publish.datazone.config import load_config
from publish.errors import BadInputError
from publish.run import PublishOptions, apply, build_targets, prepare
from tests.publish.harness import REGION, GlueLikeMotoServer

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
DOMAIN = "odd"
TERMS = tuple(f"Odd Term {i:02d}" for i in range(30))
TODAY = date(2026, 11, 2)


@dataclass
class Odd:
    """One dbt model (and a data product of it) with whatever the strategies chose."""

    name: str = "dim_odd"
    description: str = "An odd model."
    columns: list[tuple[str, str]] = field(default_factory=lambda: [("id", "The id.")])
    terms: list[str] = field(default_factory=list)
    product_terms: list[str] = field(default_factory=list)
    owner: str = "odd@example.com"
    tier: str = "gold"
    meta: Any = None
    deprecation_date: str | None = None


# --- strategies -------------------------------------------------------------------------------

#: every character JSON and UTF-8 carry (no lone surrogates), control characters included
ANY_CHAR = st.characters(codec="utf-8", exclude_categories=("Cs",))
PLAIN = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
EMOJI = st.sampled_from("😀🚀👩‍👩‍👧ÄéЖ中文")
texts = st.one_of(
    st.text(PLAIN, max_size=80),
    st.text(st.one_of(PLAIN, EMOJI), max_size=300),
    st.text(ANY_CHAR, max_size=300),
    st.builds(lambda c, n: c * n, st.sampled_from("xé😀"), st.integers(2000, 2100)),
)
names = st.text(st.one_of(st.sampled_from("abcXYZ_019 '\"-"), EMOJI), min_size=1, max_size=30)
meta_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(ANY_CHAR, max_size=20)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=30,
)
odd_inputs = st.builds(
    Odd,
    name=st.one_of(st.just("dim_odd"), names.map(lambda n: f"dim {n}")),
    description=texts,
    columns=st.lists(st.tuples(names, texts), max_size=12, unique_by=lambda c: c[0].lower()),
    terms=st.lists(st.sampled_from(TERMS), max_size=30, unique=True),
    product_terms=st.lists(st.sampled_from(TERMS), max_size=30, unique=True),
    owner=st.one_of(st.just("odd@example.com"), st.text(ANY_CHAR, max_size=40)),
    tier=st.sampled_from(["gold", "silver", "platinum"]),
    meta=meta_values,
)

# --- artifacts --------------------------------------------------------------------------------


def write_root(root: Path) -> None:
    """The repository's catalog, its glossary the TERMS, paced for the emulator (not AWS)."""
    shutil.copytree(REPO / "catalog", root / "catalog")
    glossary_path = root / "catalog" / "glossary.yml"
    glossary = yaml.safe_load(glossary_path.read_text())
    glossary["terms"] = [{"name": t, "short_description": f"{t}."} for t in TERMS]
    glossary_path.write_text(yaml.safe_dump(glossary, allow_unicode=True))
    config_path = root / "catalog" / "datazone.yml"
    config = yaml.safe_load(config_path.read_text())
    config["rate_limits"] = {"default": 1000}
    config_path.write_text(yaml.safe_dump(config))


def write_domain(root: Path, artifacts: Path, odd: Odd) -> None:
    uid = f"model.{DOMAIN}.{odd.name}"
    meta: dict[str, Any] = {"owner": odd.owner, "tier": odd.tier, "glossary_terms": odd.terms}
    if odd.meta is not None:
        meta["extra"] = odd.meta
    columns = {
        name: {"name": name, "description": text, "data_type": "varchar", "meta": {}}
        for name, text in odd.columns
    }
    first = odd.columns[0][0] if odd.columns else None
    node = {
        "unique_id": uid,
        "resource_type": "model",
        "package_name": DOMAIN,
        "name": odd.name,
        "database": "awsdatacatalog",
        "schema": f"{DOMAIN}_marts",
        "alias": odd.name,
        "fqn": [DOMAIN, "marts", odd.name],
        "path": "marts/dim_odd.sql",
        "original_file_path": "models/marts/dim_odd.sql",
        "patch_path": f"{DOMAIN}://models/marts/_marts__models.yml",
        "description": odd.description,
        "access": "public",
        "group": "odd_team",
        "config": {"enabled": True, "materialized": "table", "meta": meta, "group": "odd_team"},
        "contract": {"enforced": True},
        "constraints": [],
        "columns": columns,
        "depends_on": {"nodes": [], "macros": []},
        "compiled_code": "select 1 as id",
        "version": None,
        "deprecation_date": odd.deprecation_date,
        "meta": meta,
        "tags": [],
    }
    nodes = {uid: node}
    done = {"name": "execute", "started_at": "2026-11-01T00:00:00Z"}
    done["completed_at"] = "2026-11-01T00:01:00Z"
    results = [{"unique_id": uid, "status": "success", "timing": [done], "message": None}]
    if first is not None:
        tid = f"test.{DOMAIN}.not_null_odd.1"
        nodes[tid] = {
            "unique_id": tid,
            "resource_type": "test",
            "package_name": DOMAIN,
            "name": "not_null_odd",
            "attached_node": uid,
            "column_name": first,
            "test_metadata": {"name": "not_null", "kwargs": {"column_name": first}},
            "depends_on": {"nodes": [uid], "macros": []},
            "config": {"enabled": True, "severity": "ERROR"},
        }
        results.append({"unique_id": tid, "status": "fail", "timing": [done], "failures": 3})
    schema = "https://schemas.getdbt.com/dbt/{}.json"
    meta_doc = {
        "dbt_version": "1.11.16",
        "generated_at": "2026-11-01T00:02:00Z",
        "invocation_id": "5a0c9d0e-0000-4000-8000-000000000001",
        "adapter_type": "athena",
    }
    documents = {
        "manifest.json": {
            "metadata": {
                "dbt_schema_version": schema.format("manifest/v12"),
                **meta_doc,
                "project_name": DOMAIN,
            },
            "nodes": nodes,
            "sources": {},
            "docs": {},
            "groups": {
                f"group.{DOMAIN}.odd_team": {
                    "name": "odd_team",
                    "owner": {"email": "odd-team@example.com"},
                }
            },
        },
        "catalog.json": {
            "metadata": {"dbt_schema_version": schema.format("catalog/v1"), **meta_doc},
            "nodes": {
                uid: {
                    "metadata": {
                        "type": "BASE TABLE",
                        "schema": f"{DOMAIN}_marts",
                        "name": odd.name,
                    },
                    "columns": {
                        name: {"type": "varchar", "index": i + 1, "name": name, "comment": None}
                        for i, name in enumerate(columns)
                    },
                    "stats": {},
                    "unique_id": uid,
                }
            },
            "sources": {},
        },
        "run_results.json": {
            "metadata": {"dbt_schema_version": schema.format("run-results/v6"), **meta_doc},
            "results": results,
            "args": {"which": "build", "target": "prod"},
        },
    }
    (artifacts / DOMAIN).mkdir(parents=True)
    for name, document in documents.items():
        (artifacts / DOMAIN / name).write_text(json.dumps(document), encoding="utf-8")
    products = {
        "data_products": [
            {
                "name": "Odd product",
                "description": odd.description,
                "items": [odd.name],
                "glossary_terms": odd.product_terms,
            }
        ]
    }
    (root / "domains" / DOMAIN).mkdir(parents=True)
    (root / "domains" / DOMAIN / "data_products.yml").write_text(
        yaml.safe_dump(products, allow_unicode=True)
    )


# --- the stand-ins ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stand_ins() -> Iterator[tuple[StandIns, RunningEmulator]]:
    moto = GlueLikeMotoServer()
    moto.start()
    try:
        with start_background(glue_endpoint=moto.endpoint) as emulator:
            yield StandIns(moto.endpoint, emulator.url), emulator
    finally:
        moto.stop()


@pytest.fixture(scope="module")
def env(stand_ins: tuple[StandIns, RunningEmulator]) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        for key in [k for k in os.environ if k.startswith(("AWS_", "MESH_"))]:
            patch.delenv(key)
        for key, value in stand_in_env(stand_ins[0]).items():
            patch.setenv(key, value)
        patch.setenv("AWS_REGION", REGION)  # the region the harness's backends are read in
        patch.setenv("AWS_DEFAULT_REGION", REGION)
        yield


def _glue_tables(glue: Any) -> list[dict[str, Any]]:
    found = []
    for database in glue.get_databases()["DatabaseList"]:
        for table in glue.get_tables(DatabaseName=database["Name"])["TableList"]:
            found.append({k: table.get(k) for k in ("Name", "Description", "Parameters")})
    return found


def publish_odd(
    stand_ins: tuple[StandIns, RunningEmulator],
    odd: Odd,
    edit_root: Callable[[Path], None] | None = None,
) -> BadInputError | None:
    """Publish `odd` (after `edit_root` changed the repository's catalog); the error, if the
    publish stopped before writing."""
    urls, emulator = stand_ins
    emulator.admin.reset()
    urllib.request.urlopen(
        urllib.request.Request(f"{urls.moto_url}/moto-api/reset", method="POST"), timeout=10
    )
    with tempfile.TemporaryDirectory() as scratch:
        root, artifacts = Path(scratch) / "repo", Path(scratch) / "artifacts"
        write_root(root)
        write_domain(root, artifacts, odd)
        if edit_root is not None:
            edit_root(root)
        glue = boto3.client("glue", region_name=REGION)
        seed_glue(glue, root, artifacts)
        clients = AwsClients(AwsSettings(region=REGION, max_attempts=3))
        config = load_config(root / "catalog" / "datazone.yml")
        api = DataZoneApi.connect(clients, config)
        api.bootstrap({config.governance_project, DOMAIN})  # the domain and projects exist
        emulator.admin.reset_calls()
        before = _glue_tables(glue)
        options = PublishOptions(root=root, artifacts=artifacts, today=TODAY)
        try:
            targets = build_targets("all", options, clients)
            report = prepare("all", targets, options)
        except BadInputError as error:
            # refused before the first write of any catalog, with a paragraph naming the file
            assert emulator.admin.writes() == {}
            assert _glue_tables(glue) == before
            assert error.file and "Fix:" in str(error), str(error)
            return error
        apply(report, targets)
        failures = {t: r.failures for t, r in report.results.items() if r.failures}
        assert report.ok, failures or report.not_applied
        # a second publish finds nothing to write
        targets = build_targets("all", options, clients)
        again = prepare("all", targets, options)
        assert {p.target: [a.label for a in p.actions] for p in again.plans} == {
            "lakeformation": [],
            "glue": [],
            "datazone": [],
        }
        return None


@pytest.mark.usefixtures("env")
@settings(
    # 12 in the suite (about 20 s); MESH_ODD_EXAMPLES=500 to search wider, at random
    max_examples=int(os.environ.get("MESH_ODD_EXAMPLES", "12")),
    deadline=None,
    derandomize="MESH_ODD_EXAMPLES" not in os.environ,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(odd=odd_inputs)
@example(odd=Odd(columns=[]))
@example(odd=Odd(columns=[(f"c{i}", f"Column {i} of five thousand.") for i in range(5000)]))
@example(odd=Odd(terms=list(TERMS)))
@example(odd=Odd(product_terms=list(TERMS)))
@example(odd=Odd(description="😀" * 2048))
@example(odd=Odd(description="x" * 5000))
@example(odd=Odd(columns=[("id", "The id \x1b[1mbold\x1b[0m.")]))
@example(odd=Odd(description="", columns=[("Name With Spaces", ""), ('quo"te', "é" * 400)]))
@example(odd=Odd(meta={"a": [{"b": [{"c": [{"d": "deep"}]}]}]}))
def test_odd_inputs_publish_or_stop_before_any_write(
    stand_ins: tuple[StandIns, RunningEmulator], odd: Odd
) -> None:
    publish_odd(stand_ins, odd)


# --- limits the publisher broke before it checked every request (each failed then) ------------


def _edit_yaml(path: Path, edit: Callable[[Any], None]) -> None:
    document = yaml.safe_load(path.read_text())
    edit(document)
    path.write_text(yaml.safe_dump(document, allow_unicode=True))


@pytest.mark.usefixtures("env")
def test_an_lf_tag_of_more_than_50_values_is_created_in_steps(
    stand_ins: tuple[StandIns, RunningEmulator],
) -> None:
    """CreateLFTag takes at most 50 values (TagValueList): the publisher sent all of them."""
    tiers = [f"tier_{i:02d}" for i in range(60)]

    def more_tiers(root: Path) -> None:
        def edit(ontology: Any) -> None:
            next(t for t in ontology["tags"] if t["key"] == "tier")["values"] = tiers

        _edit_yaml(root / "catalog" / "lf_tags.yml", edit)

    assert publish_odd(stand_ins, Odd(tier="tier_59"), more_tiers) is None


@pytest.mark.usefixtures("env")
def test_a_term_relating_to_more_than_10_terms_is_refused_before_any_write(
    stand_ins: tuple[StandIns, RunningEmulator],
) -> None:
    """CreateGlossaryTerm takes at most 10 terms per relation: DataZone refused it after Glue
    and Lake Formation were written."""

    def wide_term(root: Path) -> None:
        def edit(glossary: Any) -> None:
            glossary["terms"][0]["classifies"] = list(TERMS[1:12])

        _edit_yaml(root / "catalog" / "glossary.yml", edit)

    error = publish_odd(stand_ins, Odd(), wide_term)
    assert error is not None and error.file is not None
    assert error.file.endswith("catalog/glossary.yml")
    assert "classifies" in error.problem and "at most 10 items" in error.problem


@pytest.mark.usefixtures("env")
def test_a_data_product_whose_every_item_is_deprecated_is_refused_before_any_write(
    stand_ins: tuple[StandIns, RunningEmulator],
) -> None:
    """CreateDataProduct takes at least 1 item: the publisher sent none."""
    error = publish_odd(stand_ins, Odd(deprecation_date="2026-06-30T00:00:00Z"))
    assert error is not None and error.file == "domains/odd/data_products.yml"
    assert "every item is past its deprecation date" in error.problem


@pytest.mark.usefixtures("env")
def test_a_request_datazone_would_refuse_stops_the_run_at_the_plan(
    stand_ins: tuple[StandIns, RunningEmulator],
) -> None:
    """The preflight: CreateAsset's `typeIdentifier` must match `(?!\\.)[\\w\\.]*\\w`; an asset type
    with a space in catalog/datazone.yml was sent, and refused, after Glue was written."""

    def spaced_type(root: Path) -> None:
        _edit_yaml(
            root / "catalog" / "datazone.yml",
            lambda config: config["assets"].update(type="amazon.datazone.Glue Table"),
        )

    error = publish_odd(stand_ins, Odd(), spaced_type)
    assert error is not None and error.file is not None
    assert error.file.endswith("catalog/datazone.yml")
    assert "CreateAsset `typeIdentifier` has 'amazon.datazone.Glue Table'" in error.problem
