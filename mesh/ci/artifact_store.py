"""The artifact store: each domain's production dbt artifacts in S3.

Layout: `s3://<bucket>/<prefix>/<domain>/<artifact>.json`. The merge job uploads after a
production build; pull requests download it as dbt's `--state` for slim builds; dbt-loom
reads upstream manifests from it (see `loom_configs`). Locally the bucket is moto's S3.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from mesh.ci.s3 import require_bucket, s3_errors
from mesh.project import Domain, write_loom_config
from publish.artifacts import FILE_NAMES, read_artifact
from publish.errors import BadInputError


@dataclass(frozen=True)
class ArtifactStore:
    bucket: str
    prefix: str = "dbt-artifacts/prod"

    @classmethod
    def from_url(cls, url: str | None) -> ArtifactStore:
        """`s3://bucket/prefix`, defaulting to MESH_ARTIFACT_STORE."""
        url = url or os.environ.get("MESH_ARTIFACT_STORE")
        fix = (
            "pass --store s3://<bucket>/<prefix> or set MESH_ARTIFACT_STORE (on a laptop, "
            "`mesh-standins up` prints the value for its local bucket)"
        )
        if not url:
            raise BadInputError("no artifact store given", fix=fix)
        bucket, _, prefix = url.removeprefix("s3://").partition("/")
        if not url.startswith("s3://") or not bucket:
            raise BadInputError(
                f"the artifact store {url!r} is not an S3 location s3://<bucket>/<prefix>",
                fix=fix,
            )
        return cls(bucket=bucket, prefix=prefix.strip("/") or cls.prefix)

    def key(self, domain: str, artifact: str) -> str:
        return f"{self.prefix}/{domain}/{artifact}"

    def upload(self, s3: Any, folders: Mapping[str, Path]) -> list[str]:
        """Upload every artifact of each domain's folder; returns the keys written.

        Every file is read and checked first (a manifest is required; each artifact must be
        one dbt wrote whole), and the bucket must exist: bad input uploads nothing.
        """
        files: list[tuple[Path, str]] = []
        for domain, folder in folders.items():
            manifest = folder / "manifest.json"
            if not manifest.is_file():
                raise BadInputError(
                    f"domain {domain!r} has no manifest to upload",
                    file=manifest,
                    fix="build the domain first (`mesh build`, or `mesh ci merge`), then upload",
                )
            for kind, artifact in FILE_NAMES.items():
                path = folder / artifact
                if path.is_file():
                    read_artifact(path, kind)  # refuses a truncated or foreign file
                    files.append((path, self.key(domain, artifact)))
        require_bucket(s3, self.bucket, option="--store (or MESH_ARTIFACT_STORE)")
        with s3_errors(f"uploading artifacts to s3://{self.bucket}", "s3:PutObject"):
            for path, key in files:
                s3.upload_file(str(path), self.bucket, key)
        return [key for _, key in files]

    def download(self, s3: Any, domains: list[str], dest: Path) -> dict[str, Path]:
        """Download each domain's artifacts into `dest/<domain>/`; missing ones are skipped.

        A domain's folder is replaced whole, once all its files arrived: an interrupted download
        leaves the previous folder as it was, and a file the store does not hold never stays
        beside the new ones (a catalog of an older build next to this build's manifest); a
        domain the store has no manifest of has no folder afterwards.
        """
        if dest.exists() and not dest.is_dir():
            raise BadInputError(
                "is a file, not the folder the artifacts go to",
                file=dest,
                fix="pass --state a folder (default: .mesh-state/prod)",
            )
        require_bucket(s3, self.bucket, option="--store (or MESH_ARTIFACT_STORE)")
        dest.mkdir(parents=True, exist_ok=True)
        found: dict[str, Path] = {}
        for name in domains:
            with tempfile.TemporaryDirectory(prefix=f".{name}-", dir=dest) as scratch:
                staged = Path(scratch)
                for artifact in FILE_NAMES.values():
                    with s3_errors(f"downloading s3://{self.bucket}/{self.prefix}", "s3:GetObject"):
                        try:
                            s3.download_file(
                                self.bucket, self.key(name, artifact), str(staged / artifact)
                            )
                        except ClientError as exc:
                            if exc.response["Error"]["Code"] not in {"404", "NoSuchKey"}:
                                raise
                folder = dest / name
                if folder.is_dir():
                    shutil.rmtree(folder)
                elif folder.exists():
                    folder.unlink()
                if not (staged / "manifest.json").is_file():
                    continue  # the store has no build of this domain (yet): nor has --state
                staged.rename(folder)
                staged.mkdir()  # for TemporaryDirectory's clean-up
                found[name] = folder
        return found

    def loom_configs(self, domains: list[Domain], dest: Path) -> dict[str, Path]:
        """A dbt-loom config per domain reading its upstream manifests from this store.

        The upstream names come from each domain's own dbt_loom.config.yml, so the file in
        git stays the single list of upstream domains; only the location changes.
        """
        return {
            domain.name: write_loom_config(
                dest / f"{domain.name}.dbt_loom.config.yml",
                [
                    {
                        "name": upstream,
                        "type": "s3",
                        "config": {
                            "bucket_name": self.bucket,
                            "object_name": self.key(upstream, "manifest.json"),
                        },
                    }
                    for upstream in domain.upstream_names
                ],
            )
            for domain in domains
        }
