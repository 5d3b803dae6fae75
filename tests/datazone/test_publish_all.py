"""`mesh publish all`: each domain's artifacts loaded once for every catalog, and what the Glue plan
knows said on the DataZone plan."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import boto3
import pytest

import publish.artifacts.files
from tests.datazone.conftest import DOMAINS, REGION, Stage
from tests.datazone.test_publish_cli import publish as cli_publish

pytestmark = pytest.mark.integration


def test_publish_all_decodes_each_manifest_once(
    stage: Stage, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: Counter[Path] = Counter()
    read_bytes = publish.artifacts.files.read_bytes

    def counted(path: Path, kind: publish.artifacts.files.ArtifactKind) -> bytes:
        reads[path] += 1
        return read_bytes(path, kind)

    monkeypatch.setattr(publish.artifacts.files, "read_bytes", counted)
    result = cli_publish(stage, "all", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "+ lf_tag sensitivity: new" in result.stdout  # the Lake Formation plan
    assert "~ table customers_marts.dim_customers_v2" in result.stdout  # the Glue plan
    assert "+ glossary Retail Business Glossary" in result.stdout  # the DataZone plan
    manifests = {p: n for p, n in reads.items() if p.name == "manifest.json"}
    assert manifests == {stage.artifacts / d / "manifest.json": 1 for d in DOMAINS}
    assert set(reads.values()) == {1}  # catalog, run results, sources: once each too


def test_an_asset_whose_glue_table_is_missing_is_said_on_the_datazone_plan(stage: Stage) -> None:
    """The Glue plan skips a model without a table (`no_glue_table`); the DataZone plan of the
    same run said nothing of the asset it would still describe."""
    glue = boto3.client("glue", region_name=REGION)
    glue.delete_table(DatabaseName="customers_marts", Name="dim_customers_v2")
    result = cli_publish(stage, "all", "--dry-run", "--output", "json")
    assert result.exit_code == 0, result.output
    plans = {p["target"]: p for p in json.loads(result.stdout)["targets"]}
    skipped = {s["unique_id"] for s in plans["glue"]["skipped"] if s["code"] == "no_glue_table"}
    assert skipped == {"model.customers.dim_customers.v2"}
    (warning,) = [w for w in plans["datazone"]["warnings"] if "no Glue table" in w]
    assert warning.startswith("1 asset(s) describe a model with no Glue table on this target")
    assert "model.customers.dim_customers.v2" in warning


def test_assets_of_a_domain_without_artifacts_stay_and_the_plan_says_so(stage: Stage) -> None:
    """A domain whose artifacts a run of every domain lacks (a failed download, or a domain
    removed from the mesh) kept its listed assets without a word."""
    _plan, result = stage.publish()
    assert result.failures == []
    shutil.rmtree(stage.artifacts / "marketing")
    plan = stage.prepare().plan
    (warning,) = [w for w in plan.warnings if w.startswith("domain 'marketing' has")]
    assert "asset(s) in DataZone from an earlier publish" in warning
    assert "they stay as last published. If marketing left the mesh" in warning
    assert not [a for a in plan.actions if a.op == "unpublish"]  # never on a missing folder
    # a run of chosen domains says nothing of the others
    plan = stage.prepare(domains=("sales",)).plan
    assert not [w for w in plan.warnings if "from an earlier publish" in w]
