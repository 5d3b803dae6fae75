"""The loader on artifacts real projects published (../shared/fixtures/dbt-artifacts, README there).

dbt_hubspot (dbt 1.11): every model lives in the installed package `hubspot`; sui-models (dbt 1.9):
an unused doc block without a name, models of two packages, models missing from the catalog;
baseball.computer (dbt 1.7): manifest v11 and run_results v5 written by `dbt docs generate`.
Expectations are counted from the raw JSON here, independently of the loader.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from mesh.cli import app
from mesh_standins.prodmirror import seed_glue
from publish.artifacts import load_domains
from publish.aws import AwsClients, AwsSettings
from publish.datazone.config import DEFAULT_CONFIG
from publish.datazone.target import DataZoneTarget
from publish.mapping import map_mesh
from publish.model import Domain
from tests.publish.cli_helpers import plan_of, summary
from tests.publish.harness import GlueLikeMotoServer

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "fixtures" / "dbt-artifacts"
SETS = ("fivetran__dbt_hubspot", "FlipsideCrypto__sui-models", "droher__baseball.computer")

pytestmark = pytest.mark.skipif(
    not all((SHARED / s / "manifest.json.gz").is_file() for s in SETS),
    reason=f"the shared real-world dbt artifacts are not at {SHARED} (a checkout outside the "
    "team's workspace): nothing to test against",
)


def _raw(directory: Path, name: str) -> Any:
    return json.loads((directory / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def real_artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three sets unzipped as `<dir>/<project>/<artifact>.json`, as `--artifacts` reads."""
    out = tmp_path_factory.mktemp("real-artifacts")
    for name in SETS:
        files = {p.name.removesuffix(".gz"): p for p in (SHARED / name).glob("*.json.gz")}
        with gzip.open(files["manifest.json"]) as fh:
            project = json.load(fh)["metadata"]["project_name"]
        for file, path in files.items():
            with gzip.open(path) as fh:
                (out / project).mkdir(exist_ok=True)
                (out / project / file).write_bytes(fh.read())
    return out


@pytest.fixture(scope="module")
def loaded(real_artifacts: Path) -> dict[str, Domain]:
    return {d.name: d for d in load_domains(REPO, real_artifacts)}


def _built_models(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["config"]["enabled"]
    ]


def test_every_model_is_loaded_with_its_package(real_artifacts: Path, loaded: dict) -> None:
    assert set(loaded) == {"hubspot_integration_tests", "sui_models", "baseball_computer"}
    for name, domain in loaded.items():
        raw = _built_models(_raw(real_artifacts / name, "manifest.json"))
        assert Counter(m.package_name for m in domain.models) == Counter(
            n["package_name"] for n in raw
        )
        enforced = sum(bool(n["contract"]["enforced"]) for n in raw)
        assert sum(m.contract_enforced for m in domain.models) == enforced
        for model in domain.models:
            assert model.from_package is (model.package_name != name)
    hubspot = loaded["hubspot_integration_tests"]
    assert len(hubspot.models) == 154 and hubspot.packages == ("hubspot",)
    assert loaded["sui_models"].packages == ("fsc_utils", "livequery_models")
    assert sum(m.contract_enforced for m in loaded["baseball_computer"].models) == 95


def test_an_unused_broken_doc_block_is_skipped_with_a_warning(loaded: dict) -> None:
    sui = loaded["sui_models"]
    (warning,) = [w for w in sui.warnings if "doc.sui_models.None" in w]
    assert "skipped docs entry" in warning and "the mesh does not use it" in warning
    assert len(sui.models) == 131


def test_a_dbt_1_7_manifest_and_a_docs_generate_run_results(
    real_artifacts: Path, loaded: dict
) -> None:
    baseball = loaded["baseball_computer"]
    assert baseball.manifest_version == "v11" and baseball.dbt_version == "1.7.3"
    assert baseball.run_command == "generate"
    assert any("written by `dbt docs generate`, not by a build" in w for w in baseball.warnings)
    assert all(m.build is None for m in baseball.models)  # nothing was built by that command
    assert all(t.status == "not_run" for m in baseball.models for t in m.tests)
    raw = _raw(real_artifacts / "baseball_computer", "manifest.json")
    tested = {n["attached_node"] for n in raw["nodes"].values() if n.get("attached_node")}
    assert tested and tested <= {m.unique_id for m in baseball.models}
    columns = sum(len(n["columns"]) for n in _built_models(raw))
    assert sum(len(m.documented_columns) for m in baseball.models) == columns
    constrained = next(m for m in baseball.models if m.constraints)
    assert constrained.constraints[0].type == "primary_key"


def test_models_missing_from_the_catalog_are_named(real_artifacts: Path, loaded: dict) -> None:
    for name, domain in loaded.items():
        catalog = _raw(real_artifacts / name, "catalog.json")["nodes"]
        missing = {
            n["unique_id"]
            for n in _built_models(_raw(real_artifacts / name, "manifest.json"))
            if n["unique_id"] not in catalog and n["config"]["materialized"] != "ephemeral"
        }
        assert {m.unique_id for m in domain.models if not m.in_catalog and m.relation} == missing
        warned = [w for w in domain.warnings if "has no table for" in w]
        assert bool(warned) is bool(missing), (name, warned)
        if missing:
            assert f"for {len(missing)} model(s)" in warned[0]


@pytest.mark.integration
def test_the_three_sets_plan_cleanly_against_their_glue_mirror(
    real_artifacts: Path, loaded: dict, glue: Any, aws: GlueLikeMotoServer
) -> None:
    """Glue as their builds would leave it (the prod mirror), then a dry-run publish of all three:
    every table that a model builds is planned, none missing."""
    mirror = seed_glue(glue, REPO, real_artifacts)
    tables = [m for d in loaded.values() for m in d.models if m.relation is not None]
    assert len(mirror.tables) == len(tables) == 309
    result = CliRunner().invoke(
        app,
        ["publish", "glue", "--dry-run", "--artifacts", str(real_artifacts), "-o", "json"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    plan = plan_of(result)
    assert summary(plan, "table") == {"unchanged": 0, "update": 309, "skipped": 0}
    assert summary(plan, "database")["skipped"] == 0


def _why_not_an_asset(node: dict[str, Any], project: str) -> str | None:
    """Issue 15 item 2's reasons, computed from the raw manifest node (first that applies)."""
    if node["config"]["materialized"] == "ephemeral":
        return "ephemeral"
    if node["package_name"] != project:
        return "from_package"
    if node.get("access", "protected") != "public":
        return "not_public"
    if not node["contract"]["enforced"]:
        return "no_contract"
    return None


def test_the_datazone_plan_says_why_each_model_of_the_three_sets_is_not_an_asset(
    real_artifacts: Path, loaded: dict
) -> None:
    """DataZone publishes public models with an enforced contract: on these sets that is none,
    and the plan says why for every model (before: 0 assets planned, no reason given)."""
    target = DataZoneTarget(
        AwsClients(AwsSettings(region="us-east-1")),
        map_mesh(list(loaded.values())),
        root=REPO,
        config=DEFAULT_CONFIG,
        today=date(2026, 11, 30),
    )
    target.validate()  # no AWS call: the desired state and what it leaves out
    assert target.desired is not None
    skipped = Counter(s.code for s in target.desired.skipped)
    expected: Counter[str] = Counter()
    for name in loaded:
        for node in _built_models(_raw(real_artifacts / name, "manifest.json")):
            why = _why_not_an_asset(node, name)
            expected[why or "asset"] += 1
    assert expected["asset"] == len(target.desired.assets) == 0
    del expected["asset"]
    assert skipped == expected
    assert skipped["from_package"] >= 154 and skipped["not_public"] >= 95
    assert all(s.reason for s in target.desired.skipped)


def test_the_portal_of_the_three_sets_is_quiet_and_derives_no_lineage_it_cannot_show(
    real_artifacts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """None of the three sets has a public model, so the portal shows no column lineage. Before:
    it derived the lineage of all 309 models anyway (78 s here) and sqlglot printed 39 lines of
    "Unknown subquery scope: SELECT ..." on baseball.computer's SQL."""
    import publish.column_lineage as column_lineage

    derived: list[str] = []
    real = column_lineage.model_lineage

    def counted(model: Any, *args: Any) -> Any:
        derived.append(model.unique_id)
        return real(model, *args)

    monkeypatch.setattr(column_lineage, "model_lineage", counted)
    result = CliRunner().invoke(
        app,
        ["docs", "portal", "--artifacts", str(real_artifacts), "--out", str(tmp_path / "site")],
        catch_exceptions=False,
    )

    assert result.exit_code == 0, result.output
    assert "0 public models" in result.stdout
    assert derived == []
    assert "Unknown subquery scope" not in result.stderr
    assert all(line.startswith("warning: ") for line in result.stderr.splitlines() if line)
