"""Secrets never land: the committed tree passes the scanner CI and pre-commit run, and the
scanner does catch a credential (assembled here at run time, never committed)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.portal.secrets import AWS_EXAMPLE_KEY_ID, AWS_EXAMPLE_SECRET, GITHUB_TOKEN, SLACK_WEBHOOK

REPO = Path(__file__).resolve().parents[1]
HOOK = Path(sys.executable).with_name("detect-secrets-hook")


def test_the_tracked_tree_has_no_secret_beyond_the_baseline() -> None:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout: the scan covers the files git tracks")
    result = subprocess.run(
        ["bash", "ci/scan_secrets.sh"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "MESH_VENV_BIN": str(HOOK.parent)},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no secret in" in result.stdout


@pytest.mark.parametrize(
    "line",
    [
        f'token = "{GITHUB_TOKEN}"',
        f"aws_access_key_id = {AWS_EXAMPLE_KEY_ID}",
        f'aws_secret_access_key = "{AWS_EXAMPLE_SECRET}"',
        f"SLACK = '{SLACK_WEBHOOK}'",
    ],
)
def test_the_hook_fails_on_a_planted_credential(tmp_path: Path, line: str) -> None:
    planted = tmp_path / "settings.py"
    planted.write_text(f"{line}\n")
    result = subprocess.run(
        [str(HOOK), "--baseline", str(REPO / ".secrets.baseline"), str(planted)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0, result.stdout
    assert "settings.py" in result.stdout


def test_pre_commit_runs_the_scanner_as_a_local_hook() -> None:
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text())
    hooks = {h["id"]: (repo["repo"], h) for repo in config["repos"] for h in repo["hooks"]}
    repo, hook = hooks["detect-secrets"]
    assert repo == "local" and hook["language"] == "system"
    assert hook["entry"].split()[0] == ".venv/bin/detect-secrets-hook"
    assert "--baseline .secrets.baseline" in hook["entry"]
