"""The CI steps refuse bad input with one paragraph (exit 2) before they build or upload anything
(issue 13, rows 8, 9, 10 and 13): corrupt artifacts, an empty production state, a missing bucket."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from typer.testing import CliRunner

from mesh.cli import app
from mesh.project import discover_domains
from mesh_standins.moto_server import local_aws_env, moto_server, reset_moto

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
MANIFEST_V12 = b"https://schemas.getdbt.com/dbt/manifest/v12.json"
BUCKET = "mesh-artifacts"
STORE = f"s3://{BUCKET}/dbt-artifacts/prod"


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture
def aws(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """An empty moto (no bucket at all) that boto3 reaches over HTTP."""
    reset_moto(moto_url)
    for key, value in {**local_aws_env(moto_url), "MESH_ARTIFACT_STORE": STORE}.items():
        monkeypatch.setenv(key, value)
    return moto_url


def mesh(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, " ".join((result.output or "").split())


def truncate(path: Path, keep: int = 50_000) -> None:
    path.write_bytes(path.read_bytes()[:keep])


def stored_keys() -> list[str]:
    listing = boto3.client("s3").list_objects_v2(Bucket=BUCKET)
    return [o["Key"] for o in listing.get("Contents", [])]


def production_state(root: Path) -> Path:
    """The built mesh's artifacts as `mesh ci download` lays them out."""
    state = root / ".mesh-state" / "prod"
    for name, domain in discover_domains(root).items():
        (state / name).mkdir(parents=True)
        for artifact in domain.target_dir.glob("*.json"):
            shutil.copy(artifact, state / name / artifact.name)
    return state


def test_upload_refuses_a_truncated_manifest_and_uploads_nothing(
    built_copy: Path, aws: str
) -> None:
    """Row 8: the corrupt manifest was uploaded to the store (exit 0)."""
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    manifest = built_copy / "domains/marketing/target/manifest.json"
    truncate(manifest)
    code, output = mesh("ci", "upload")
    assert code == 2, output
    assert str(manifest) in output
    assert "truncated" in output
    assert stored_keys() == [], "artifacts were uploaded anyway"


@pytest.mark.parametrize("state", ["missing", "empty"])
def test_breaking_refuses_a_state_without_production_manifests(
    built_copy: Path, tmp_path: Path, state: str
) -> None:
    """Row 9: an empty or missing --state passed as "No breaking change" (exit 0)."""
    folder = tmp_path / state
    if state == "empty":
        folder.mkdir()
    code, output = mesh("ci", "breaking", "--state", str(folder))
    assert code == 2, output
    assert str(folder) in output
    assert "mesh ci download" in output
    assert "No breaking change" not in output


def test_breaking_refuses_a_corrupt_production_manifest(built_copy: Path) -> None:
    """Row 10: JSONDecodeError traceback."""
    state = production_state(built_copy)
    truncate(state / "sales" / "manifest.json")
    code, output = mesh("ci", "breaking")
    assert code == 2, output
    assert str(state / "sales" / "manifest.json") in output
    assert "truncated" in output


def test_slim_refuses_a_corrupt_production_manifest_before_building_anything(
    built_copy: Path,
) -> None:
    """Row 10: slim had already built customers when marketing's manifest failed to parse."""
    state = production_state(built_copy)
    truncate(state / "marketing" / "manifest.json")
    before = {
        p: p.stat().st_mtime_ns for p in (built_copy / "domains").glob("*/target/run_results.json")
    }
    code, output = mesh("ci", "slim")
    assert code == 2, output
    assert str(state / "marketing" / "manifest.json") in output
    assert not (built_copy / ".mesh-state" / "ci").exists(), "a domain was built anyway"
    after = {p: p.stat().st_mtime_ns for p in before}
    assert after == before, "a domain was built anyway"


def test_upload_to_a_missing_bucket_is_one_paragraph(built_copy: Path, aws: str) -> None:
    """Row 13: S3UploadFailedError traceback."""
    code, output = mesh("ci", "upload")
    assert code == 2, output
    assert f"bucket {BUCKET!r}" in output
    assert "Traceback" not in output


def test_merge_checks_the_bucket_before_building(built_copy: Path, aws: str) -> None:
    """Row 13: `mesh ci merge` built every domain, then failed uploading with a traceback."""
    before = {
        p: p.stat().st_mtime_ns for p in (built_copy / "domains").glob("*/target/run_results.json")
    }
    code, output = mesh("ci", "merge")
    assert code == 2, output
    assert f"bucket {BUCKET!r}" in output
    assert {p: p.stat().st_mtime_ns for p in before} == before, "the mesh was built anyway"


def test_publish_site_to_a_missing_bucket_is_one_paragraph(tmp_path: Path, aws: str) -> None:
    """Row 13: S3UploadFailedError traceback."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<html></html>")
    code, output = mesh("ci", "publish-site", "--site", str(site), "--bucket", "mesh-docs")
    assert code == 2, output
    assert "bucket 'mesh-docs'" in output
    assert "Traceback" not in output


# --- careless store, state and output options ---------------------------------------------------


def test_download_without_a_store_says_so_without_noise(
    aws: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: "no artifact store given (got None)"; a store without `s3://` said the same."""
    monkeypatch.delenv("MESH_ARTIFACT_STORE")
    code, output = mesh("ci", "download")
    assert code == 2, output
    assert "error: no artifact store given. Fix: pass --store s3://<bucket>/<prefix>" in output
    assert "None" not in output

    code, output = mesh("ci", "download", "--store", f"{BUCKET}/dbt-artifacts/prod")
    assert code == 2, output
    assert f"the artifact store '{BUCKET}/dbt-artifacts/prod' is not an S3 location" in output


def test_download_into_a_file_is_one_paragraph(tmp_path: Path, aws: str) -> None:
    """Before: NotADirectoryError traceback."""
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    state = tmp_path / "state"
    state.write_text("not a folder")
    code, output = mesh("ci", "download", "--state", str(state))
    assert code == 2, output
    assert f"{state}: is a file, not the folder the artifacts go to" in output
    assert state.read_text() == "not a folder"


def test_download_replaces_each_domain_folder_whole(tmp_path: Path, aws: str) -> None:
    """Before: files the store does not hold stayed beside the new ones (an older build's catalog
    next to this build's manifest), and a domain the store has no manifest of kept its old
    folder and was reported as downloaded."""
    names = sorted(discover_domains(REPO))
    stored, absent = names[0], names[1]
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    manifest = b'{"metadata": {"dbt_schema_version": "%s"}, "nodes": {}}' % MANIFEST_V12
    s3.put_object(Bucket=BUCKET, Key=f"dbt-artifacts/prod/{stored}/manifest.json", Body=manifest)
    state = tmp_path / "state"
    for name in (stored, absent):
        (state / name).mkdir(parents=True)
        for artifact in ("manifest.json", "catalog.json"):
            (state / name / artifact).write_text("{} from an older download")

    code, output = mesh("ci", "download", "--state", str(state))

    assert code == 0, output
    assert f"Downloaded production artifacts of {stored} to" in output
    assert sorted(p.name for p in (state / stored).iterdir()) == ["manifest.json"]
    assert (state / stored / "manifest.json").read_bytes() == manifest
    assert not (state / absent).exists()
    assert sorted(p.name for p in state.iterdir()) == [stored]  # no staging folder left


@pytest.mark.parametrize("output", ["xml", "yaml"])
def test_breaking_refuses_an_unknown_output_format(output: str) -> None:
    """Before: any --output but `json` printed text, exit 0 (CI parsing it then failed)."""
    result = CliRunner().invoke(app, ["ci", "breaking", "--output", output])
    assert result.exit_code == 2, result.output
    assert f"'{output}' is not one of" in result.output
    assert "'json'" in result.output


def test_breaking_takes_the_output_format_in_any_case(built_copy: Path) -> None:
    state = production_state(built_copy)
    code, output = mesh("ci", "breaking", "--state", str(state), "--output", "JSON")
    assert code == 0, output
    assert output.startswith("{") and '"breaks": []' in output
