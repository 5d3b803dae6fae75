"""`mesh publish all` loads each domain's artifacts once, for both catalogs."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

import publish.artifacts.files
from mesh.cli import app
from tests.datazone.conftest import DOMAINS, TODAY, Stage

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
    result = CliRunner().invoke(
        app,
        [
            "publish",
            "all",
            "--dry-run",
            "--root",
            str(stage.root),
            "--artifacts",
            str(stage.artifacts),
            "--today",
            TODAY.isoformat(),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "LF-tag ontology" in result.stdout  # the Glue plan
    assert "glossary create" in result.stdout  # the DataZone plan
    manifests = {p: n for p, n in reads.items() if p.name == "manifest.json"}
    assert manifests == {stage.artifacts / d / "manifest.json": 1 for d in DOMAINS}
    assert set(reads.values()) == {1}  # catalog, run results, sources: once each too
