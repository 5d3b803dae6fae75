"""dbt Fusion's and dbt-core 1.5's artifacts, made from a real build of the tiny fixture project
(`tests/publish/dbt_shapes.py` says where each shape comes from): what the loader makes of them,
value by value, what it says it could not publish, and `mesh publish glue|all --dry-run` on them
against moto and the DataZone emulator."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mesh.cli import app
from mesh_standins.datazone import RunningEmulator, start_background
from publish.artifacts import load_domains
from publish.aws import AwsClients, AwsSettings
from publish.datazone.api import DataZoneApi
from publish.datazone.config import load_config
from publish.mapping import map_mesh
from publish.model import Domain, Model
from tests.publish import dbt_shapes as shapes
from tests.publish.cli_helpers import document, run_publish
from tests.publish.conftest import REPO
from tests.publish.harness import ACCOUNT, REGION, GlueLikeMotoServer

pytestmark = pytest.mark.integration


def _load(artifacts: Path, *changes: shapes.Change) -> Domain:
    shapes.rewrite(artifacts / "tiny", *changes)
    (domain,) = load_domains(REPO, artifacts)
    return domain


def _model(domain: Domain, unique_id: str) -> Model:
    return next(m for m in domain.models if m.unique_id == unique_id)


def _raw(artifacts: Path, name: str) -> dict:
    return json.loads((artifacts / "tiny" / f"{name}.json").read_text())


def _statuses(domain: Domain, unique_id: str) -> set[str]:
    return {t.status for t in _model(domain, unique_id).tests}


# --- dbt-core 1.5 ------------------------------------------------------------------------------


def test_dbt_1_5_artifacts_load_with_their_values(artifacts: Path) -> None:
    """Before: "the manifest has dbt schema version v9 ... which the mesh does not read" (and
    run-results v4, which dbt 1.0 - 1.6 write, likewise). The folder is named otherwise than the
    project: manifest v9 has no project_name, its project_id (the name's MD5) names it."""
    shapes.rewrite(artifacts / "tiny", shapes.dbt_1_5)
    (artifacts / "tiny").rename(artifacts / "shop")
    (domain,) = load_domains(REPO, artifacts)

    assert domain.name == "tiny" and domain.manifest_version == "v9"
    # the fixture's manifest went through `dbt source freshness` last (no compiled SQL), and
    # run-results v4 has none: said once
    (warning,) = domain.warnings
    assert "5 model(s) built by it have no compiled SQL" in warning, warning
    assert {m.unique_id for m in domain.models} == shapes.MODELS
    fct = _model(domain, shapes.FCT)
    assert fct.domain == "tiny"
    assert (fct.access, fct.contract_enforced, fct.group) == ("public", True, "tiny_team")
    assert fct.group_owner_email == "tiny-team@example.com"
    assert dict(fct.meta) == {
        "owner": "orders-owner@example.com",
        "tier": "gold",
        "glossary_terms": ["Order", "Revenue"],
    }
    amount = next(c for c in fct.columns if c.name == "amount")
    assert dict(amount.meta) == {"sensitivity": "confidential", "glossary_terms": ["Revenue"]}
    v1 = _model(domain, shapes.DIM_V1)
    assert (v1.version, v1.latest_version, v1.deprecation_date) == ("1", "2", None)
    assert domain.run_command == "build" and domain.run_target == "prod"
    assert fct.build is not None and fct.build.status == "success"
    assert _statuses(domain, shapes.FCT) == {"pass"}
    assert all(t.message is None and t.failures == 0 for t in fct.tests)
    assert domain.description.startswith("The tiny domain:")  # doc.tiny.__overview__


def test_dbt_1_5_publishes_to_glue(production: Path, aws: GlueLikeMotoServer) -> None:
    shapes.rewrite(production / "tiny", shapes.dbt_1_5)

    result = run_publish(production, "--dry-run")

    assert result.exit_code == 0, result.stderr
    plan = document(result)["targets"]
    glue = next(t for t in plan if t["target"] == "glue")
    (warning,) = glue["warnings"]  # as loading it says (above)
    assert "5 model(s) built by it have no compiled SQL" in warning
    assert "confidential" in json.dumps(plan), "fct_orders.amount lost its LF-tag"


# --- dbt Fusion --------------------------------------------------------------------------------


def _check_fusion_manifest(domain: Domain) -> None:
    """What Fusion's manifest shape still says, whatever its version."""
    assert {m.unique_id for m in domain.models} == shapes.MODELS  # `enabled: null` is enabled
    fct = _model(domain, shapes.FCT)
    assert fct.meta["tier"] == "gold" and fct.contract_enforced and fct.access == "public"
    assert [(c.type, c.expression, c.columns) for c in fct.constraints] == [
        ("check", "amount >= 0", ())
    ]
    assert fct.group_owner_email == "tiny-team@example.com"  # the first of the owner's list
    assert dict(_model(domain, "model.tiny.stg_shop__orders").meta) == {}  # config.meta: null
    assert _model(domain, shapes.DIM_V1).deprecation_date == "2030-01-01"
    assert {s.unique_id for s in domain.source_tables} == {
        "source.tiny.shop.raw_customers",
        "source.tiny.shop.raw_orders",
    }


def _fusion_gap(domain: Domain, artifacts: Path) -> str:
    path = artifacts / "tiny" / "run_results.json"
    (gap,) = [w for w in domain.warnings if w.startswith(f"{path}: ")]
    return gap


def test_a_fusion_v20_build_loads_with_what_it_lacks_said_once(artifacts: Path) -> None:
    """Before: "the manifest has dbt schema version v20 ... which the mesh does not read"; read
    as v12 instead, its Fusion-written `null`s refused the model (`config.enabled`, a model
    constraint's `columns`) or were misread (`reused` tests as errors, `Pass` freshness)."""
    domain = _load(artifacts, *shapes.fusion("v20", shapes.FUSION_V20))

    assert domain.manifest_version == "v20" and domain.dbt_version == shapes.FUSION_V20
    _check_fusion_manifest(domain)
    manifest = artifacts / "tiny" / "manifest.json"
    (read_as,) = [w for w in domain.warnings if w.startswith(f"{manifest}: ")]
    assert "manifest v20, which dbt Fusion's previews wrote" in read_as
    assert "is read as manifest v12" in read_as
    assert len(domain.warnings) == 2  # that, and one line on the run results

    gap = _fusion_gap(domain, artifacts)
    results = _raw(artifacts, "run_results")["results"]
    assert f"`message` is missing on {len(results)} of {len(results)} results" in gap
    assert f"1 model(s) have no result ({shapes.DIM_V1})" in gap
    assert "3 node(s) are `reused`" in gap and shapes.DIM_V2 in gap
    assert "have no compiled SQL" in gap
    assert "\n" not in gap  # one line for every node it names

    fct, v1, v2 = (_model(domain, u) for u in (shapes.FCT, shapes.DIM_V1, shapes.DIM_V2))
    assert domain.run_command == "build" and domain.run_target is None  # Fusion writes none
    assert fct.build is not None and fct.build.status == "success" and fct.build.completed_at
    assert fct.compiled_code is None  # nowhere in a Fusion build of this era
    assert v1.build is None and _statuses(domain, shapes.DIM_V1) == {"not_run"}
    assert v2.build is not None and (v2.build.status, v2.build.completed_at) == ("reused", None)
    assert _statuses(domain, shapes.DIM_V2) == {"skipped"}  # reused: no evaluation of this run
    assert {(t.status, t.failures, t.message) for t in fct.tests} == {("pass", 0, None)}
    assert sorted(f.status for f in domain.sources) == ["pass", "warn"]  # "Pass", "Warn"
    assert map_mesh([domain]).freshness([s.unique_id for s in domain.source_tables]).status == (
        "warn"
    )


def test_a_fusion_v12_build_has_no_version_warning(artifacts: Path) -> None:
    """Fusion from 2.0.0-preview.98 writes v12 (with the same gaps): no word on the version."""
    domain = _load(artifacts, *shapes.fusion("v12", shapes.FUSION_V12))

    assert domain.manifest_version == "v12"
    _check_fusion_manifest(domain)
    assert not any("manifest v20" in w for w in domain.warnings)
    assert "`message` is missing on" in _fusion_gap(domain, artifacts)


def test_a_dbt_2_build_of_mid_2026_takes_compiled_sql_from_its_results(artifacts: Path) -> None:
    """The manifest still has no compiled SQL; the results have it (since preview.209): column
    lineage is derived from them, and nothing is missing to say."""
    expected = {
        r["unique_id"]: r["compiled_code"]
        for r in _raw(artifacts, "run_results")["results"]
        if r["unique_id"] in shapes.MODELS
    }
    domain = _load(artifacts, *shapes.fusion_new())

    _check_fusion_manifest(domain)
    assert domain.warnings == ()
    assert domain.run_command == "build" and domain.run_target is None
    for unique_id, code in expected.items():
        assert _model(domain, unique_id).compiled_code == code
    assert "from" in (_model(domain, shapes.FCT).compiled_code or "")


def test_run_results_without_which_are_read_as_a_build_when_their_tests_ran(
    artifacts: Path,
) -> None:
    """Before: no `args.which`, no build time and no test status published."""
    domain = _load(artifacts, shapes.without_which)

    assert domain.run_command is None
    fct = _model(domain, shapes.FCT)
    assert fct.build is not None and fct.build.status == "success"
    assert _statuses(domain, shapes.FCT) == {"pass"}
    (note,) = domain.warnings
    assert "does not say which dbt command wrote it (args.which); its tests ran" in note


def test_docs_generate_results_without_which_are_not_a_build(artifacts: Path) -> None:
    """`dbt docs generate` compiles: its tests are `success`, never pass or fail."""

    def docs_generate(docs: shapes.Docs) -> None:
        shapes.without_which(docs)
        for result in docs["run_results"]["results"]:
            result["status"] = "success"

    domain = _load(artifacts, docs_generate)

    assert all(m.build is None for m in domain.models)
    assert _statuses(domain, shapes.FCT) == {"not_run"}
    (note,) = domain.warnings
    assert "and no test in it ran: build time and test status are not published" in note


def test_fusion_docs_generate_is_named_as_people_type_it(artifacts: Path) -> None:
    def docs(docs: shapes.Docs) -> None:
        docs["run_results"]["args"] = {"command": "docs", "which": "docs"}

    domain = _load(artifacts, docs)

    (note,) = domain.warnings
    assert "was written by `dbt docs generate`, not by a build" in note


def test_a_fusion_build_publishes_to_glue_with_its_warnings_in_the_plan(
    production: Path, aws: GlueLikeMotoServer
) -> None:
    shapes.rewrite(production / "tiny", *shapes.fusion("v20", shapes.FUSION_V20))

    result = run_publish(production, "--dry-run")

    assert result.exit_code == 0, result.stderr
    (glue,) = [t for t in document(result)["targets"] if t["target"] == "glue"]
    manifest = production / "tiny" / "manifest.json"
    assert any(w.startswith(f"{manifest}: manifest v20") for w in glue["warnings"])
    assert sum("`message` is missing on" in w for w in glue["warnings"]) == 1
    assert "confidential" in json.dumps(document(result)), "fct_orders.amount lost its LF-tag"
    assert not any(s["unique_id"] == shapes.FCT for s in glue["skipped"])


@pytest.mark.parametrize(
    ("version", "words"),
    [
        ("v8", "written by dbt-core 1.4 and older"),
        ("v21", "which the mesh does not read; it reads manifest v9, v10, v11, v12, v20"),
    ],
)
def test_other_manifest_versions_are_refused(
    production: Path, aws: GlueLikeMotoServer, version: str, words: str
) -> None:
    path = production / "tiny" / "manifest.json"
    path.write_text(path.read_text().replace("/manifest/v12.json", f"/manifest/{version}.json", 1))

    result = run_publish(production, "--dry-run")

    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert f"{path}: " in message and words in message, message
    assert aws.calls() == []


# --- through `mesh publish all` into Glue and the DataZone emulator -----------------------------


@pytest.fixture(scope="module")
def emulator(moto_server: GlueLikeMotoServer) -> Iterator[RunningEmulator]:
    """The DataZone emulator, reading Glue from the session's moto server."""
    with start_background(glue_endpoint=moto_server.endpoint) as running:
        yield running


@pytest.fixture
def datazone(
    production: Path, emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> RunningEmulator:
    """Glue as a production build of the tiny artifacts leaves it; the DataZone domain and the
    tiny domain's project as the hands-on creates them (the publisher's own bootstrap)."""
    emulator.admin.reset()
    for key, value in {
        "AWS_ACCESS_KEY_ID": "AKIDPRODUCER",
        "AWS_ENDPOINT_URL_DATAZONE": emulator.url,
        "MESH_DATAZONE_ACCOUNT_ID": ACCOUNT,
        "MESH_DATAZONE_REGION": REGION,
    }.items():
        monkeypatch.setenv(key, value)
    config = load_config(REPO / "catalog" / "datazone.yml")  # the catalog/ `root` copies
    api = DataZoneApi.connect(AwsClients(AwsSettings(region=REGION)), config)
    names = {config.governance_project, config.project_for("tiny")}
    api.bootstrap(names)
    emulator.admin.reset_calls()
    return emulator


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """The repository's catalog/, its glossary with the tiny project's one term more."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "catalog", root / "catalog")
    glossary = root / "catalog" / "glossary.yml"
    glossary.write_text(
        glossary.read_text() + "  - name: Revenue\n    short_description: What orders earn.\n"
    )
    return root


def _publish_all(root: Path, artifacts: Path) -> dict:
    args = ["all", "--artifacts", str(artifacts), "--root", str(root), "--dry-run", "-o", "json"]
    result = CliRunner().invoke(app, ["publish", *args])
    assert result.exit_code == 0, result.output
    return {t["target"]: t for t in json.loads(result.stdout)["targets"]}


#: shape -> (its edits, the models with a lineage event: built by the run, not reused or failed)
ENGINES: dict[str, tuple[list[shapes.Change], set[str]]] = {
    "dbt Fusion, manifest v20": (
        shapes.fusion("v20", shapes.FUSION_V20),
        {"model.tiny.stg_shop__orders", "model.tiny.stg_shop__customers", shapes.FCT},
    ),
    "dbt-core 1.5": (
        [shapes.dbt_1_5],
        {
            "model.tiny.stg_shop__orders",
            "model.tiny.stg_shop__customers",
            shapes.FCT,
            shapes.DIM_V1,
            shapes.DIM_V2,
        },
    ),
}


@pytest.mark.parametrize("engine", list(ENGINES))
def test_other_engines_publish_through_mesh_publish_all(
    production: Path, datazone: RunningEmulator, root: Path, engine: str
) -> None:
    """Both catalogs planned from the artifacts, as from dbt-core 1.11's: the public model's
    asset and listing, its tests as one data-quality point, a lineage event per model the run
    built; what the artifacts could not say is in both plans' warnings, once."""
    changes, built = ENGINES[engine]
    shapes.rewrite(production / "tiny", *changes)

    plans = _publish_all(root, production)

    assert datazone.admin.writes() == {}  # a dry run
    dz = plans["datazone"]
    ids = {(a["kind"], a["op"], a["unique_id"]) for a in dz["actions"]}
    assert {("asset", "create", shapes.FCT), ("asset_listing", "publish", shapes.FCT)} <= ids
    (quality,) = [a for a in dz["actions"] if a["kind"] == "quality"]
    assert quality["unique_id"] == shapes.FCT and quality["reason"].startswith("2/2 passed")
    assert {a["unique_id"] for a in dz["actions"] if a["kind"] == "lineage"} == built
    glue = plans["glue"]
    assert {a["unique_id"] for a in glue["actions"] if a["kind"] == "table"} >= {shapes.FCT}
    for plan in (glue, dz):
        assert plan["warnings"] == glue["warnings"]
    if engine.startswith("dbt Fusion"):
        assert len(glue["warnings"]) == 2
        assert "manifest v20, which dbt Fusion's previews wrote" in glue["warnings"][0]
        count = len(_raw(production, "run_results")["results"])
        assert f"`message` is missing on {count} of {count} results" in glue["warnings"][1]
    else:
        (warning,) = glue["warnings"]
        assert "have no compiled SQL" in warning
