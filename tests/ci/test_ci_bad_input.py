"""The CI steps refuse bad input with one paragraph (exit 2) before they build or upload anything
(issue 13, rows 8, 9, 10 and 13): corrupt artifacts, an empty production state, a missing bucket."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import boto3
import pytest
from typer.testing import CliRunner

from mesh.ci.sqllint import changed_sql
from mesh.cli import app
from mesh.project import discover_domains
from mesh_standins.moto_server import local_aws_env, moto_server, reset_moto
from publish.errors import BadInputError

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
@pytest.mark.parametrize("command", ["breaking", "slim"])
def test_a_state_without_any_production_manifest_is_refused(
    built_copy: Path, tmp_path: Path, command: str, state: str
) -> None:
    """Row 9: breaking passed an empty or missing --state as "No breaking change" (exit 0). A
    domain without a manifest is new (slim builds it in full); without any, --state is wrong."""
    folder = tmp_path / state
    if state == "empty":
        folder.mkdir()
    code, output = mesh("ci", command, "--state", str(folder))
    assert code == 2, output
    assert str(folder) in output
    assert "mesh ci download" in output
    assert "mesh ci merge" in output  # the way out before the first merge
    assert "No breaking change" not in output
    assert not (built_copy / ".mesh-state" / "ci").exists(), "a domain was built anyway"


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
    for name in names[1:]:  # each named: a new domain, or one main has not built
        assert f"holds no build of domain {name!r}: a domain new in this branch" in output


def test_download_from_an_empty_store_says_what_that_means(tmp_path: Path, aws: str) -> None:
    """Before: "Downloaded production artifacts of no domain" and nothing else, exit 0; then
    slim and breaking refused the empty --state, with no word of the first merge."""
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    code, output = mesh("ci", "download", "--state", str(tmp_path / "state"))
    assert code == 0, output  # legitimate before the first merge
    assert f"warning: {STORE}/ holds no domain's artifacts" in output
    assert "`mesh ci merge` on main" in output
    assert "MESH_ARTIFACT_STORE names the wrong bucket or prefix" in output
    assert "holds no build of domain" not in output  # one line, not one per domain


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


# --- mesh ci lint: the base the changes are found against ---------------------------------------


def _repo_with_a_model(root: Path) -> Path:
    """A git repository whose main holds one model; the branch `pr` adds one with a space."""
    models = root / "domains" / "sales" / "models"
    models.mkdir(parents=True)
    (models / "stg_a.sql").write_text("select 1 as a\n")
    run = partial(subprocess.run, cwd=root, check=True, capture_output=True)
    run(["git", "init", "-q", "-b", "main"])
    run(["git", "add", "-A"])
    run(["git", "-c", "user.email=ci@x", "-c", "user.name=ci", "commit", "-qm", "main"])
    run(["git", "checkout", "-q", "-b", "pr"])
    (models / "stg b.sql").write_text("select 2 as b\n")
    run(["git", "add", "-A"])
    run(["git", "-c", "user.email=ci@x", "-c", "user.name=ci", "commit", "-qm", "pr"])
    return root


def test_lint_finds_changed_models_by_their_whole_name(tmp_path: Path) -> None:
    """Before: a file name with a space came back as two paths."""
    root = _repo_with_a_model(tmp_path)
    assert changed_sql(root, "main") == [root / "domains/sales/models/stg b.sql"]


def test_lint_names_a_mistyped_base_and_what_it_may_mean(tmp_path: Path) -> None:
    """Before: git's three lines (ambiguous argument, unknown revision, "Use '--'")."""
    root = _repo_with_a_model(tmp_path)
    with pytest.raises(BadInputError) as caught:
        changed_sql(root, "mian")
    message = str(caught.value)
    assert "--base 'mian' is not a branch, tag or commit of this repository" in message
    assert "did you mean 'main'?" in message
    assert "Use '--'" not in message


def test_lint_says_a_base_without_common_history_is_a_shallow_clone(tmp_path: Path) -> None:
    root = _repo_with_a_model(tmp_path)
    run = partial(subprocess.run, cwd=root, check=True, capture_output=True)
    run(["git", "checkout", "-q", "--orphan", "unrelated"])
    run(["git", "-c", "user.email=ci@x", "-c", "user.name=ci", "commit", "-qm", "unrelated"])
    with pytest.raises(BadInputError) as caught:
        changed_sql(root, "main")
    assert "'main' and HEAD share no history in this clone" in str(caught.value)
    assert "fetch-depth: 0" in str(caught.value)


def test_lint_outside_a_git_repository_names_the_folder(tmp_path: Path) -> None:
    with pytest.raises(BadInputError) as caught:
        changed_sql(tmp_path, "main")
    assert str(tmp_path) in str(caught.value)
    assert "is not in a git repository" in str(caught.value)
